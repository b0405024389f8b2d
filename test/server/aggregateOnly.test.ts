/**
 * Aggregate-only grants (contract section 5) over real HTTP on the shared fixture: the
 * STATISTICS grant of AGR-MED-TIP-2024 (IDENTITY, NATIONALITY, IMMIGRATION_STATUS at
 * AGGREGATE; VICTIM_STATUS listed) answers `statistics` and `entitlements` only. Every
 * read that returns a record or a pseudonym, and every mutation, is refused with
 * RECORD_ACCESS_NOT_GRANTED (HTTP 403, no data) before anything is read from the
 * database (counted with the driver's command monitoring) and without an audit event or
 * a privacy report. The special category the grant lists (VICTIM_STATUS) is counted in
 * statistics, never read per record.
 *
 * Clock 2025-06-01; the agreement cache is kept warm for the whole file, so a refused
 * request costs no database command at all.
 */
import type { CommandStartedEvent } from 'mongodb';
import { parse, type OperationDefinitionNode } from 'graphql';
import { signDevToken } from '../../src/dev/devKeys';
import { AUDIT_EVENTS } from '../../src/data/auditStore';
import { importWorld } from '../../src/world/importWorld';
import { recordReadsRefused } from '../../src/server/plugins/treatyGuard';
import { requireRecordAccess, type GatewayContext } from '../../src/context/GatewayContext';
import type { TreatyState } from '../../src/context/treatyContext';
import { graphql, loadFixture, startTestGateway, type GraphqlReply, type TestGateway } from '../support/testGateway';

const NOW = new Date('2025-06-01T12:00:00Z');
const MED = 'AGR-MED-TIP-2024';
const STATISTICS = { agreementId: MED, purpose: 'STATISTICS' };
const ANTI_TRAFFICKING = { agreementId: MED, purpose: 'ANTI_TRAFFICKING' };

let tg: TestGateway;
const t: Record<string, string> = {};
/** Pseudonyms under AGR-MED-TIP-2024 (from an anti-trafficking read), by given name. */
const ids: Record<string, string> = {};

const codes = (reply: GraphqlReply) => (reply.body.errors ?? []).map((e) => e.extensions?.code);

/** The database commands `run` causes, without the agreement watch's own (change streams, where the server has them). */
async function commandsDuring<T>(run: () => Promise<T>): Promise<{ result: T; commands: string[] }> {
  const commands: string[] = [];
  const listener = (event: CommandStartedEvent): void => {
    const pipeline = event.command['pipeline'] as Record<string, unknown>[] | undefined;
    if (event.commandName === 'aggregate' && pipeline?.some((stage) => '$changeStream' in stage)) return;
    if (event.commandName === 'getMore' && event.command['collection'] === 'agreements') return;
    if (event.commandName === 'killCursors' && event.command['killCursors'] === 'agreements') return;
    commands.push(`${event.commandName} ${String(event.command[event.commandName])}`);
  };
  tg.client.on('commandStarted', listener);
  try {
    return { result: await run(), commands };
  } finally {
    tg.client.off('commandStarted', listener);
  }
}

beforeAll(async () => {
  tg = await startTestGateway({
    dbName: 'test_aggregate_only',
    fixture: true,
    clock: () => NOW,
    monitorCommands: true,
    env: { AGREEMENT_CACHE_TTL_MS: '3600000', RATE_LIMIT_PER_MINUTE: '0' },
  });
  t['analyst'] = await signDevToken({ party: 'IOM', clearance: 'STANDARD', roles: ['ANALYST'] });
  // Every clearance and role: the grant, not the caller, is what refuses.
  t['analystSpecial'] = await signDevToken({ party: 'IOM', clearance: 'SPECIAL', roles: ['ANALYST', 'OVERSIGHT', 'CASEWORKER'] });
  t['itaController'] = await signDevToken({ party: 'ITA', clearance: 'SPECIAL', roles: ['DATA_CONTROLLER', 'CASEWORKER', 'OVERSIGHT'] });
  const page = await graphql(tg.url, { query: '{ migrants(first: 50) { edges { node { id givenName } } } }', token: t['itaController'], ...ANTI_TRAFFICKING });
  for (const { node } of (page.body.data!['migrants'] as { edges: { node: { id: string; givenName: string } }[] }).edges) ids[node.givenName] = node.id;
  expect(Object.keys(ids)).toHaveLength(11);
  // Warm the agreement cache for both callers' contexts.
  for (const token of [t['analyst'], t['analystSpecial'], t['itaController']]) {
    expect(codes(await graphql(tg.url, { query: '{ entitlements { recordAccess } }', token, ...STATISTICS }))).toEqual([]);
  }
});
afterAll(async () => {
  await tg?.close();
});

describe('the refusal, before execution and in every resolver', () => {
  // Which grants are aggregate-only, and the wording: test/policy/recordAccess.test.ts.
  const grant = (categories: Record<string, string>, specialCategories: string[] = []) =>
    ({ purpose: 'STATISTICS', subjectScope: 'ALL_HELD_BY_PARTIES', categories, specialCategories }) as never;

  it('refuses every root field but statistics, entitlements and the token-only ones; every mutation', () => {
    const treaty = { ok: true, agreement: { _id: MED }, purpose: 'STATISTICS', grant: grant({ IDENTITY: 'AGGREGATE' }, ['VICTIM_STATUS']) } as unknown as TreatyState;
    const refused = (text: string): string[] => {
      const document = parse(text);
      return recordReadsRefused(document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode, document, treaty);
    };
    expect(refused('{ statistics(groupBy: [SEX]) { total } entitlements { recordAccess } me { sub } agreements { id } __typename }')).toEqual([]);
    expect(refused('{ a: statistics(groupBy: [SEX]) { total } b: migrants { totalCount } c: migrant(id: "x") { id } }')).toEqual(['migrants', 'migrant']);
    expect(refused('{ ...F } fragment F on Query { ... on Query { dataRequests { id } } }')).toEqual(['dataRequests']);
    expect(refused('{ ...Unknown }')).toEqual(['...Unknown']);
    expect(refused('mutation { eraseMigrant(id: "x", reason: "r") }')).toEqual(['eraseMigrant']);
    expect(refused('mutation { entitlements: withdrawDataRequest(id: "x") { id } }')).toEqual(['withdrawDataRequest']);
    // Not aggregate-only: nothing refused here.
    const full = { ...treaty, grant: grant({ IDENTITY: 'FULL' }) } as TreatyState;
    const document = parse('{ migrants { totalCount } }');
    expect(recordReadsRefused(document.definitions[0] as OperationDefinitionNode, document, full)).toEqual([]);
  });

  it('every resolver that returns records refuses too, should the check before execution be bypassed', () => {
    const context = (categories: Record<string, string>) =>
      ({ treaty: { ok: true, agreement: { _id: MED }, purpose: 'STATISTICS', grant: grant(categories, ['VICTIM_STATUS']) }, loaders: {} }) as unknown as GatewayContext;
    let refusal: unknown;
    try {
      requireRecordAccess(context({ IDENTITY: 'AGGREGATE' }), 'Migrant.id');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({ extensions: { code: 'RECORD_ACCESS_NOT_GRANTED', http: { status: 403 } } });
    expect((refusal as Error).message).toContain('Refused: Migrant.id; nothing was read.');
    expect(() => requireRecordAccess(context({ IDENTITY: 'MINIMISED' }), 'Migrant.id')).not.toThrow();
  });
});

describe('record reads under an aggregate-only grant', () => {
  // Variables name records by given name: replaced by their pseudonyms.
  const READS: [string, string, Record<string, string>][] = [
    ['migrants', '{ migrants(first: 3) { edges { cursor node { id holder { code } } } } }', {}],
    ['migrants', '{ migrants(first: 0) { totalCount pageInfo { hasNextPage endCursor } } }', {}],
    ['migrants', '{ migrants(filter: { holder: "ITA" }) { edges { node { victimStatus { status } } } } }', {}],
    ['migrant', 'query($id: ID!) { migrant(id: $id) { id victimStatus { status } family { id } } }', { id: 'Amara' }],
    ['dataRequests', '{ dataRequests { id justification subjects { id } } }', {}],
    ['dataRequest', '{ dataRequest(id: "req-0001") { id subjects { id } } }', {}],
    ['disclosureHistory', 'query($id: ID!) { disclosureHistory(migrantId: $id) { edges { node { at coordinates } } } }', { id: 'Amara' }],
    ['migrants', '{ statistics(groupBy: [SEX]) { total } entitlements { recordAccess } people: migrants { totalCount } }', {}],
    ['migrants', 'query Q { ...Rows } fragment Rows on Query { migrants { edges { node { id } } } }', {}],
  ];

  it.each(READS)('%s is refused with RECORD_ACCESS_NOT_GRANTED, HTTP 403, before anything is read (%s)', async (field, query, variables) => {
    const events = await tg.db.collection(AUDIT_EVENTS).countDocuments();
    const vars = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, ids[v]]));
    for (const token of [t['analyst'], t['analystSpecial'], t['itaController']]) {
      const { result: reply, commands } = await commandsDuring(() => graphql(tg.url, { query, variables: vars, token, ...STATISTICS }));
      expect(reply.status).toBe(403);
      expect(codes(reply)).toEqual(['RECORD_ACCESS_NOT_GRANTED']);
      expect(reply.body.data ?? null).toBeNull();
      // No privacy report: nothing was read.
      expect(reply.body.extensions?.['privacy']).toBeUndefined();
      const message = reply.body.errors![0]!.message;
      expect(message).toContain(`The grant of agreement ${MED} for purpose STATISTICS is aggregate-only`);
      expect(message).toContain(`Refused: ${field}; nothing was read.`);
      expect(message).toMatch(/`statistics`.*`entitlements`/);
      expect(message).toContain('VICTIM_STATUS');
      // Not one database command: no record, no request, no consent, no audit event.
      expect(commands).toEqual([]);
    }
    expect(await tg.db.collection(AUDIT_EVENTS).countDocuments()).toBe(events);
  });

  it('control: the command count sees a record read (the same read under a grant with record access)', async () => {
    const { result: reply, commands } = await commandsDuring(() =>
      graphql(tg.url, { query: READS[0]![1], token: t['itaController'], ...ANTI_TRAFFICKING }),
    );
    expect(codes(reply)).toEqual([]);
    expect(commands).toContain('find migrants');
  });

  it('no victim status, no pseudonym reaches a statistics caller of any clearance (the former leak)', async () => {
    const reply = await graphql(tg.url, { query: '{ migrants(first: 50) { edges { node { id victimStatus { status exploitationType } } } } }', token: t['analystSpecial'], ...STATISTICS });
    const text = JSON.stringify(reply.body);
    expect(text).not.toMatch(/IDENTIFIED_VICTIM|PRESUMED_VICTIM|"p_/);
    for (const pseudonym of Object.values(ids)) expect(text).not.toContain(pseudonym);
  });

  const MUTATIONS: [string, string, Record<string, string>][] = [
    [
      'submitDataRequest',
      'mutation($s: ID!) { submitDataRequest(input: { agreementId: "AGR-MED-TIP-2024", requestedParty: "ESP", purpose: STATISTICS, subjectIds: [$s], categories: [IDENTITY], justification: "counts" }) { id subjects { id } } }',
      { s: 'Fatima' },
    ],
    ['decideDataRequest', 'mutation { decideDataRequest(id: "req-0001", decision: DENY) { id } }', {}],
    ['withdrawDataRequest', 'mutation { withdrawDataRequest(id: "req-0001") { id } }', {}],
    ['recordConsent', 'mutation($m: ID!) { recordConsent(migrantId: $m, purpose: STATISTICS, evidence: "form 7") { migrantId } }', { m: 'Amara' }],
    ['withdrawConsent', 'mutation($m: ID!) { withdrawConsent(migrantId: $m, purpose: SERVICE_DELIVERY) { migrantId } }', { m: 'Amara' }],
    ['rectifyMigrant', 'mutation($m: ID!) { rectifyMigrant(id: $m, patch: { placeOfBirth: "Benin City" }) { id } }', { m: 'Amara' }],
    ['eraseMigrant', 'mutation($m: ID!) { eraseMigrant(id: $m, reason: "test") }', { m: 'Amara' }],
  ];

  it.each(MUTATIONS)('%s is refused before it runs: no read, no change, no audit event', async (field, query, variables) => {
    const before = await tg.db.collection('migrants').find().sort({ _id: 1 }).toArray();
    const consents = await tg.db.collection('consents').countDocuments();
    const requests = await tg.db.collection('dataRequests').find().sort({ _id: 1 }).toArray();
    const events = await tg.db.collection(AUDIT_EVENTS).countDocuments();
    const vars = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, ids[v]]));
    const { result: reply, commands } = await commandsDuring(() => graphql(tg.url, { query, variables: vars, token: t['itaController'], ...STATISTICS }));
    expect([reply.status, codes(reply)]).toEqual([403, ['RECORD_ACCESS_NOT_GRANTED']]);
    expect(reply.body.data ?? null).toBeNull();
    expect(reply.body.errors![0]!.message).toContain(`Refused: ${field}; nothing was read.`);
    expect(commands).toEqual([]);
    expect(await tg.db.collection('migrants').find().sort({ _id: 1 }).toArray()).toEqual(before);
    expect(await tg.db.collection('consents').countDocuments()).toBe(consents);
    expect(await tg.db.collection('dataRequests').find().sort({ _id: 1 }).toArray()).toEqual(requests);
    expect(await tg.db.collection(AUDIT_EVENTS).countDocuments()).toBe(events);
  });

  it('the same mutation by the same data controller runs under a grant with record access (the refusal is the grant\'s)', async () => {
    const reply = await graphql(tg.url, {
      query: 'mutation($m: ID!) { rectifyMigrant(id: $m, patch: { placeOfBirth: "Lagos" }) { id } }',
      variables: { m: ids['Amara'] },
      token: t['itaController'],
      ...ANTI_TRAFFICKING,
    });
    expect(codes(reply)).toEqual([]);
    expect(reply.body.data).toEqual({ rectifyMigrant: { id: ids['Amara'] } });
  });
});

describe('what an aggregate-only grant answers', () => {
  it('statistics, counting the special category it lists (VICTIM_STATUS), audited without subjects', async () => {
    const { result: reply, commands } = await commandsDuring(() =>
      graphql(tg.url, { query: '{ statistics(groupBy: [VICTIM_STATUS]) { cells { key count suppressed } total } }', token: t['analyst'], ...STATISTICS }),
    );
    expect([reply.status, codes(reply)]).toEqual([200, []]);
    const table = reply.body.data!['statistics'] as { cells: { key: string[] }[]; total: number };
    expect(table.total).toBe(11);
    expect(table.cells.map((c) => c.key[0])).toEqual(['IDENTIFIED_VICTIM', 'PRESUMED_VICTIM', 'UNKNOWN']);
    // One aggregation on migrants (and the audit event); no record read.
    expect(commands.filter((c) => c.endsWith(' migrants'))).toEqual(['aggregate migrants']);
    const privacy = reply.body.extensions!['privacy'] as { auditId: string };
    expect(await tg.db.collection(AUDIT_EVENTS).findOne({ _id: privacy.auditId as never })).toMatchObject({ purpose: 'STATISTICS', subjectIds: [] });
  });

  it('entitlements: record access not granted, with the reason and what to ask instead; every field withheld', async () => {
    const { result: reply, commands } = await commandsDuring(() =>
      graphql(tg.url, {
        query: '{ entitlements { purpose recordAccess recordAccessReason fields { coordinate action reason } statistics { dimension permitted } } }',
        token: t['analystSpecial'],
        ...STATISTICS,
      }),
    );
    expect([reply.status, codes(reply)]).toEqual([200, []]);
    expect(commands).toEqual([]);
    const ent = reply.body.data!['entitlements'] as {
      recordAccess: boolean;
      recordAccessReason: string;
      fields: { coordinate: string; action: string; reason: string }[];
      statistics: { dimension: string; permitted: boolean }[];
    };
    expect(ent.recordAccess).toBe(false);
    expect(ent.recordAccessReason).toContain(`The grant of agreement ${MED} for purpose STATISTICS is aggregate-only (no data category above AGGREGATE)`);
    expect(ent.recordAccessReason).toContain('its special categories (VICTIM_STATUS) may only be counted');
    expect(ent.recordAccessReason).toContain('RECORD_ACCESS_NOT_GRANTED');
    expect(ent.recordAccessReason).toContain('`statistics`');
    expect(ent.fields.length).toBeGreaterThan(20);
    expect(ent.fields.filter((f) => f.action !== 'REDACTED')).toEqual([]);
    // Even for a SPECIAL-cleared caller: the listed special category is for counting only.
    expect(ent.fields.find((f) => f.coordinate === 'Migrant.victimStatus')).toEqual({ coordinate: 'Migrant.victimStatus', action: 'REDACTED', reason: 'CATEGORY_NOT_GRANTED' });
    expect(ent.fields.find((f) => f.coordinate === 'Migrant.religion')?.reason).toBe('SPECIAL_CATEGORY_NOT_COVERED');
    expect(ent.statistics.find((s) => s.dimension === 'VICTIM_STATUS')?.permitted).toBe(true);
  });

  it('a grant with record access says so', async () => {
    const reply = await graphql(tg.url, { query: '{ entitlements { recordAccess recordAccessReason } }', token: t['itaController'], ...ANTI_TRAFFICKING });
    expect(reply.body.data).toEqual({ entitlements: { recordAccess: true, recordAccessReason: null } });
  });

  it('an agreement made aggregate-only by re-import refuses records at once for that purpose', async () => {
    // A copy of the fixture whose anti-trafficking grant keeps its special categories but
    // has every data category at AGGREGATE: aggregate-only, whatever the special categories.
    const world = loadFixture();
    const med = (world['agreements'] as { id: string; grants: { purpose: string; categories: Record<string, string> }[] }[]).find((a) => a.id === MED)!;
    const grant = med.grants.find((g) => g.purpose === 'ANTI_TRAFFICKING')!;
    grant.categories = Object.fromEntries(Object.keys(grant.categories).map((c) => [c, 'AGGREGATE']));
    const other = await startTestGateway({ dbName: 'test_aggregate_only_reimport', clock: () => NOW });
    try {
      await importWorld(other.client, other.db, world, 'small-world-aggregate.json');
      const reply = await graphql(other.url, { query: '{ migrants { edges { node { id victimStatus { status } health { conditions } } } } }', token: t['itaController'], ...ANTI_TRAFFICKING });
      expect([reply.status, codes(reply)]).toEqual([403, ['RECORD_ACCESS_NOT_GRANTED']]);
      expect(reply.body.errors![0]!.message).toContain('its special categories (VICTIM_STATUS, HEALTH) may only be counted');
    } finally {
      await other.close();
    }
  });
});
