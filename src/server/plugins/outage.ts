/**
 * Fail closed on a database outage: a response any of whose fields failed because the
 * database could not be reached discloses nothing. Errors are already formatted here
 * (formatError maps every database-unreachable error to SERVICE_UNAVAILABLE).
 */
import type { GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { errorBody } from '../../context/errors';
import type { GatewayContext } from '../../context/GatewayContext';

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
