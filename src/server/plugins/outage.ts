/**
 * Fail closed on a database outage: a response any of whose fields failed because the
 * database could not be reached discloses nothing. If any error of the response is
 * SERVICE_UNAVAILABLE, the response becomes `{ data: null, errors: [SERVICE_UNAVAILABLE] }`
 * with HTTP 503, whatever else had resolved. Errors are already formatted here
 * (formatError maps every database-unreachable error to SERVICE_UNAVAILABLE).
 *
 * The audit trail plugin reads the same fact with `isOutage` (whichever of the two runs
 * first): nothing is disclosed, so no read is audited, and a mutation still gets its
 * event where it can be written (it may have changed something).
 */
import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { errorBody } from '../../context/errors';
import type { GatewayContext } from '../../context/GatewayContext';

type Response = GraphQLRequestContextWillSendResponse<GatewayContext>['response'];

/** The SERVICE_UNAVAILABLE error of a response, if it has one. */
function outageError(response: Response) {
  if (response.body.kind !== 'single') return undefined;
  return (response.body.singleResult.errors ?? []).find((e) => e.extensions?.['code'] === 'SERVICE_UNAVAILABLE');
}

/** Whether the response failed, in part or whole, because the database could not be reached. */
export function isOutage(response: Response): boolean {
  return outageError(response) !== undefined;
}

export function outagePlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          const outage = outageError(response);
          if (!outage || response.body.kind !== 'single') return;
          response.http.status = 503;
          response.body.singleResult = { data: null, ...errorBody('SERVICE_UNAVAILABLE', outage.message) };
        },
      };
    },
  };
}
