/**
 * The executable schema, built once at start: the SDL of schema/, the directive SDL of
 * directives/, the resolvers of src/resolvers, then the privacy transformers.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { annotatePrivacyDirectives, applyPrivacyDirectives, privacyDirectiveTypeDefs } from '../../directives/index';
import { resolvers } from '../resolvers/index';

export const SCHEMA_DIR = join(__dirname, '..', '..', 'schema');

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
  const schema = makeExecutableSchema({
    typeDefs: [...privacyDirectiveTypeDefs, ...typeDefs],
    resolvers: resolvers as never,
  });
  return mode === 'enforced' ? applyPrivacyDirectives(schema) : annotatePrivacyDirectives(schema);
}
