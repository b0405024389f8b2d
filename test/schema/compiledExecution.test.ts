/**
 * Compiled execution (src/server/compiledExecution.ts) answers as graphql-js does: every
 * read of the hostile-input corpus's valid operations, under contexts that disclose,
 * minimise and withhold, gives the same data and the same errors (message, path, code,
 * original error) through the compiled executor as through graphql-js's `execute` on the
 * same schema with a context built the same way; and variables that do not coerce, or an
 * operation that cannot be determined, are refused with graphql-js's own errors.
 */
import { execute, GraphQLError, parse, getOperationAST, type ExecutionResult } from 'graphql';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { Db, MongoClient } from 'mongodb';
import type { Caller } from '../../src/context/authenticate';
import { createRequestContext, type RequestContextSources } from '../../src/context/requestContext';
import type { TreatyHeaders } from '../../src/context/treatyContext';
import { ensureIndexes } from '../../src/data/database';
import { createCompiledExecutor } from '../../src/server/compiledExecution';
import { buildGatewaySchema } from '../../src/server/schema';
import { importWorld } from '../../src/world/importWorld';
import { OPERATIONS } from '../fuzz/corpus';
import { connectTestDb, loadFixture } from '../support/testGateway';
import { contextSourcesFor } from '../support/contextSources';

const schema = buildGatewaySchema();
const compiled = createCompiledExecutor(schema);
const NOW = new Date('2025-06-01T10:00:00Z');
let client: MongoClient;
let db: Db;
let sources: RequestContextSources;

beforeAll(async () => {
  ({ client, db } = await connectTestDb('test_compiled_execution'));
  await ensureIndexes(db);
  await importWorld(client, db, loadFixture(), 'small-world.json');
  sources = contextSourcesFor(db, schema, Buffer.alloc(32, 9));
});
afterAll(async () => {
  await client.close();
});

const CONTEXTS: { name: string; caller: Caller; headers: TreatyHeaders }[] = [
  { name: 'MED-TIP ANTI_TRAFFICKING, ITA ELEVATED', caller: { sub: 's', agency: 'ITA-A', party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] }, headers: { agreementId: 'AGR-MED-TIP-2024', purpose: 'ANTI_TRAFFICKING', dataRequestId: undefined } },
  { name: 'MED-TIP SERVICE_DELIVERY, ESP SPECIAL', caller: { sub: 's', agency: 'ESP-A', party: 'ESP', clearance: 'SPECIAL', roles: ['CASEWORKER'] }, headers: { agreementId: 'AGR-MED-TIP-2024', purpose: 'SERVICE_DELIVERY', dataRequestId: undefined } },
  { name: 'readmission RETURN, NGA STANDARD', caller: { sub: 's', agency: 'NGA-A', party: 'NGA', clearance: 'STANDARD', roles: ['CASEWORKER'] }, headers: { agreementId: 'AGR-ITA-NGA-READMISSION-2023', purpose: 'RETURN_AND_READMISSION', dataRequestId: undefined } },
];

/** What a caller would see of a result: data, and each error's message, path, code and original error's class. */
function seen(result: ExecutionResult) {
  return {
    data: result.data ?? null,
    errors: (result.errors ?? []).map((e) => ({
      message: e.message,
      path: e.path ?? null,
      code: e.extensions?.['code'] ?? null,
      original: e.originalError?.constructor.name ?? null,
    })),
  };
}

async function both(query: string, variables: Record<string, unknown> | undefined, operationName: string | undefined, context: (typeof CONTEXTS)[number]) {
  const document = parse(query);
  const interpreted = await execute({
    schema,
    document,
    contextValue: await createRequestContext(sources, { caller: context.caller, headers: context.headers, now: NOW }),
    variableValues: variables ?? {},
    operationName: operationName ?? null,
  });
  const operation = getOperationAST(document, operationName ?? null);
  const request = { query, variables: variables ?? {}, operationName: operationName ?? null } as GatewayGraphQLRequestContext['request'];
  const byCompiled = await compiled({
    document,
    operation: operation ?? undefined,
    operationName: operation?.name?.value ?? null,
    request,
    context: await createRequestContext(sources, { caller: context.caller, headers: context.headers, now: NOW }),
  } as unknown as GatewayGraphQLRequestContext);
  return { interpreted: seen(interpreted), compiled: seen(byCompiled) };
}

describe('compiled execution answers as graphql-js does', () => {
  const reads = OPERATIONS.filter((op) => !/^\s*mutation|\bmutation\b/.test(op.query) && !op.query.includes('__schema') && !op.query.includes('__type'));

  it.each(CONTEXTS.map((c) => [c.name, c] as const))('every read of the corpus, %s', async (_name, context) => {
    expect(reads.length).toBeGreaterThan(5);
    for (const op of reads) {
      const { interpreted, compiled: byCompiled } = await both(op.query, op.variables, op.operationName, context);
      expect({ op: op.name, ...byCompiled }).toEqual({ op: op.name, ...interpreted });
    }
  });

  it('refuses variables that do not coerce with graphql-js\'s error, and runs nothing', async () => {
    const { interpreted, compiled: byCompiled } = await both('query($f: Int) { migrants(first: $f) { totalCount } }', { f: 'ten' }, undefined, CONTEXTS[0]!);
    expect(byCompiled).toEqual(interpreted);
    expect(byCompiled.errors[0]!.message).toMatch(/Variable "\$f" got invalid value "ten"/);
    expect(byCompiled.data).toBeNull();
  });

  it('refuses an operation that cannot be determined with graphql-js\'s error', async () => {
    const { interpreted, compiled: byCompiled } = await both('query A { me { party } } query B { me { sub } }', undefined, undefined, CONTEXTS[0]!);
    expect(byCompiled).toEqual(interpreted);
    expect(byCompiled.errors[0]!.message).toBe('Must provide operation name if query contains multiple operations.');
  });

  it('keeps a resolver\'s refusal as graphql-js does: its code, path and original error', async () => {
    const { interpreted, compiled: byCompiled } = await both('{ migrants(first: 100000) { totalCount } }', undefined, undefined, CONTEXTS[0]!);
    expect(byCompiled).toEqual(interpreted);
    expect(byCompiled.errors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', path: ['migrants'], original: GraphQLError.name })]);
  });
});
