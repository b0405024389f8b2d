/**
 * The audit trail of every operation that read records under a treaty context:
 *
 * 1. before a mutation runs, an ATTEMPTED event is appended (no event, no mutation:
 *    AUDIT_UNAVAILABLE, HTTP 503);
 * 2. for every mutation, every statistics table, every read that returned records (even
 *    with no personal field selected: a record's id and holder disclose that it exists)
 *    and every read that disclosed or minimised anything, one event is appended (caller,
 *    agreement, purpose, operation and document hash, subject ids, coordinates by action,
 *    what each subject received, changes, tables) before the response is sent. If it
 *    cannot be written the caller gets AUDIT_UNAVAILABLE and no data (fail closed: no
 *    audit, no disclosure). Never a personal value.
 *
 * An operation the treaty guard refused before execution (no valid treaty context, or a
 * record read under an aggregate-only grant) gets no event: nothing was read. A response
 * failed closed by a database outage (src/server/plugins/outage.ts) discloses nothing, so
 * a read gets no event; a mutation still gets its event where it can be written.
 *
 * What it concludes for each response is the privacy report's to attach
 * (`auditOutcomeOf`, src/server/plugins/privacyReport.ts).
 */
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { AuditFacts } from '../../audit/chain';
import type { AggregateRelease, DisclosureLedger, PrivacyReportEntry } from '../../context/disclosureLedger';
import { errorBody, gatewayError } from '../../context/errors';
import type { GatewayContext } from '../../context/GatewayContext';
import type { TreatyContext } from '../../context/treatyContext';
import type { AuditWriter } from '../../data/auditStore';
import type { Logger } from '../logger';
import { isOutage } from './outage';
import { readsRecords, recordReadsRefused } from './treatyGuard';

type BaseFacts = Pick<AuditFacts, 'at' | 'sub' | 'agency' | 'party' | 'agreementId' | 'purpose' | 'operationName' | 'documentHash'>;

/** The privacy report of an audited response: what it discloses, with its event's id (null when none was needed). */
export interface AuditedReport {
  readonly agreementId: string;
  readonly purpose: string;
  readonly fields: readonly PrivacyReportEntry[];
  readonly auditId: string | null;
}

/** What the audit trail concluded for a response: its report, or null when it gets none. */
export interface AuditOutcome {
  readonly report: AuditedReport | null;
}

/** The hash of an empty text. */
const EMPTY_DOCUMENT_HASH = createHash('sha256').update('').digest('hex');

const NOT_AUDITED: AuditOutcome = Object.freeze({ report: null });
const outcomes = new WeakMap<GatewayContext, Promise<AuditOutcome>>();

/**
 * Resolves once the audit trail plugin has written (or not) the event of the response of
 * the request with this context. A request the plugin never saw gets no report.
 */
export function auditOutcomeOf(context: GatewayContext): Promise<AuditOutcome> {
  return outcomes.get(context) ?? Promise.resolve(NOT_AUDITED);
}

export function auditTrailPlugin(writer: AuditWriter, logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      const audit = new RequestAudit(writer);
      let settle: (outcome: AuditOutcome) => void = () => undefined;
      outcomes.set(contextValue, new Promise<AuditOutcome>((resolve) => (settle = resolve)));
      return {
        // Fires before execution. A mutation's attempt is recorded first, so a change can
        // never stand without an event, even if its final event cannot be written.
        async didResolveOperation({ document, operation, contextValue: context, request, queryHash }) {
          const { treaty } = context;
          if (operation?.operation !== 'mutation' || !treaty.ok) return;
          // Refused by the treaty guard (aggregate-only grant): the mutation never runs.
          if (recordReadsRefused(operation, document, treaty).length > 0) return;
          try {
            await audit.attempt(context, treaty, request.operationName ?? operation.name?.value ?? null, queryHash);
          } catch (error) {
            logger.error({ err: { name: (error as Error).name } }, 'attempt of a mutation not audited: mutation refused');
            throw gatewayError('AUDIT_UNAVAILABLE', 'The audit trail cannot be written; the change is not made.', 503);
          }
        },
        // Fires once the response is complete, before it is sent.
        async willSendResponse(requestContext) {
          let outcome = NOT_AUDITED;
          try {
            outcome = await auditResponse(audit, requestContext, logger);
          } finally {
            settle(outcome);
          }
        },
      };
    },
  };
}

/** Appends the response's event where one is due; replaces the response with AUDIT_UNAVAILABLE when it cannot be written. */
async function auditResponse(audit: RequestAudit, { response, contextValue, operation, document, request, queryHash }: GraphQLRequestContextWillSendResponse<GatewayContext>, logger: Logger): Promise<AuditOutcome> {
  if (response.body.kind !== 'single') return NOT_AUDITED;
  const { ledger, treaty } = contextValue;
  if (!ledger || !treaty.ok) return NOT_AUDITED;
  // Refused before execution under an aggregate-only grant: nothing read, nothing to report.
  if (operation && document && recordReadsRefused(operation, document, treaty).length > 0) return NOT_AUDITED;
  if (!ledger.decided && !(operation && document && readsRecords(operation, document))) return NOT_AUDITED;
  const outage = isOutage(response);
  const mutation = operation?.operation === 'mutation';
  if (outage && !mutation) return NOT_AUDITED;
  const fields = ledger.report();
  let auditId: string | null = null;
  if (RequestAudit.needed(ledger, fields, mutation)) {
    const failed = (response.body.singleResult.errors?.length ?? 0) > 0;
    const facts = { operationName: request.operationName ?? operation?.name?.value ?? null, documentHash: queryHash, mutation, failed };
    try {
      auditId = await audit.outcome(contextValue, treaty, ledger, fields, facts);
    } catch (error) {
      if (outage) {
        logger.error({ err: { name: (error as Error).name } }, 'audit event of a mutation interrupted by a database outage not written');
        return NOT_AUDITED;
      }
      logger.error({ err: { name: (error as Error).name } }, 'audit event not written: response withheld');
      response.http.status = 503;
      response.body.singleResult = { data: null, ...errorBody('AUDIT_UNAVAILABLE', 'The audit trail cannot be written; no data is disclosed.') };
      return NOT_AUDITED;
    }
  }
  if (outage) return NOT_AUDITED;
  return { report: { agreementId: treaty.agreement._id, purpose: treaty.purpose, fields, auditId } };
}

/** What one request's events share and how they are written. */
export class RequestAudit {
  private attemptId: string | null = null;
  /** Who did what under which context: the part every event of this request shares (computed once). */
  private base: BaseFacts | null = null;

  constructor(private readonly writer: AuditWriter) {}

  /** Appends the ATTEMPTED event of a mutation; rejects when it cannot be written (then the mutation must not run). */
  async attempt(context: GatewayContext, treaty: TreatyContext, operationName: string | null, documentHash: string | undefined): Promise<void> {
    this.attemptId = await this.writer.append({
      ...this.baseFacts(context, treaty, operationName, documentHash),
      subjectIds: [],
      coordinates: { DISCLOSED: [], MINIMISED: [], REDACTED: [] },
      outcome: 'ATTEMPTED',
    });
  }

  /** Whether the response has something to audit: a mutation, a read of records, a table, or a value disclosed or minimised. */
  static needed(ledger: DisclosureLedger, fields: readonly PrivacyReportEntry[], mutation: boolean): boolean {
    return mutation || ledger.readRecords || ledger.aggregates().length > 0 || fields.some((f) => f.action !== 'REDACTED');
  }

  /** Appends the event of the response; resolves to its id, rejects when it cannot be written. */
  async outcome(
    context: GatewayContext,
    treaty: TreatyContext,
    ledger: DisclosureLedger,
    fields: readonly PrivacyReportEntry[],
    facts: { operationName: string | null; documentHash: string | undefined; mutation: boolean; failed: boolean },
  ): Promise<string> {
    const coordinates = coordinatesByAction(fields);
    const partialSubjects = ledger.partialSubjects(new Set([...coordinates.DISCLOSED, ...coordinates.MINIMISED]));
    const changes = ledger.changes();
    return this.writer.append({
      ...this.baseFacts(context, treaty, facts.operationName, facts.documentHash),
      subjectIds: ledger.disclosedSubjects(),
      coordinates,
      ...(partialSubjects.length > 0 ? { partialSubjects } : {}),
      ...(changes.length > 0 ? { changes } : {}),
      ...aggregatesOf(ledger.aggregates()),
      outcome: !facts.mutation ? 'DISCLOSED' : facts.failed ? 'REFUSED' : 'MUTATED',
      ...(facts.mutation && this.attemptId !== null ? { attemptId: this.attemptId } : {}),
    });
  }

  /**
   * `documentHash`: the SHA-256 of the document's text, as Apollo Server computed it
   * (`queryHash`); absent only for a request without a document, which is never audited.
   */
  private baseFacts({ caller, now }: GatewayContext, treaty: TreatyContext, operationName: string | null, documentHash: string | undefined): BaseFacts {
    return (this.base ??= {
      at: now,
      sub: caller.sub,
      agency: caller.agency,
      party: caller.party,
      agreementId: treaty.agreement._id,
      purpose: treaty.purpose,
      operationName,
      documentHash: documentHash ?? EMPTY_DOCUMENT_HASH,
    });
  }
}

function coordinatesByAction(fields: readonly PrivacyReportEntry[]): AuditFacts['coordinates'] {
  const of = (action: PrivacyReportEntry['action']) => [...new Set(fields.filter((f) => f.action === action).map((f) => f.coordinate))];
  const aggregated = of('AGGREGATED');
  return {
    DISCLOSED: of('DISCLOSED'),
    MINIMISED: of('MINIMISED'),
    REDACTED: of('REDACTED'),
    ...(aggregated.length > 0 ? { AGGREGATED: aggregated } : {}),
  };
}

/** The statistics tables of a response, for its audit event (absent when there are none). */
function aggregatesOf(releases: readonly AggregateRelease[]): Pick<AuditFacts, 'aggregates'> {
  if (releases.length === 0) return {};
  return {
    aggregates: releases.map((r) => ({
      groupBy: [...r.groupBy],
      filter: { ...r.filter },
      cells: r.cells,
      suppressedCells: r.primary + r.complementary,
      totalWithheld: r.totalWithheld,
    })),
  };
}
