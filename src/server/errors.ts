/**
 * The public error codes (contract section 5) and the one way to raise them. The text a
 * caller sees comes from the code (plus a message written for callers); details go to
 * logs only. Unknown errors are masked as INTERNAL_SERVER_ERROR.
 */
import { GraphQLError } from 'graphql';

export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'AGREEMENT_NOT_FOUND',
  'AGREEMENT_NOT_IN_FORCE',
  'NOT_A_PARTY',
  'PURPOSE_NOT_GRANTED',
  'PURPOSE_MISSING',
  'DATA_REQUEST_INVALID',
  'FILTER_NOT_PERMITTED',
  'BAD_USER_INPUT',
  'QUERY_TOO_COMPLEX',
  'AUDIT_UNAVAILABLE',
  'OPERATION_NOT_TRUSTED',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** HTTP status for errors that refuse the whole request before execution. */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
};

const DEFAULT_MESSAGE: Record<ErrorCode, string> = {
  UNAUTHENTICATED: 'A valid bearer token is required.',
  FORBIDDEN: 'The caller may not perform this operation.',
  AGREEMENT_NOT_FOUND: 'No such agreement.',
  AGREEMENT_NOT_IN_FORCE: 'The agreement is not in force today.',
  NOT_A_PARTY: "The caller's party is not a party to this agreement.",
  PURPOSE_NOT_GRANTED: 'The agreement grants nothing for this purpose.',
  PURPOSE_MISSING: 'The X-Purpose header is required for this operation.',
  DATA_REQUEST_INVALID: 'The data request named in X-Data-Request-Id cannot be used.',
  FILTER_NOT_PERMITTED: 'This filter would reveal data that this context may not see.',
  BAD_USER_INPUT: 'The input is not valid.',
  QUERY_TOO_COMPLEX: 'The operation exceeds the operation limits.',
  AUDIT_UNAVAILABLE: 'The audit trail cannot be written; no data is disclosed.',
  OPERATION_NOT_TRUSTED: 'Only trusted documents may run on this gateway.',
  RATE_LIMITED: 'Too many requests.',
  SERVICE_UNAVAILABLE: 'The service is temporarily unavailable.',
  INTERNAL_SERVER_ERROR: 'Internal server error.',
};

/**
 * A GraphQL error with a public code. `message` must be written for callers: it never
 * contains a data value, a stack trace, a path or a database message.
 */
export function gatewayError(code: ErrorCode, message: string = DEFAULT_MESSAGE[code], httpStatus?: number): GraphQLError {
  const status = httpStatus ?? HTTP_STATUS[code];
  return new GraphQLError(message, {
    extensions: status === undefined ? { code } : { code, http: { status } },
  });
}

/** Whether `value` is one of the public codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Raised by the data layer's callers when the database cannot be reached. */
export function serviceUnavailable(): GraphQLError {
  return gatewayError('SERVICE_UNAVAILABLE');
}
