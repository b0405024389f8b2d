/**
 * Start-up lint of the privacy annotations (contract section 3). Runs after the three
 * directive transformers have read their arguments; throws `SchemaAnnotationError`
 * naming the first field that breaks a rule, so a bad schema never serves a request.
 */
import { MapperKind, getDirective, mapSchema } from '@graphql-tools/utils';
import { isNonNullType, type GraphQLSchema } from 'graphql';
import { SchemaAnnotationError, annotationOf } from './annotation';

const PRIVACY_DIRECTIVES = ['purpose', 'minimise', 'sensitive'] as const;

/** Returns `schema` unchanged when every annotated field follows the rules; throws otherwise. */
export function lintPrivacyAnnotations(schema: GraphQLSchema): GraphQLSchema {
  mapSchema(schema, {
    [MapperKind.INTERFACE_FIELD]: (field, fieldName, typeName) => {
      for (const name of PRIVACY_DIRECTIVES) {
        if (getDirective(schema, field, name)?.length) {
          throw new SchemaAnnotationError(
            `${typeName}.${fieldName}`,
            `@${name} is not allowed on interface fields; annotate the fields of the object types that implement it`,
          );
        }
      }
      return field;
    },
    [MapperKind.OBJECT_FIELD]: (field) => {
      const annotation = annotationOf(field);
      if (!annotation) return field;
      const { coordinate } = annotation;
      if (annotation.category && annotation.sensitive) {
        throw new SchemaAnnotationError(coordinate, 'a field has at most one of @purpose(category:) and @sensitive');
      }
      if (annotation.minimise && !annotation.category) {
        throw new SchemaAnnotationError(coordinate, '@minimise needs @purpose(category:) on the same field (special categories are never minimised)');
      }
      if (isNonNullType(field.type)) {
        throw new SchemaAnnotationError(coordinate, `an annotated field must be nullable so it can be withheld, not ${String(field.type)}`);
      }
      return field;
    },
  });
  return schema;
}
