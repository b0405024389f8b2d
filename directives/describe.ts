/**
 * Adds a privacy line to the description of every annotated field, so introspection,
 * the explorer's docs and generated clients show how the field is governed.
 */
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { Kind, type GraphQLSchema } from 'graphql';
import type { MinimiseStrategy } from '../src/policy/taxonomy';
import { annotationOf, type FieldAnnotation } from './annotation';

const STRATEGY_TEXT: Record<MinimiseStrategy, string> = {
  YEAR: 'the year only',
  YEAR_MONTH: 'year and month only',
  INITIAL: 'the initial only',
  LAST_FOUR: 'the last four characters only',
};

/** The privacy line of one annotation. */
export function privacyLine(a: FieldAnnotation): string {
  const parts: string[] = [];
  if (a.allow) parts.push(`Only for purposes ${a.allow.join(', ')}.`);
  if (a.sensitive) {
    const consent = a.sensitive.consent ? ', with the subject\'s active consent for the purpose' : '';
    parts.push(
      `Special category ${a.sensitive.category}: disclosed only where the grant lists it, to clearance ${a.sensitive.clearance} or higher${consent}; otherwise null.`,
    );
  }
  if (a.category) {
    const minimised = a.minimise ? `MINIMISED: ${STRATEGY_TEXT[a.minimise]}` : 'MINIMISED: null';
    parts.push(`Category ${a.category}: FULL: disclosed; ${minimised}; AGGREGATE or NONE: null. An approved data request naming the subject raises it to FULL.`);
  }
  return `Privacy: ${parts.join(' ')}`;
}

export function describePrivacyTransformer(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field) => {
      const annotation = annotationOf(field);
      if (!annotation) return field;
      const line = privacyLine(annotation);
      const description = field.description ? `${field.description}\n\n${line}` : line;
      // The AST node too: printed SDL (`/schema.graphql`) takes descriptions from it.
      const astNode = field.astNode ? { ...field.astNode, description: { kind: Kind.STRING as const, value: description, block: true } } : field.astNode;
      return { ...field, description, astNode };
    },
  });
}
