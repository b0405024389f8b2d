/**
 * Wraps every annotated field so that its value passes through the privacy decision of
 * the request (contract section 3). Unannotated fields keep their resolvers untouched.
 *
 * The wrapper is synchronous (no promise per field; only a field whose decision waits for
 * a per-record fact, such as consent, resolves through one) and fails closed:
 * - without a privacy runtime in the context, the field is withheld;
 * - REDACT returns null without calling the underlying resolver, so a withheld value is
 *   never read, even from the loaded document;
 * - MINIMISE reduces the value the resolver returns (`src/policy/minimise`).
 * Object values of a disclosed field are registered with the runtime as belonging to the
 * record, so the fields inside them are decided for the same record.
 */
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, getNamedType, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { Decision, FieldPolicy } from '../src/policy/decide';
import { minimise } from '../src/policy/minimise';
import { annotationOf } from './annotation';

/** What the wrapper needs from the request context; built per request by the gateway. */
export interface PrivacyRuntime {
  /**
   * The decision for `policy` on `source` (the parent object), recorded in the report.
   * Synchronous, except for decisions that wait for a per-record fact (consent).
   */
  decide(policy: FieldPolicy, source: unknown): Decision | Promise<Decision>;
  /** Marks `value` (an object or list of objects) as part of the same record as `source`. */
  adopt(source: unknown, value: unknown): void;
}

export interface PrivacyAwareContext {
  readonly privacy?: PrivacyRuntime | null;
}

type PolicyExtensions = { privacyPolicy?: FieldPolicy };

/** The field policy attached by the enforcement transformer, if any. */
export function fieldPolicyOf(field: { extensions?: unknown }): FieldPolicy | undefined {
  return (field.extensions as PolicyExtensions | null | undefined)?.privacyPolicy;
}

/** Every annotated field of the schema, by coordinate. */
export function collectFieldPolicies(schema: GraphQLSchema): ReadonlyMap<string, FieldPolicy> {
  const policies = new Map<string, FieldPolicy>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const policy = fieldPolicyOf(field);
      if (policy) policies.set(policy.coordinate, policy);
    }
  }
  return policies;
}

export function enforcePrivacyTransformer(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field) => {
      const annotation = annotationOf(field);
      if (!annotation) return field;
      const policy: FieldPolicy = Object.freeze({ ...annotation, objectTyped: isObjectType(getNamedType(field.type)) });
      return {
        ...field,
        resolve: guarded(policy, field.resolve ?? defaultFieldResolver),
        extensions: { ...field.extensions, privacyPolicy: policy },
      };
    },
  });
}

function guarded(policy: FieldPolicy, resolve: GraphQLFieldResolver<unknown, PrivacyAwareContext>): GraphQLFieldResolver<unknown, PrivacyAwareContext> {
  return (source, args, context, info) => {
    const runtime = context?.privacy;
    if (!runtime) return null;
    const decision = runtime.decide(policy, source);
    if (decision instanceof Promise) return decision.then((d) => apply(d, runtime, policy, resolve, source, args, context, info));
    return apply(decision, runtime, policy, resolve, source, args, context, info);
  };
}

/** Applies one decision: withhold without reading, disclose, or minimise. */
function apply(
  decision: Decision,
  runtime: PrivacyRuntime,
  policy: FieldPolicy,
  resolve: GraphQLFieldResolver<unknown, PrivacyAwareContext>,
  ...[source, args, context, info]: Parameters<GraphQLFieldResolver<unknown, PrivacyAwareContext>>
): unknown {
  switch (decision.action) {
    case 'REDACT':
      return null;
    case 'DISCLOSE': {
      const value = resolve(source, args, context, info);
      if (policy.objectTyped) runtime.adopt(source, value);
      return value;
    }
    case 'MINIMISE':
      return minimiseResolved(decision.strategy, resolve(source, args, context, info));
    default: {
      const unreachable: never = decision;
      throw new TypeError(`unknown decision ${JSON.stringify(unreachable)}`);
    }
  }
}

function minimiseResolved(strategy: Parameters<typeof minimise>[0], value: unknown): unknown {
  if (value instanceof Promise) return value.then((v: unknown) => minimise(strategy, v));
  return minimise(strategy, value);
}
