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
import type { ApolloServerPlugin } from '@apollo/server';
import type { AuditWriter } from '../../data/auditStore';
import type { GatewayContext } from '../../context/GatewayContext';
import type { Logger } from '../logger';
import { errorBody, gatewayError } from '../../context/errors';
import { analyseSelection } from '../../context/selection';
import { RequestAudit } from './auditTrail';
import { failClosedOnOutage } from './outage';
import { readsRecords, recordReadsRefused } from './treatyGuard';


export function privacyReportPlugin(writer: AuditWriter, logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const audit = new RequestAudit(writer);
      return {
        // Fires before execution: fields are read only for what the operation selects.
        // A mutation's attempt is recorded first, so a change can never stand without an
        // event, even if its final event cannot be written. No attempt event, no mutation
        // (AUDIT_UNAVAILABLE, HTTP 503).
        async didResolveOperation({ document, operation, contextValue, request, source }) {
          contextValue.projection.useSelection(analyseSelection(document).fieldNames);
          const { treaty } = contextValue;
          if (operation?.operation !== 'mutation' || !treaty.ok) return;
          // Refused by the treaty guard (aggregate-only grant): the mutation never runs.
          if (recordReadsRefused(operation, document, treaty).length > 0) return;
          try {
            await audit.attempt(contextValue, treaty, request.operationName ?? operation.name?.value ?? null, source);
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
          const mutation = operation?.operation === 'mutation';
          if (outage && !mutation) return;
          let auditId: string | null = null;
          if (RequestAudit.needed(ledger, fields, mutation)) {
            const facts = { operationName: request.operationName ?? operation?.name?.value ?? null, source, mutation, failed: (result.errors?.length ?? 0) > 0 };
            try {
              auditId = await audit.outcome(contextValue, treaty, ledger, fields, facts);
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
          result.extensions = { ...result.extensions, privacy: { agreement: treaty.agreement._id, purpose: treaty.purpose, fields, auditId } };
        },
      };
    },
  };
}
