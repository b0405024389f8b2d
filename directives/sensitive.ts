/**
 * `@sensitive`: special categories of data (biometrics, health, religion, ...).
 * Disclosed in full only where the grant lists the category, the caller's clearance
 * reaches `clearance` and, with `consent: true`, the subject has an active consent for
 * the purpose; otherwise withheld. Contract section 3.
 */
import { MapperKind, getDirective, mapSchema } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
import { CLEARANCES, SPECIAL_CATEGORIES, isOneOf } from '../src/policy/taxonomy';
import { SchemaAnnotationError, withAnnotation } from './annotation';

export const sensitiveDirectiveTypeDefs = /* GraphQL */ `
  """
  A special category of personal data. Disclosed in full only where the grant lists the
  category, the caller's clearance is at least \`clearance\` and, with \`consent: true\`,
  the subject has an active consent for the purpose; otherwise null. Never minimised.
  """
  directive @sensitive(
    "The special category."
    category: SpecialCategory!
    "The least clearance that may see the field."
    clearance: Clearance = SPECIAL
    "Whether the subject's active consent for the purpose is also needed."
    consent: Boolean = false
  ) on FIELD_DEFINITION
`;

/** Reads `@sensitive` into the field's annotation. */
export function sensitiveDirectiveTransformer(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, fieldName, typeName) => {
      const found = getDirective(schema, field, 'sensitive')?.[0];
      if (!found) return field;
      const coordinate = `${typeName}.${fieldName}`;
      const category: unknown = found['category'];
      const clearance: unknown = found['clearance'] ?? 'SPECIAL';
      const consent: unknown = found['consent'] ?? false;
      if (!isOneOf(SPECIAL_CATEGORIES, category)) throw new SchemaAnnotationError(coordinate, `unknown special category ${String(category)}`);
      if (!isOneOf(CLEARANCES, clearance)) throw new SchemaAnnotationError(coordinate, `unknown clearance ${String(clearance)}`);
      if (typeof consent !== 'boolean') throw new SchemaAnnotationError(coordinate, '`consent` must be a boolean');
      return withAnnotation(field, coordinate, { sensitive: Object.freeze({ category, clearance, consent }) });
    },
  });
}
