/**
 * Wraps every annotated field so that its value passes through the privacy decision.
 * Unannotated fields keep their resolvers untouched (no per-field overhead).
 *
 * Fail closed: until decisions are wired to a treaty context, an annotated field
 * resolves to `null` and its underlying resolver is never called, so nothing it
 * would read is read. The wrapper is synchronous: no promise per field.
 */
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
import { annotationOf } from './annotation';

/** Every annotated field resolves to null, without calling its resolver. */
export function enforcePrivacyTransformer(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field) => {
      if (!annotationOf(field)) return field;
      return { ...field, resolve: withheld };
    },
  });
}

function withheld(): null {
  return null;
}
