/**
 * Refuses, before execution, an operation that reads records without a valid treaty
 * context (contract section 1): nothing is read. Only `me`, `agreements`, `agreement`,
 * `auditIntegrity` and introspection run on a token alone.
 *
 * Under an aggregate-only grant (contract section 5, src/policy/recordAccess.ts) it also
 * refuses, with RECORD_ACCESS_NOT_GRANTED (HTTP 403), every operation that asks for
 * anything beyond those fields, `statistics` and `entitlements`: nothing is read, nothing
 * is written (no audit event, no privacy report), as for a refused treaty context.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import { analyseSelection } from '../../context/selection';
import type { TreatyState } from '../../context/treatyContext';
import { isAggregateOnly, recordAccessRefusalMessage } from '../../policy/recordAccess';
import { answeredUnderAggregateOnly, needsTreatyContext } from '../../policy/rootFields';
import { gatewayError } from '../../context/errors';
import type { GatewayContext } from '../../context/GatewayContext';


export function treatyGuardPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        // Fires once the operation is parsed, validated and selected; before execution.
        async didResolveOperation({ operation, document, contextValue }) {
          const { treaty } = contextValue;
          if (treaty.ok) {
            const refused = operation ? recordReadsRefused(operation, document, treaty) : [];
            if (refused.length > 0) throw gatewayError('RECORD_ACCESS_NOT_GRANTED', recordAccessRefusalMessage(treaty.agreement._id, treaty.grant, refused), 403);
            return;
          }
          if (!operation) throw gatewayError('BAD_USER_INPUT', 'No operation to run.', 400);
          const { code, message } = treaty;
          // A malformed header is a bad request (400); a context that is well formed but not valid is refused (403).
          if (readsRecords(operation, document)) throw gatewayError(code, message, code === 'BAD_USER_INPUT' ? 400 : 403);
        },
      };
    },
  };
}

/**
 * The root fields of `operation` that `treaty`'s grant refuses because it is
 * aggregate-only (empty when there are none, or the grant is not aggregate-only). Every
 * root field of a mutation is refused; of a query, every one but the treaty-free fields,
 * `statistics` and `entitlements` (an unknown fragment counts as refused).
 */
export function recordReadsRefused(operation: OperationDefinitionNode, document: DocumentNode, treaty: TreatyState): string[] {
  if (!treaty.ok || !isAggregateOnly(treaty.grant)) return [];
  return [...new Set(analyseSelection(document).rootFieldNames(operation).filter((name) => !answeredUnderAggregateOnly(operation.operation, name)))];
}

/** Whether an operation touches anything beyond the treaty-free root fields. */
export function readsRecords(operation: OperationDefinitionNode, document: DocumentNode): boolean {
  return needsTreatyContext(operation.operation, operation.operation === 'query' ? analyseSelection(document).rootFieldNames(operation) : []);
}
