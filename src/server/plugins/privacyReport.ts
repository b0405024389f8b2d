/**
 * The end of every operation that read records under a treaty context:
 *
 * 0. before a mutation runs, an ATTEMPTED event is appended (no event, no mutation);
 * 1. for every mutation, every statistics table, every read that returned records (even
 *    with no personal field selected: a record's id and holder disclose that it exists)
 *    and every read that disclosed or minimised anything, one audit event is appended
 *    (caller, agreement, purpose, operation and document hash, subject ids, coordinates
 *    by action) before the response is sent. If it cannot be written the caller gets
 *    AUDIT_UNAVAILABLE and no data (fail closed: no audit, no disclosure);
 * 2. `extensions.privacy` (contract section 5) is attached: which fields were disclosed,
 *    minimised or withheld, and why, counted by coordinate (one entry per coordinate and
 *    outcome, however long the lists), with the audit event's id.
 *
 * An operation the treaty guard refused before execution (no valid treaty context, or a
 * record read under an aggregate-only grant) gets neither: nothing was read.
 *
 * Before both, a database outage fails the whole response closed: if any error of the
 * response is SERVICE_UNAVAILABLE (the database could not be reached for some field),
 * the response becomes `{ data: null, errors: [SERVICE_UNAVAILABLE] }` with HTTP 503,
 * whatever else had resolved. Nothing is disclosed, so no read is audited; a mutation
 * still gets its audit event where it can be written (it may have changed something).
 *
 * Modelled on Apollo's cache-control plugin: per-field facts folded into one answer.
 */
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { AuditFacts } from '../../audit/chain';
import type { AggregateRelease, PrivacyReportEntry } from '../../context/disclosureLedger';
import type { AuditWriter } from '../../data/auditStore';
import type { GatewayContext } from '../../context/GatewayContext';
import type { Logger } from '../logger';
import { errorBody, gatewayError } from '../../context/errors';
import { selectedFieldNames } from '../../context/selection';
import { readsRecords, recordReadsRefused } from './treatyGuard';

export function privacyReportPlugin(audit: AuditWriter, logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      let attemptId: string | null = null;
      /** Who did what under which context: the part every event of this request shares (computed once). */
      let base: Pick<AuditFacts, 'at' | 'sub' | 'agency' | 'party' | 'agreementId' | 'purpose' | 'operationName' | 'documentHash'> | null = null;
      const baseFacts = (
        { caller, now }: GatewayContext,
        treaty: { agreement: { _id: string }; purpose: string },
        operationName: string | null,
        source: string | undefined,
      ) =>
        (base ??= {
          at: now,
          sub: caller.sub,
          agency: caller.agency,
          party: caller.party,
          agreementId: treaty.agreement._id,
          purpose: treaty.purpose,
          operationName,
          documentHash: createHash('sha256').update(source ?? '').digest('hex'),
        });
      return {
        // Fires before execution: fields are read only for what the operation selects.
        // A mutation's attempt is recorded first, so a change can never stand without an
        // event, even if its final event cannot be written. No attempt event, no mutation
        // (AUDIT_UNAVAILABLE, HTTP 503).
        async didResolveOperation({ document, operation, contextValue, request, source }) {
          contextValue.projection.useSelection(selectedFieldNames(document));
          const { treaty } = contextValue;
          if (operation?.operation !== 'mutation' || !treaty.ok) return;
          // Refused by the treaty guard (aggregate-only grant): the mutation never runs.
          if (recordReadsRefused(operation, document, treaty).length > 0) return;
          try {
            attemptId = await audit.append({
              ...baseFacts(contextValue, treaty, request.operationName ?? operation.name?.value ?? null, source),
              subjectIds: [],
              coordinates: { DISCLOSED: [], MINIMISED: [], REDACTED: [] },
              outcome: 'ATTEMPTED',
            });
          } catch (error) {
            logger.error({ err: { name: (error as Error).name } }, 'attempt of a mutation not audited: mutation refused');
            throw gatewayError('AUDIT_UNAVAILABLE', 'The audit trail cannot be written; the change is not made.', 503);
          }
        },
        // Fires once the response is complete, before it is sent.
        async willSendResponse({ response, contextValue, operation, document, request, source }) {
          if (response.body.kind !== 'single') return;
          const outage = failClosedOnOutage(response);
          const { ledger, treaty } = contextValue;
          if (!ledger || !treaty.ok) return;
          // Refused before execution under an aggregate-only grant: nothing read, nothing to report.
          if (operation && document && recordReadsRefused(operation, document, treaty).length > 0) return;
          if (!ledger.decided && !(operation && document && readsRecords(operation, document))) return;
          const result = response.body.singleResult;
          const fields = ledger.report();
          let auditId: string | null = null;
          const mutation = operation?.operation === 'mutation';
          if (outage && !mutation) return;
          if (mutation || ledger.readRecords || ledger.aggregates().length > 0 || fields.some((f) => f.action !== 'REDACTED')) {
            const coordinates = coordinatesByAction(fields);
            const partialSubjects = ledger.partialSubjects(new Set([...coordinates.DISCLOSED, ...coordinates.MINIMISED]));
            const changes = ledger.changes();
            const facts: AuditFacts = {
              ...baseFacts(contextValue, treaty, request.operationName ?? operation?.name?.value ?? null, source),
              subjectIds: ledger.disclosedSubjects(),
              coordinates,
              ...(partialSubjects.length > 0 ? { partialSubjects } : {}),
              ...(changes.length > 0 ? { changes } : {}),
              ...aggregatesOf(ledger.aggregates()),
              outcome: !mutation ? 'DISCLOSED' : result.errors?.length ? 'REFUSED' : 'MUTATED',
              ...(mutation && attemptId !== null ? { attemptId } : {}),
            };
            try {
              auditId = await audit.append(facts);
            } catch (error) {
              if (outage) {
                logger.error({ err: { name: (error as Error).name } }, 'audit event of a mutation interrupted by a database outage not written');
                return;
              }
              logger.error({ err: { name: (error as Error).name } }, 'audit event not written: response withheld');
              response.http.status = 503;
              response.body.singleResult = { data: null, ...errorBody('AUDIT_UNAVAILABLE', 'The audit trail cannot be written; no data is disclosed.') };
              return;
            }
          }
          if (outage) return;
          result.extensions = {
            ...result.extensions,
            privacy: { agreement: treaty.agreement._id, purpose: treaty.purpose, fields, auditId },
          };
        },
      };
    },
  };
}

type Response = GraphQLRequestContextWillSendResponse<GatewayContext>['response'];

/**
 * Turns a response with a SERVICE_UNAVAILABLE error into `{ data: null, errors:
 * [SERVICE_UNAVAILABLE] }`, HTTP 503; true if it did. Errors are already formatted here
 * (formatError maps every database-unreachable error to SERVICE_UNAVAILABLE).
 */
export function failClosedOnOutage(response: Response): boolean {
  if (response.body.kind !== 'single') return false;
  const errors = response.body.singleResult.errors ?? [];
  const outage = errors.find((e) => e.extensions?.['code'] === 'SERVICE_UNAVAILABLE');
  if (!outage) return false;
  response.http.status = 503;
  response.body.singleResult = { data: null, ...errorBody('SERVICE_UNAVAILABLE', outage.message) };
  return true;
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
