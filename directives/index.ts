/**
 * The privacy directives: their SDL and the order in which their transformers run.
 *
 * 1. `@purpose`, `@minimise`, `@sensitive` each read their arguments into the field's
 *    annotation (and refuse misplaced or malformed uses);
 * 2. the lint checks the combined annotation of every field (nullability, exclusive
 *    directives, strategy without category, interface fields);
 * 3. each annotated field's description gains its privacy line;
 * 4. enforcement wraps annotated fields. It runs last, on a schema already known to be
 *    well annotated.
 */
import type { GraphQLSchema } from 'graphql';
import { describePrivacyTransformer } from './describe';
import { enforcePrivacyTransformer } from './enforce';
import { lintPrivacyAnnotations } from './lint';
import { minimiseDirectiveTransformer, minimiseDirectiveTypeDefs } from './minimise';
import { purposeDirectiveTransformer, purposeDirectiveTypeDefs } from './purpose';
import { sensitiveDirectiveTransformer, sensitiveDirectiveTypeDefs } from './sensitive';

export { SchemaAnnotationError, annotationOf } from './annotation';
export { collectFieldPolicies, fieldPolicyOf } from './enforce';
export type { PrivacyAwareContext, PrivacyRuntime } from './enforce';
export type { FieldAnnotation } from './annotation';

/** SDL of the three directives, to be built into the schema with the domain SDL. */
export const privacyDirectiveTypeDefs = [purposeDirectiveTypeDefs, minimiseDirectiveTypeDefs, sensitiveDirectiveTypeDefs];

/** Reads, checks and describes the annotations: the schema integrators see. */
export function annotatePrivacyDirectives(schema: GraphQLSchema): GraphQLSchema {
  const annotated = sensitiveDirectiveTransformer(minimiseDirectiveTransformer(purposeDirectiveTransformer(schema)));
  return describePrivacyTransformer(lintPrivacyAnnotations(annotated));
}

/** Reads, checks and describes the annotations, then wraps annotated fields. */
export function applyPrivacyDirectives(schema: GraphQLSchema): GraphQLSchema {
  return enforcePrivacyTransformer(annotatePrivacyDirectives(schema));
}
