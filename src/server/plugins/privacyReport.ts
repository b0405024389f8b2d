/**
 * `extensions.privacy` (contract section 5): which fields were disclosed, minimised or
 * withheld, and why, counted by coordinate (one entry per coordinate and outcome, however
 * long the lists), with the id of the response's audit event.
 *
 * It is attached only to what the audit trail plugin audited (src/server/plugins/auditTrail.ts):
 * a response refused before execution, one failed closed by a database outage, or one
 * whose audit event could not be written gets none. The report waits for the audit's
 * outcome, so it never names an event that was not written.
 *
 * Modelled on Apollo's cache-control plugin: per-field facts folded into one answer.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../../context/GatewayContext';
import { auditOutcomeOf } from './auditTrail';

export function privacyReportPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const outcome = await auditOutcomeOf(contextValue);
          if (!outcome.report) return;
          const { agreementId, purpose, fields, auditId } = outcome.report;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, privacy: { agreement: agreementId, purpose, fields, auditId } };
        },
      };
    },
  };
}
