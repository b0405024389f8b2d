/**
 * `@minimise`: data minimisation. The reduced form a field takes where its category
 * is granted at MINIMISED. Contract section 3. The strategy must fit the field's type:
 * YEAR and YEAR_MONTH on `PartialDate`, INITIAL and LAST_FOUR on `String`.
 */
import { MapperKind, getDirective, mapSchema } from '@graphql-tools/utils';
import { getNamedType, isListType, isNonNullType, type GraphQLSchema } from 'graphql';
import { MINIMISE_STRATEGIES, isOneOf, type MinimiseStrategy } from '../src/policy/taxonomy';
import { SchemaAnnotationError, withAnnotation } from './annotation';

export const minimiseDirectiveTypeDefs = /* GraphQL */ `
  """
  Data minimisation: the reduced form of the field at MINIMISED access. YEAR and
  YEAR_MONTH apply to PartialDate fields, INITIAL and LAST_FOUR to String fields.
  """
  directive @minimise(
    "The reduction."
    strategy: MinimiseStrategy!
  ) on FIELD_DEFINITION
`;

/** The scalar each strategy applies to. */
const STRATEGY_TYPE: Record<MinimiseStrategy, string> = {
  YEAR: 'PartialDate',
  YEAR_MONTH: 'PartialDate',
  INITIAL: 'String',
  LAST_FOUR: 'String',
};

/** Reads `@minimise` into the field's annotation; refuses a strategy that does not fit the type. */
export function minimiseDirectiveTransformer(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, fieldName, typeName) => {
      const found = getDirective(schema, field, 'minimise')?.[0];
      if (!found) return field;
      const coordinate = `${typeName}.${fieldName}`;
      const strategy: unknown = found['strategy'];
      if (!isOneOf(MINIMISE_STRATEGIES, strategy)) {
        throw new SchemaAnnotationError(coordinate, `unknown @minimise strategy ${String(strategy)}`);
      }
      const wanted = STRATEGY_TYPE[strategy];
      const inner = isNonNullType(field.type) ? field.type.ofType : field.type;
      if (isListType(inner) || getNamedType(field.type).name !== wanted) {
        throw new SchemaAnnotationError(
          coordinate,
          `@minimise(strategy: ${strategy}) applies to ${wanted} fields, not ${String(field.type)}`,
        );
      }
      return withAnnotation(field, coordinate, { minimise: strategy });
    },
  });
}
