/**
 * The executable schema, built once at start: the SDL of schema/, the directive SDL of
 * directives/, the resolvers of src/resolvers, then the privacy transformers.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { GraphQLScalarType, type GraphQLSchema } from 'graphql';
import { applyPrivacyDirectives, privacyDirectiveTypeDefs } from '../../directives/index';
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

/** The gateway's schema: the executable schema with every annotated field wrapped by the privacy directives. */
export function buildGatewaySchema(typeDefs: string[] = loadSchemaSdl()): GraphQLSchema {
  return applyPrivacyDirectives(buildExecutableSchema(typeDefs));
}

/**
 * The SDL and resolvers as an executable schema, before the privacy transformers: what
 * `buildGatewaySchema` wraps (a measurement baseline annotates it without wrapping).
 */
export function buildExecutableSchema(typeDefs: string[] = loadSchemaSdl()): GraphQLSchema {
  return withScalarDescriptions(
    makeExecutableSchema({
      typeDefs: [...privacyDirectiveTypeDefs, ...typeDefs],
      resolvers: resolvers as never,
    }),
  );
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
