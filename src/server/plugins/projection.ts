/**
 * Narrows each request's projection to what its operation selects, once the operation is
 * resolved and before it executes: a stored field the operation does not select is not
 * read (the decisions have already removed what is withheld for every record). The
 * selection was walked once, by the document analysis (src/context/selection.ts).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../../context/GatewayContext';
import { analyseSelection } from '../../context/selection';

export function projectionPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, contextValue }) {
          contextValue.projection.useSelection(analyseSelection(document).fieldNames);
        },
      };
    },
  };
}
