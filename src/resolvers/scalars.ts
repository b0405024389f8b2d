/** The custom scalars: `PartialDate` (validated reduced-precision ISO 8601) and `DateTime`. */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { parsePartialDate } from '../policy/partialDate';

function partialDate(value: unknown): string {
  if (typeof value === 'string' && parsePartialDate(value)) return value;
  throw new GraphQLError('PartialDate must be a date YYYY, YYYY-MM or YYYY-MM-DD.', { extensions: { code: 'BAD_USER_INPUT' } });
}

export const PartialDate = new GraphQLScalarType({
  name: 'PartialDate',
  serialize: partialDate,
  parseValue: partialDate,
  parseLiteral: (ast) => partialDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

function dateTime(value: unknown): string {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  throw new GraphQLError('DateTime must be a valid instant.', { extensions: { code: 'BAD_USER_INPUT' } });
}

export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  serialize: dateTime,
  parseValue: (value) => {
    const date = typeof value === 'string' ? new Date(value) : null;
    if (!date || Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO 8601 instant.', { extensions: { code: 'BAD_USER_INPUT' } });
    return date;
  },
  parseLiteral: (ast) => {
    const date = ast.kind === Kind.STRING ? new Date(ast.value) : null;
    if (!date || Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO 8601 instant.', { extensions: { code: 'BAD_USER_INPUT' } });
    return date;
  },
});
