/**
 * The request context's assembly (src/context/requestContext.ts), without HTTP: treaty →
 * decision table → projection → loaders → ledger → record decider, on the real test
 * database with the shared fixture; and the schema-level tier: operations executed
 * against the gateway's schema with such a context (graphql-js `execute`, no server).
 */
import { execute, parse } from 'graphql';
import type { Db, MongoClient } from 'mongodb';
import { createRequestContext, type RequestContextSources } from '../../src/context/requestContext';
import type { Caller } from '../../src/context/authenticate';
import type { GatewayContext } from '../../src/context/GatewayContext';
import { ensureIndexes } from '../../src/data/database';
import { importWorld } from '../../src/world/importWorld';
import { createPseudonymiser } from '../../src/policy/pseudonym';
import { buildGatewaySchema } from '../../src/server/schema';
import { discloseEverything } from '../../bench/baseline/stripped';
import { STAT_DIMENSIONS } from '../../src/policy/taxonomy';
import { connectTestDb, loadFixture } from '../support/testGateway';
import { contextSourcesFor } from '../support/contextSources';

const KEY = Buffer.alloc(32, 7);
const NOW = new Date('2025-06-01T10:00:00Z');
const MED = { agreementId: 'AGR-MED-TIP-2024', purpose: 'ANTI_TRAFFICKING', dataRequestId: undefined };
const CASEWORKER: Caller = Object.freeze({ sub: 's', agency: 'ITA-AGENCY', party: 'ITA', clearance: 'ELEVATED' as const, roles: ['CASEWORKER' as const] });
const schema = buildGatewaySchema();
let client: MongoClient;
let db: Db;
let sources: RequestContextSources;

beforeAll(async () => {
  ({ client, db } = await connectTestDb('test_request_context'));
  await db.dropDatabase();
  await ensureIndexes(db);
  await importWorld(client, db, loadFixture(), 'small-world.json');
  // The gateway's schema policies and decision table; agreements read directly.
  sources = contextSourcesFor(db, schema, KEY);
});
afterAll(async () => {
  await client.close();
});

const contextOf = (headers: { agreementId?: string; purpose?: string; dataRequestId?: string }, over: Partial<RequestContextSources> = {}) =>
  createRequestContext({ ...sources, ...over }, { caller: CASEWORKER, headers: { agreementId: headers.agreementId, purpose: headers.purpose, dataRequestId: headers.dataRequestId }, now: NOW });

describe('the request context', () => {
  it('reads nothing under a refused treaty context: no decisions, loaders, ledger or decider, every field withheld', async () => {
    const context = await contextOf({ purpose: 'ANTI_TRAFFICKING' });
    expect(context.treaty.ok).toBe(false);
    expect({ loaders: context.loaders, decisions: context.decisions, ledger: context.ledger, privacy: context.privacy }).toEqual({ loaders: null, decisions: null, ledger: null, privacy: null });
    const projection = context.projection.current();
    for (const field of ['givenName', 'religion', 'documents', 'health']) expect(projection).not.toHaveProperty(field);
    expect(Object.isFrozen(context)).toBe(true);
  });

  it('builds the decisions first, and the projection never reads what they withhold for every record', async () => {
    const context = await contextOf(MED);
    expect(context.treaty.ok).toBe(true);
    expect(context.decisions!.staticDecision('Migrant.religion')).toMatchObject({ action: 'REDACT' });
    expect(context.decisions!.staticDecision('Migrant.givenName')).toEqual({ action: 'DISCLOSE' });
    expect(context.decisions!.staticDecision('Migrant.health')).toMatchObject({ action: 'NEEDS_CONSENT' });
    const projection = context.projection.current();
    expect(projection).not.toHaveProperty('religion');
    expect(projection).toHaveProperty('givenName');
  });

  it('finishes consent-dependent decisions with the batched consent loader, and records them in the ledger', async () => {
    const context = await contextOf(MED);
    const policy = context.decisions!.policyOf('Migrant.health')!;
    const [withConsent, without] = await Promise.all([
      context.privacy!.decide(policy, { _id: 'm-0004' }),
      context.privacy!.decide(policy, { _id: 'm-0001' }),
    ]);
    expect(withConsent).toEqual({ action: 'DISCLOSE' });
    expect(without).toMatchObject({ action: 'REDACT', reason: 'CONSENT_MISSING' });
    expect(context.ledger!.report()).toEqual(
      expect.arrayContaining([
        { coordinate: 'Migrant.health', action: 'DISCLOSED', count: 1 },
        expect.objectContaining({ coordinate: 'Migrant.health', action: 'REDACTED', count: 1 }),
      ]),
    );
    expect(context.ledger!.disclosedSubjects()).toEqual(['m-0004']);
  });

  it('has every part under a valid treaty context, whatever decision table it is given (the benchmark baseline supplies one that discloses all)', async () => {
    const context = await contextOf(MED, { decisionTable: discloseEverything });
    expect(context.treaty.ok).toBe(true);
    expect([context.loaders, context.decisions, context.ledger, context.privacy].every((part) => part !== null)).toBe(true);
    // The table decides the projection: everything is read, and the decider discloses in full.
    expect(context.projection.current()).toHaveProperty('religion');
    expect(STAT_DIMENSIONS.filter((d) => context.decisions!.dimensionRefusal(d) !== null)).toEqual([]);
    const policy = context.decisions!.policyOf('Migrant.religion')!;
    expect(await context.privacy!.decide(policy, { _id: 'm-0001' })).toEqual({ action: 'DISCLOSE' });
    // The gateway's own table refuses the same under the same treaty context.
    const gateway = await contextOf(MED);
    expect(gateway.projection.current()).not.toHaveProperty('religion');
    expect(await gateway.privacy!.decide(policy, { _id: 'm-0001' })).toMatchObject({ action: 'REDACT' });
  });
});

describe('the schema-level tier: operations against the schema with a given context', () => {
  const run = async (context: GatewayContext, query: string, variables: Record<string, unknown> = {}) =>
    execute({ schema, document: parse(query), contextValue: context, variableValues: variables });

  it('withholds and discloses as the decisions say, and the ledger reports it', async () => {
    const context = await contextOf(MED);
    const id = createPseudonymiser(KEY, 'AGR-MED-TIP-2024').encode('m-0001');
    const result = await run(context, 'query($id: ID!) { migrant(id: $id) { givenName religion address { city } } }', { id });
    expect(result.errors).toBeUndefined();
    // CONTACT_LOCATION is granted MINIMISED here, and a city has no minimisation: withheld.
    expect(result.data).toEqual({ migrant: { givenName: 'Amara', religion: null, address: { city: null } } });
    expect(context.ledger!.report()).toEqual(
      expect.arrayContaining([
        { coordinate: 'Migrant.givenName', action: 'DISCLOSED', count: 1 },
        expect.objectContaining({ coordinate: 'Migrant.religion', action: 'REDACTED' }),
      ]),
    );
  });

  it('refuses a record read under a refused treaty context', async () => {
    const context = await contextOf({});
    const result = await run(context, '{ migrants(first: 1) { totalCount } }');
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.extensions?.['code']).toBe('AGREEMENT_NOT_FOUND');
  });
});
