/**
 * Refuses, before execution, an operation that reads records without a valid treaty
 * context (contract section 1): nothing is read. Only `me`, `agreements`, `agreement`,
 * `auditIntegrity` and introspection run on a token alone.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { gatewayError } from '../errors';
import type { GatewayContext } from '../GatewayContext';

/** Root fields that need a token but no treaty context. */
export const TREATY_FREE_ROOT_FIELDS: ReadonlySet<string> = new Set(['me', 'agreements', 'agreement', 'auditIntegrity', '__typename', '__schema', '__type']);

export function treatyGuardPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        // Fires once the operation is parsed, validated and selected; before execution.
        async didResolveOperation({ operation, document, contextValue }) {
          if (contextValue.treaty.ok) return;
          if (!operation) throw gatewayError('BAD_USER_INPUT', 'No operation to run.', 400);
          const { code, message } = contextValue.treaty;
          // A malformed header is a bad request (400); a context that is well formed but not valid is refused (403).
          if (readsRecords(operation, document)) throw gatewayError(code, message, code === 'BAD_USER_INPUT' ? 400 : 403);
        },
      };
    },
  };
}

/** Whether an operation touches anything beyond the treaty-free root fields. */
export function readsRecords(operation: OperationDefinitionNode, document: DocumentNode): boolean {
  if (operation.operation !== 'query') return true;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  return rootFieldNames(operation.selectionSet, fragments, new Set()).some((name) => !TREATY_FREE_ROOT_FIELDS.has(name));
}

function rootFieldNames(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): string[] {
  const names: string[] = [];
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) names.push(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) names.push(...rootFieldNames(selection.selectionSet, fragments, seen));
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      // An unknown fragment fails validation before this hook; treat it as needing a treaty.
      if (!fragment) names.push(`...${selection.name.value}`);
      else names.push(...rootFieldNames(fragment.selectionSet, fragments, seen));
    }
  }
  return names;
}
