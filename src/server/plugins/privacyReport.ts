/**
 * Attaches `extensions.privacy` (contract section 5) to every response of an operation
 * that read records under a treaty context: which fields were disclosed, minimised or
 * withheld, and why, counted by coordinate (one entry per coordinate and outcome,
 * however long the lists). Modelled on Apollo's cache-control plugin: per-field facts
 * folded into one answer at the end of the request.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../GatewayContext';
import { selectedFieldNames } from '../selection';
import { readsRecords } from './treatyGuard';

export function privacyReportPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        // Fires before execution: fields are read only for what the operation selects.
        async didResolveOperation({ document, contextValue }) {
          contextValue.projection.useSelection(selectedFieldNames(document));
        },
        // Fires once the response is complete, before it is sent.
        async willSendResponse({ response, contextValue, operation, document }) {
          const { privacy, treaty } = contextValue;
          if (!privacy || !treaty.ok || response.body.kind !== 'single') return;
          if (!privacy.decided && !(operation && document && readsRecords(operation, document))) return;
          const result = response.body.singleResult;
          result.extensions = {
            ...result.extensions,
            privacy: { agreement: treaty.agreement._id, purpose: treaty.purpose, fields: privacy.report() },
          };
        },
      };
    },
  };
}
