/**
 * The executable schema, built once at start: the SDL of schema/, the directive SDL of
 * directives/, the resolvers of src/resolvers, then the privacy transformers.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { GraphQLScalarType, type GraphQLSchema } from 'graphql';
import { annotatePrivacyDirectives, applyPrivacyDirectives, privacyDirectiveTypeDefs } from '../../directives/index';
import { projectPath } from '../projectRoot';
import { resolvers } from '../resolvers/index';

export const SCHEMA_DIR = projectPath('schema');

/** The domain SDL, one file per domain, in a stable order. */
export function loadSchemaSdl(dir: string = SCHEMA_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => readFileSync(join(dir, name), 'utf8'));
}

/**
 * `enforced` is the gateway. `stripped` skips the enforcement wrappers and exists only
 * as the baseline of benchmarks and of loader tests: it is never selected by
 * configuration, only by code that builds a server for measurement.
 */
export type PrivacyMode = 'enforced' | 'stripped';

export function buildGatewaySchema(mode: PrivacyMode = 'enforced', typeDefs: string[] = loadSchemaSdl()): GraphQLSchema {
  const schema = withScalarDescriptions(
    makeExecutableSchema({
      typeDefs: [...privacyDirectiveTypeDefs, ...typeDefs],
      resolvers: resolvers as never,
    }),
  );
  return mode === 'enforced' ? applyPrivacyDirectives(schema) : annotatePrivacyDirectives(schema);
}

/**
 * Custom scalars take their implementation from src/resolvers/scalars.ts, which replaces
 * the description written in the SDL; put it back, so introspection and the explorer's
 * docs describe them as `/schema.graphql` does.
 */
function withScalarDescriptions(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.SCALAR_TYPE]: (type) => {
      const written = type.astNode?.description?.value;
      if (type.description || !written) return type;
      return new GraphQLScalarType({ ...type.toConfig(), description: written });
    },
  });
}
