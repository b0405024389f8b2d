/**
 * Recipients are told (issue 15, point 6): a party that received a record before it was
 * rectified or erased gets a notice, with the subject's id under the agreement and the
 * coordinates changed that it received; a party that never received it gets none; a
 * notice never names a field the party did not receive. In the schema tier (the
 * gateway's GraphQL layer, no HTTP), on the real test database, with a clock that moves
 * between steps.
 */
import { startSchemaTier, type SchemaTier, type TierCaller } from '../support/schemaTier';
import type { GraphqlReply } from '../support/testGateway';

const MED = { agreementId: 'AGR-MED-TIP-2024', purpose: 'ANTI_TRAFFICKING' };
const MED_SERVICES = { agreementId: 'AGR-MED-TIP-2024', purpose: 'SERVICE_DELIVERY' };
const MED_STATISTICS = { agreementId: 'AGR-MED-TIP-2024', purpose: 'STATISTICS' };
const READMISSION = { agreementId: 'AGR-ITA-NGA-READMISSION-2023', purpose: 'RETURN_AND_READMISSION' };
const NOTICES = 'query($first: Int, $after: String, $pending: Boolean) { notices(first: $first, after: $after, pending: $pending) { edges { cursor node { id kind subjectId agreementId coordinates at acknowledgedAt acknowledgedBy } } pageInfo { hasNextPage endCursor } } }';
const ACK = 'mutation($id: ID!) { acknowledgeNotice(id: $id) { id kind acknowledgedAt acknowledgedBy } }';
const RECTIFY = 'mutation($id: ID!, $patch: MigrantPatch!) { rectifyMigrant(id: $id, patch: $patch) { id } }';

interface NoticeNode {
  id: string;
  kind: string;
  subjectId: string;
  agreementId: string;
  coordinates: string[];
  at: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

let tg: SchemaTier;
let now = new Date('2025-06-01T10:00:00Z');
/** Moves the gateway's clock on by a minute: each step happens after the one before. */
const tick = () => (now = new Date(now.getTime() + 60_000));
const t: Record<string, TierCaller> = {};
const codes = (reply: GraphqlReply) => reply.body.errors?.map((e) => e.extensions?.code);
let amara = '';
let fatima = '';

async function noticesOf(token: TierCaller | undefined, context: { agreementId: string; purpose: string }, variables: Record<string, unknown> = {}) {
  const reply = await tg.execute({ query: NOTICES, variables, caller: token, ...context });
  expect(reply.body.errors).toBeUndefined();
  return reply.body.data!['notices'] as { edges: { cursor: string; node: NoticeNode }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}
const nodes = async (token: TierCaller | undefined, context = MED) => (await noticesOf(token, context)).edges.map((e) => e.node);

beforeAll(async () => {
  tg = await startSchemaTier({ dbName: 'test_notices', fixture: true, clock: () => now });
  t['itaController'] = { party: 'ITA', clearance: 'ELEVATED', roles: ['DATA_CONTROLLER'] };
  t['itaCaseworker'] = { party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] };
  t['esp'] = { party: 'ESP', clearance: 'ELEVATED', roles: ['CASEWORKER'] };
  t['espController'] = { party: 'ESP', roles: ['DATA_CONTROLLER'] };
  t['grc'] = { party: 'GRC', clearance: 'ELEVATED', roles: ['CASEWORKER'] };
  t['grcController'] = { party: 'GRC', roles: ['DATA_CONTROLLER'] };
  t['iom'] = { party: 'IOM', clearance: 'ELEVATED', roles: ['CASEWORKER'] };
  t['oversight'] = { party: 'IOM', roles: ['OVERSIGHT'] };
  const page = await tg.execute({ query: '{ migrants(first: 100) { edges { node { id givenName } } } }', caller: t['itaCaseworker'], ...MED });
  const byName = new Map((page.body.data!['migrants'] as { edges: { node: { id: string; givenName: string } }[] }).edges.map((e) => [e.node.givenName, e.node.id]));
  amara = byName.get('Amara')!; // m-0001, held by ITA, no consent for ANTI_TRAFFICKING
  fatima = byName.get('Fatima')!; // m-0004, consent for ANTI_TRAFFICKING: health disclosed
  expect(amara && fatima).toBeTruthy();
});
afterAll(async () => {
  await tg?.close();
});

describe('notices to the parties that received a record', () => {
  it('ESP receives Amara\'s name (her health withheld) in the same response as Fatima\'s health; GRC receives nothing of her', async () => {
    tick();
    const read = await tg.execute({
      query: 'query($a: ID!, $f: ID!) { a: migrant(id: $a) { givenName health { conditions } } f: migrant(id: $f) { givenName health { conditions } } }',
      variables: { a: amara, f: fatima },
      caller: t['esp'],
      ...MED,
    });
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data).toEqual({ a: { givenName: 'Amara', health: null }, f: { givenName: 'Fatima', health: { conditions: ['PTSD'] } } });
    // The audit event records that Amara received less than the response as a whole.
    const auditId = (read.body.extensions!['privacy'] as { auditId: string }).auditId;
    const event = await tg.db.collection('auditEvents').findOne({ _id: auditId as never });
    expect(event!['partialSubjects']).toEqual([{ subjectIds: ['m-0001'], coordinates: ['Migrant.givenName'] }]);
    // Each subject's disclosure history says what it received, not what the response held.
    const history = async (m: string) => {
      const reply = await tg.execute({ query: 'query($m: ID!) { disclosureHistory(migrantId: $m, first: 1) { edges { node { coordinates } } } }', variables: { m }, caller: t['oversight'], ...MED });
      return (reply.body.data!['disclosureHistory'] as { edges: { node: { coordinates: string[] } }[] }).edges[0]!.node.coordinates;
    };
    expect(await history(amara)).toEqual(['Migrant.givenName']);
    expect(await history(fatima)).toEqual(['Migrant.givenName', 'Migrant.health']);
    tick();
    expect((await tg.execute({ query: 'query($f: ID!) { migrant(id: $f) { givenName } }', variables: { f: fatima }, caller: t['grc'], ...MED })).body.errors).toBeUndefined();
  });

  it('a rectification of a field the party did not receive is not told (it would reveal the field)', async () => {
    tick();
    const reply = await tg.execute({ query: RECTIFY, variables: { id: amara, patch: { health: { conditions: ['anaemia', 'asthma'], vulnerabilities: ['PREGNANT'] } } }, caller: t['itaController'], ...MED });
    expect(reply.body.errors).toBeUndefined();
    expect(await nodes(t['esp']!)).toEqual([]);
  });

  it('a rectification of what the party received is told once, with the subject\'s id under the agreement', async () => {
    tick();
    const changedAt = now.toISOString();
    const reply = await tg.execute({
      query: RECTIFY,
      variables: { id: amara, patch: { givenName: 'Amarachi', documents: [{ type: 'PASSPORT', number: 'B7654321', issuingCountry: 'NGA' }] } },
      caller: t['itaController'],
      ...MED,
    });
    expect(reply.body.errors).toBeUndefined();
    // ESP read Amara once more before the change: still one notice.
    const esp = await nodes(t['esp']!);
    expect(esp).toEqual([
      { id: expect.stringMatching(/^n_/), kind: 'RECTIFICATION', subjectId: amara, agreementId: 'AGR-MED-TIP-2024', coordinates: ['Migrant.givenName'], at: changedAt, acknowledgedAt: null, acknowledgedBy: null },
    ]);
    expect(await nodes(t['grc']!)).toEqual([]);
    // The party that made the change is not told, though it read the record.
    expect(await nodes(t['itaCaseworker']!)).toEqual([]);
    // Not under another purpose: nothing went out under it.
    expect(await nodes(t['esp']!, MED_SERVICES)).toEqual([]);
  });

  it('a party that received the record only after a rectification is told of the erasure alone', async () => {
    tick();
    const read = await tg.execute({ query: 'query($a: ID!) { migrant(id: $a) { givenName familyName } }', variables: { a: amara }, caller: t['iom'], ...MED });
    expect(read.body.data).toEqual({ migrant: { givenName: 'Amarachi', familyName: 'Okafor' } });
    tick();
    const erased = await tg.execute({ query: 'mutation($id: ID!) { eraseMigrant(id: $id, reason: "Subject request") }', variables: { id: amara }, caller: t['itaController'], ...MED });
    expect(erased.body.data).toEqual({ eraseMigrant: true });
    const iom = await nodes(t['iom']!);
    expect(iom).toEqual([expect.objectContaining({ kind: 'ERASURE', subjectId: amara, coordinates: ['Migrant.familyName', 'Migrant.givenName'] })]);
    const esp = await nodes(t['esp']!);
    expect(esp.map((n) => [n.kind, n.coordinates])).toEqual([
      ['RECTIFICATION', ['Migrant.givenName']],
      ['ERASURE', ['Migrant.givenName']],
    ]);
    expect(await nodes(t['grc']!)).toEqual([]);
    // The erased subject's id resolves to nothing.
    const direct = await tg.execute({ query: 'query($a: ID!) { migrant(id: $a) { id } }', variables: { a: esp[1]!.subjectId }, caller: t['esp'], ...MED });
    expect(direct.body.data).toEqual({ migrant: null });
  });

  it('pages with first and after', async () => {
    const first = await noticesOf(t['esp']!, MED, { first: 1 });
    expect(first.edges).toHaveLength(1);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(first.edges[0]!.node.kind).toBe('RECTIFICATION');
    const second = await noticesOf(t['esp']!, MED, { first: 1, after: first.pageInfo.endCursor });
    expect(second.edges.map((e) => e.node.kind)).toEqual(['ERASURE']);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const none = await noticesOf(t['esp']!, MED, { first: 1, after: second.pageInfo.endCursor });
    expect(none.edges).toEqual([]);
    for (const after of ['nope', 'n_AAAA', amara]) {
      expect(codes(await tg.execute({ query: NOTICES, variables: { after }, caller: t['esp'], ...MED }))).toEqual(['BAD_USER_INPUT']);
    }
    expect(codes(await tg.execute({ query: NOTICES, variables: { first: -1 }, caller: t['esp'], ...MED }))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('acknowledgement', () => {
  it('is for the receiving party\'s data controller, audited, and the first one stands', async () => {
    const [rectification] = await nodes(t['esp']!);
    expect(codes(await tg.execute({ query: ACK, variables: { id: rectification!.id }, caller: t['esp'], ...MED }))).toEqual(['FORBIDDEN']);
    // Another party cannot acknowledge it, nor anyone with a forged id, nor under another agreement.
    expect(codes(await tg.execute({ query: ACK, variables: { id: rectification!.id }, caller: t['grcController'], ...MED }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await tg.execute({ query: ACK, variables: { id: `${rectification!.id.slice(0, -2)}AA` }, caller: t['espController'], ...MED }))).toEqual(['BAD_USER_INPUT']);
    // A notice id decodes only under its own agreement's key.
    expect(codes(await tg.execute({ query: ACK, variables: { id: rectification!.id }, caller: t['itaController'], ...READMISSION }))).toEqual(['BAD_USER_INPUT']);

    tick();
    const acknowledgedAt = now.toISOString();
    const ack = await tg.execute({ query: ACK, variables: { id: rectification!.id }, caller: t['espController'], ...MED });
    expect(ack.body.data).toEqual({ acknowledgeNotice: { id: rectification!.id, kind: 'RECTIFICATION', acknowledgedAt, acknowledgedBy: 'ESP-AGENCY' } });
    const auditId = (ack.body.extensions!['privacy'] as { auditId: string }).auditId;
    expect(await tg.db.collection('auditEvents').findOne({ _id: auditId as never })).toMatchObject({ outcome: 'MUTATED', operationName: null, party: 'ESP', subjectIds: ['m-0001'] });

    tick();
    const again = await tg.execute({ query: ACK, variables: { id: rectification!.id }, caller: t['espController'], ...MED });
    expect((again.body.data!['acknowledgeNotice'] as NoticeNode).acknowledgedAt).toBe(acknowledgedAt);

    const pending = await noticesOf(t['esp']!, MED, { pending: true });
    expect(pending.edges.map((e) => e.node.kind)).toEqual(['ERASURE']);
    const all = await nodes(t['esp']!);
    expect(all[0]).toMatchObject({ acknowledgedAt, acknowledgedBy: 'ESP-AGENCY' });
  });

  it('is not offered under an aggregate-only grant', async () => {
    expect(codes(await tg.execute({ query: NOTICES, caller: t['esp'], ...MED_STATISTICS }))).toEqual(['RECORD_ACCESS_NOT_GRANTED']);
  });

  it('listing notices is itself audited, naming the subjects', async () => {
    const reply = await tg.execute({ query: NOTICES, caller: t['iom'], ...MED });
    const auditId = (reply.body.extensions!['privacy'] as { auditId: string }).auditId;
    expect(await tg.db.collection('auditEvents').findOne({ _id: auditId as never })).toMatchObject({ outcome: 'DISCLOSED', party: 'IOM', subjectIds: ['m-0001'] });
  });
});
