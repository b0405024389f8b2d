/**
 * The privacy summary of the latest response: refusals with their error codes, then
 * what was withheld, minimised, counted or suppressed and why (`extensions.privacy`,
 * contract section 5), with each field's privacy line from the schema.
 */
import { isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import type { Exchange } from './api';
import { describeEntry, describeErrors, humanise, privacyLineOf, summarise, type DescribedEntry, type EntryGroup } from './privacyText';

export interface PrivacyPanelProps {
  readonly exchange: Exchange | null;
  readonly schema: GraphQLSchema | null;
}

const GROUPS: readonly { group: EntryGroup; title: string }[] = [
  { group: 'withheld', title: 'Withheld' },
  { group: 'minimised', title: 'Minimised' },
  { group: 'statistics', title: 'Statistics' },
  { group: 'other', title: 'Other decisions' },
];

export function PrivacyPanel({ exchange, schema }: PrivacyPanelProps) {
  return (
    <aside className="tg-privacy" data-testid="privacy-panel" aria-label="Privacy report" aria-live="polite">
      <h2 className="tg-privacy-title">Privacy report</h2>
      {exchange ? <ExchangeReport exchange={exchange} schema={schema} /> : <Introduction />}
    </aside>
  );
}

function Introduction() {
  return (
    <div className="tg-privacy-intro">
      <p>Run an operation: this panel then shows what the gateway disclosed, minimised or withheld for the agreement and purpose of the request, and why.</p>
      <p>
        Withheld fields are <code>null</code> in the response. Each field's rule is in the docs pane, in the line starting with{' '}
        <em>Privacy:</em>.
      </p>
    </div>
  );
}

function ExchangeReport({ exchange, schema }: { exchange: Exchange; schema: GraphQLSchema | null }) {
  const errors = describeErrors(exchange.errors);
  const report = exchange.privacy;
  const entries = (report?.fields ?? []).map(describeEntry);
  const disclosed = entries.filter((e) => e.group === 'disclosed');
  const refused = errors.length > 0 && !exchange.hasData;
  return (
    <div className="tg-privacy-body">
      <p className="tg-privacy-meta" data-testid="privacy-meta">
        {exchange.operationName ? <strong>{exchange.operationName}</strong> : 'Operation'} · HTTP {exchange.status || '—'} ·{' '}
        {Math.round(exchange.durationMs)} ms · {exchange.at.toLocaleTimeString()}
      </p>
      {errors.length > 0 ? (
        <section className={`tg-errors ${refused ? 'tg-errors-refused' : ''}`} data-testid="privacy-errors">
          <h3>{refused ? 'Refused' : 'Errors'}</h3>
          <ul>
            {errors.map((error, index) => (
              <li key={index}>
                <code className="tg-code">{error.code}</code> {error.sentence}
                {error.message ? <div className="tg-error-message">{error.message}</div> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {report ? (
        <>
          <p className="tg-context" data-testid="privacy-context">
            Agreement <strong>{report.agreement ?? '—'}</strong>, purpose <strong>{report.purpose ? humanise(report.purpose) : '—'}</strong>
          </p>
          <p className="tg-summary" data-testid="privacy-summary">
            {summarise(report).line}
          </p>
          {GROUPS.map(({ group, title }) => {
            const inGroup = entries.filter((e) => e.group === group);
            return inGroup.length > 0 ? (
              <section key={group} className={`tg-group tg-group-${group}`} data-testid={`privacy-${group}`}>
                <h3>{title}</h3>
                <ul>
                  {inGroup.map((entry) => (
                    <Entry key={`${entry.coordinate}|${entry.code ?? ''}`} entry={entry} schema={schema} />
                  ))}
                </ul>
              </section>
            ) : null;
          })}
          {disclosed.length > 0 ? (
            <section className="tg-group tg-group-disclosed" data-testid="privacy-disclosed">
              <h3>Disclosed in full</h3>
              <p className="tg-disclosed-list">
                {disclosed.map((entry, index) => (
                  <span key={entry.coordinate}>
                    {index > 0 ? ', ' : ''}
                    <code>{entry.coordinate}</code> <span className="tg-count">×{entry.count}</span>
                  </span>
                ))}
              </p>
            </section>
          ) : null}
          {report.auditId ? (
            <p className="tg-audit" title="The audit event written before this response was sent">
              Audit record <code>{report.auditId}</code>
            </p>
          ) : null}
        </>
      ) : errors.length === 0 ? (
        <p className="tg-none" data-testid="privacy-none">
          This response read no personal data, so it carries no privacy report.
        </p>
      ) : null}
    </div>
  );
}

function Entry({ entry, schema }: { entry: DescribedEntry; schema: GraphQLSchema | null }) {
  // A field's rule is about reading records; statistics follow the dimension rules instead.
  const line = schema && entry.group !== 'statistics' ? privacyLineOf(descriptionOf(schema, entry.coordinate)) : null;
  return (
    <li className="tg-entry">
      <div className="tg-entry-head">
        <code>{entry.coordinate}</code> <span className="tg-entry-headline">{entry.headline}</span>
      </div>
      <div className="tg-entry-reason">
        {entry.reason}
        {entry.code ? (
          <>
            {' '}
            <span className="tg-code-small">{entry.code}</span>
          </>
        ) : null}
      </div>
      {line ? (
        <div className="tg-entry-rule" title="The field's privacy rule, from the schema">
          {line.replace(/^Privacy:\s*/, 'Rule: ')}
        </div>
      ) : null}
    </li>
  );
}

function descriptionOf(schema: GraphQLSchema, coordinate: string): string | null {
  const [typeName, fieldName] = coordinate.split('.');
  if (!typeName || !fieldName) return null;
  const type = schema.getType(typeName);
  if (!isObjectType(type) && !isInterfaceType(type)) return null;
  return type.getFields()[fieldName]?.description ?? null;
}
