/**
 * `@purpose`: purpose limitation. `category` names the data category whose grant
 * level governs the field; `allow` lists the only purposes for which the field may be
 * disclosed at all. Contract section 3.
 */
import { MapperKind, getDirective, mapSchema } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
import { DATA_CATEGORIES, PURPOSES, isOneOf, type DataCategory, type Purpose } from '../src/policy/taxonomy';
import { SchemaAnnotationError, withAnnotation } from './annotation';

export const purposeDirectiveTypeDefs = /* GraphQL */ `
  """
  Purpose limitation. \`category\`: the data category whose grant level decides the field
  (FULL: disclosed; MINIMISED: its @minimise form or null; AGGREGATE or NONE: null).
  \`allow\`: the only purposes for which the field may be disclosed at all.
  At least one argument is required.
  """
  directive @purpose(
    "The data category that governs the field."
    category: DataCategory
    "The only purposes for which the field may be disclosed."
    allow: [Purpose!]
  ) on FIELD_DEFINITION
`;

/** Reads `@purpose` on every field into its annotation; refuses a directive with no argument. */
export function purposeDirectiveTransformer(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, fieldName, typeName) => {
      const found = getDirective(schema, field, 'purpose')?.[0];
      if (!found) return field;
      const coordinate = `${typeName}.${fieldName}`;
      const category: unknown = found['category'];
      const allow: unknown = found['allow'];
      if (category == null && allow == null) {
        throw new SchemaAnnotationError(coordinate, '@purpose needs at least one of `category` and `allow`');
      }
      const part: { category?: DataCategory; allow?: readonly Purpose[] } = {};
      if (category != null) {
        if (!isOneOf(DATA_CATEGORIES, category)) throw new SchemaAnnotationError(coordinate, `unknown category ${String(category)}`);
        part.category = category;
      }
      if (allow != null) {
        if (!Array.isArray(allow) || allow.length === 0 || !allow.every((p) => isOneOf(PURPOSES, p))) {
          throw new SchemaAnnotationError(coordinate, '@purpose(allow:) must list at least one purpose');
        }
        part.allow = Object.freeze([...(allow as Purpose[])]);
      }
      return withAnnotation(field, coordinate, part);
    },
  });
}
