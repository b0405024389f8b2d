/**
 * The privacy annotation of one field, as declared by its directives and read once
 * when the schema is built. Each directive's transformer adds its part to the field's
 * `extensions.privacy`; the enforcement transformer then wraps every annotated field.
 */
import type { GraphQLFieldConfig } from 'graphql';
import type { Clearance, DataCategory, MinimiseStrategy, Purpose, SpecialCategory } from '../src/policy/taxonomy';

export interface FieldAnnotation {
  /** Schema coordinate, e.g. `Migrant.religion`. */
  readonly coordinate: string;
  /** `@purpose(category:)`: the data category whose grant level governs the field. */
  readonly category?: DataCategory;
  /** `@purpose(allow:)`: the only purposes for which the field may be disclosed. */
  readonly allow?: readonly Purpose[];
  /** `@minimise(strategy:)`: the reduced form used at MINIMISED access. */
  readonly minimise?: MinimiseStrategy;
  /** `@sensitive`: the special category and its extra conditions. */
  readonly sensitive?: {
    readonly category: SpecialCategory;
    readonly clearance: Clearance;
    readonly consent: boolean;
  };
}

type PrivacyExtensions = { privacy?: FieldAnnotation };

/** The annotation attached to a field config so far, if any. */
export function annotationOf(field: GraphQLFieldConfig<unknown, unknown>): FieldAnnotation | undefined {
  return (field.extensions as PrivacyExtensions | null | undefined)?.privacy;
}

/** A copy of `field` whose annotation has `part` merged in. */
export function withAnnotation(
  field: GraphQLFieldConfig<unknown, unknown>,
  coordinate: string,
  part: Partial<FieldAnnotation>,
): GraphQLFieldConfig<unknown, unknown> {
  const privacy: FieldAnnotation = { ...(annotationOf(field) ?? { coordinate }), ...part, coordinate };
  return { ...field, extensions: { ...field.extensions, privacy } };
}

/** Thrown while the schema is built when a directive is misplaced; names the field. */
export class SchemaAnnotationError extends Error {
  constructor(coordinate: string, problem: string) {
    super(`Schema annotation error on ${coordinate}: ${problem}`);
    this.name = 'SchemaAnnotationError';
  }
}
