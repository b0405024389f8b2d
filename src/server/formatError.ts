/**
 * The error formatter: every error that reaches a caller carries one of the public codes
 * and a message written for callers. Unknown errors become INTERNAL_SERVER_ERROR and
 * database outages SERVICE_UNAVAILABLE; their details go to the log, never the response.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { isDatabaseUnavailable } from '../data/database';
import { defaultMessage, isErrorCode } from '../context/errors';
import type { Logger } from './logger';

/** Codes Apollo Server and graphql-js raise for bad documents and variables. */
const CALLER_MISTAKES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

export function createFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.['code'];
    const base = { message: formatted.message, ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
    if (typeof code === 'string' && CALLER_MISTAKES.has(code)) {
      return { ...base, extensions: { code: 'BAD_USER_INPUT' } };
    }
    // Automatic persisted queries: an unknown hash. The message stays the protocol's own,
    // which standard clients look for before they resend the hash with the document.
    if (code === 'PERSISTED_QUERY_NOT_FOUND') {
      return { message: 'PersistedQueryNotFound', extensions: { code: 'BAD_USER_INPUT' } };
    }
    // Apollo Server's own refusals of a malformed request (a hash that does not match the
    // document, an unsupported persisted-query version, ...): HTTP 400, a message of its
    // own about the request, no underlying error.
    if (isRequestRefusal(error)) {
      return { message: formatted.message, extensions: { code: 'BAD_USER_INPUT' } };
    }
    if (isErrorCode(code) && code !== 'INTERNAL_SERVER_ERROR') {
      return { ...base, extensions: { code } };
    }
    const original = unwrapResolverError(error);
    if (isDatabaseUnavailable(original)) {
      logger.warn({ err: describe(original), path: formatted.path }, 'database unavailable');
      return { message: defaultMessage('SERVICE_UNAVAILABLE'), ...pathOf(formatted), extensions: { code: 'SERVICE_UNAVAILABLE' } };
    }
    logger.error({ err: describe(original), path: formatted.path }, 'internal error');
    return { message: defaultMessage('INTERNAL_SERVER_ERROR'), ...pathOf(formatted), extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

function isRequestRefusal(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.originalError) return false;
  const http = error.extensions?.['http'] as { status?: unknown } | undefined;
  return http?.status === 400;
}

function pathOf(formatted: GraphQLFormattedError): { path?: readonly (string | number)[] } {
  return formatted.path ? { path: formatted.path } : {};
}

/**
 * Name, message and stack for the log. A database error's message can quote a stored
 * value (a duplicate key, say), so for those only the name and code are logged.
 */
function describe(error: unknown): { name: string; message: string; stack?: string } {
  if (error instanceof Error && error.name.startsWith('Mongo')) {
    return { name: error.name, message: `code ${String((error as { code?: unknown }).code ?? 'none')}` };
  }
  if (error instanceof Error) return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { name: typeof error, message: String(error) };
}
