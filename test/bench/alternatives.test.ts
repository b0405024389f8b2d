/**
 * The bench alternatives C and D (bench/alternatives/): the plain schema answers the bench
 * query over the fixture world with the gateway's SDL minus every privacy directive, and
 * D's compile cache parses, validates and compiles each document once. The servers
 * themselves are not spawned here.
 */
import { execute, graphql, parse, print, specifiedDirectives, visit, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Db, MongoClient } from 'mongodb';
import { JitCache } from '../../bench/alternatives/jit';
import { buildPlainSchema, createPlainContext, plainTypeDefs, withoutCustomDirectives } from '../../bench/alternatives/plainSchema';
import { BENCH_QUERY } from '../../bench/scenario';
import { ensureIndexes } from '../../src/data/database';
import { importWorld } from '../../src/world/importWorld';
import { connectTestDb, loadFixture } from '../support/testGateway';

interface BenchNode {
  id: string;
  holder: { code: string } | null;
  givenName: string | null;
  familyName: string | null;
  dateOfBirth: string | null;
  sex: string | null;
  placeOfBirth: string | null;
  nationality: string | null;
  legalStatus: string | null;
  arrivalDate: string | null;
  address: { line1: string | null; city: string | null; country: string | null } | null;
  documents: { type: string; number: string; expiresOn: string | null }[] | null;
  religion: string | null;
  ethnicOrigin: string | null;
  victimStatus: { status: string } | null;
  health: { vulnerabilities: string[] } | null;
  criminalRecord: { convictions: { offence: string }[] } | null;
}

interface BenchData {
  migrants: { edges: { node: BenchNode }[] };
}

let client: MongoClient;
let db: Db;
let schema: GraphQLSchema;

beforeAll(async () => {
  ({ client, db } = await connectTestDb('bench_alternatives'));
  await ensureIndexes(db);
  await importWorld(client, db, loadFixture(), 'small-world.json');
  schema = buildPlainSchema();
});

afterAll(async () => {
  await client?.close();
});

async function run(source: string, variableValues?: Record<string, unknown>): Promise<ExecutionResult> {
  return graphql({ schema, source, contextValue: createPlainContext(db), ...(variableValues ? { variableValues } : {}) });
}

describe('plain SDL', () => {
  it('has no privacy directive: no definition, no usage', () => {
    const typeDefs = plainTypeDefs();
    const used = new Set<string>();
    let definitions = 0;
    visit(typeDefs, {
      Directive: (node) => void used.add(node.name.value),
      DirectiveDefinition: () => void definitions++,
    });
    expect(definitions).toBe(0);
    expect([...used].filter((name) => !specifiedDirectives.some((d) => d.name === name))).toEqual([]);
    // The descriptions mention `@minimise` in prose; the SDL itself, without them, names none.
    const withoutDescriptions = print(visit(typeDefs, { enter: (node) => ('description' in node && node.description ? { ...node, description: undefined } : undefined) }));
    expect(withoutDescriptions).not.toMatch(/@(purpose|minimise|sensitive)\b/);
    expect(schema.getDirectives().map((d) => d.name).sort()).toEqual(specifiedDirectives.map((d) => d.name).sort());
    expect(schema.getType('Migrant')).toBeDefined();
  });

  it('drops custom directives and keeps graphql built-ins', () => {
    const document = parse(`
      directive @purpose(category: String) on FIELD_DEFINITION
      type T { a: String @purpose(category: "IDENTITY") @deprecated(reason: "old") b: Int @sensitive }
    `);
    expect(print(withoutCustomDirectives(document))).toBe('type T {\n  a: String @deprecated(reason: "old")\n  b: Int\n}');
  });
});

describe('plain resolvers over the fixture world', () => {
  it('answer the bench query with every record and the gateway’s serialisation', async () => {
    const result = await run(BENCH_QUERY);
    expect(result.errors).toBeUndefined();
    const nodes = (result.data as unknown as BenchData).migrants.edges.map((edge) => edge.node);
    expect(nodes).toHaveLength(12);
    expect(nodes.map((node) => node.id)).toEqual(Array.from({ length: 12 }, (_unused, i) => `m-${String(i + 1).padStart(4, '0')}`));
    expect(nodes[0]).toEqual({
      id: 'm-0001',
      holder: { code: 'ITA' },
      givenName: 'Amara',
      familyName: 'Okafor',
      dateOfBirth: '1994-07-12',
      sex: 'F',
      placeOfBirth: 'Benin City',
      nationality: 'NGA',
      legalStatus: 'ASYLUM_SEEKER',
      arrivalDate: '2024-11-03',
      address: { line1: 'Via Roma 12', city: 'Palermo', country: 'ITA' },
      documents: [{ type: 'PASSPORT', number: 'A12345678', expiresOn: '2029-01-31' }],
      religion: 'Christian',
      ethnicOrigin: 'Edo',
      victimStatus: { status: 'IDENTIFIED_VICTIM' },
      health: { vulnerabilities: ['PREGNANT'] },
      criminalRecord: null,
    });
    expect(nodes[2]!.criminalRecord).toEqual({ convictions: [{ offence: 'MIGRANT_SMUGGLING' }] });
    expect(nodes.map((node) => node.holder?.code)).toEqual(['ITA', 'ITA', 'ITA', 'ESP', 'ESP', 'GRC', 'GRC', 'GRC', 'ITA', 'ITA', 'ESP', 'ITA']);
  });

  it('page in _id order with the id as cursor, and count only what is asked', async () => {
    const page = `query Page($after: String) { migrants(first: 5, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } totalCount } }`;
    type Page = { migrants: { edges: { cursor: string; node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null }; totalCount: number } };
    const first = (await run(page)).data as unknown as Page;
    expect(first.migrants.edges.map((edge) => edge.node.id)).toEqual(['m-0001', 'm-0002', 'm-0003', 'm-0004', 'm-0005']);
    expect(first.migrants.pageInfo).toEqual({ hasNextPage: true, endCursor: 'm-0005' });
    expect(first.migrants.totalCount).toBe(12);
    const last = (await run(page, { after: 'm-0010' })).data as unknown as Page;
    expect(last.migrants.edges.map((edge) => edge.cursor)).toEqual(['m-0011', 'm-0012']);
    expect(last.migrants.pageInfo).toEqual({ hasNextPage: false, endCursor: 'm-0012' });
  });

  it('resolve family, a filter and one record by id', async () => {
    const result = await run(`{
      migrant(id: "m-0006") { givenName family { id givenName } holder { code name kind } }
      migrants(filter: { holder: "ESP" }) { edges { node { id } } }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      migrant: { givenName: 'Ahmad', family: [{ id: 'm-0007', givenName: 'Zahra' }], holder: { code: 'GRC', name: 'Greece', kind: 'STATE' } },
      migrants: { edges: [{ node: { id: 'm-0004' } }, { node: { id: 'm-0005' } }, { node: { id: 'm-0011' } }] },
    });
  });

  it('refuse a page size out of range', async () => {
    const result = await run('{ migrants(first: 501) { edges { node { id } } } }');
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });

  it('leave erased records out', async () => {
    await db.collection('migrants').updateOne({ _id: 'm-0012' as never }, { $set: { erasedAt: new Date() } });
    const result = await run(BENCH_QUERY);
    expect(result.errors).toBeUndefined();
    const ids = (result.data as unknown as BenchData).migrants.edges.map((edge) => edge.node.id);
    expect(ids).toHaveLength(11);
    expect(ids).not.toContain('m-0012');
    expect((await run('{ migrant(id: "m-0012") { id } }')).data).toEqual({ migrant: null });
  });
});

describe('the compile cache of D', () => {
  /** A stand-in for graphql-jit (not installed): "compiles" to graphql-js's execute. */
  function fakeJit(): { jit: ConstructorParameters<typeof JitCache>[0]; compiled: DocumentNode[] } {
    const compiled: DocumentNode[] = [];
    return {
      compiled,
      jit: {
        compileQuery: (target, document, operationName) => {
          compiled.push(document);
          return { query: (root, contextValue, variableValues) => execute({ schema: target, document, rootValue: root, contextValue, variableValues, operationName }) as Promise<ExecutionResult> };
        },
        isCompiledQuery: (value): value is { query: never } => 'query' in value,
      },
    };
  }

  it('compiles a document once, and refuses syntax and validation errors without compiling', async () => {
    const { jit, compiled } = fakeJit();
    const cache = new JitCache(jit, schema, 2);
    const first = cache.prepare(BENCH_QUERY, 'Bench');
    expect(cache.prepare(BENCH_QUERY, 'Bench')).toBe(first);
    expect(compiled).toHaveLength(1);
    if (!('compiled' in first)) throw new Error('the bench query should compile');
    const result = await first.compiled.query(undefined, createPlainContext(db), {});
    expect(result.errors).toBeUndefined();
    expect(result).toEqual(await run(BENCH_QUERY));
    expect(cache.prepare('{ migrants {', undefined)).toMatchObject({ refused: { errors: [expect.objectContaining({ message: expect.stringMatching(/Syntax Error/) })] } });
    expect(cache.prepare('{ nope }', undefined)).toMatchObject({ refused: { errors: [expect.objectContaining({ message: expect.stringMatching(/nope/) })] } });
    expect(compiled).toHaveLength(1);
  });
});
