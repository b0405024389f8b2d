/** Rectification, erasure and disclosure history in the schema tier, on the real database. */
import { startSchemaTier, type SchemaTier, type TierCaller } from '../support/schemaTier';
import type { GraphqlReply } from '../support/testGateway';

const MED = { agreementId: 'AGR-MED-TIP-2024', purpose: 'ANTI_TRAFFICKING' };
const PAGE = '{ migrants(first: 50) { totalCount edges { node { id givenName familyName dateOfBirth address { country } } } } }';
let tg: SchemaTier;
const t: Record<string, TierCaller> = {};
const codes = (reply: GraphqlReply) => reply.body.errors?.map((e) => e.extensions?.code);

type Node = { id: string; givenName: string; familyName: string; dateOfBirth: string };
async function page(): Promise<{ totalCount: number; edges: { node: Node }[] }> {
  const reply = await tg.execute({ query: PAGE, caller: t['ita'], ...MED });
  expect(reply.body.errors).toBeUndefined();
  return reply.body.data!['migrants'] as never;
}
const byName = async (name: string) => (await page()).edges.find((e) => e.node.givenName === name)?.node;

beforeAll(async () => {
  tg = await startSchemaTier({ dbName: 'test_subject_rights', fixture: true, clock: () => new Date('2025-06-01T10:00:00Z') });
  t['ita'] = { party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] };
  t['itaController'] = { party: 'ITA', clearance: 'ELEVATED', roles: ['DATA_CONTROLLER'] };
  t['espController'] = { party: 'ESP', roles: ['DATA_CONTROLLER'] };
  t['espCaseworker'] = { party: 'ESP', roles: ['CASEWORKER'] };
  t['oversight'] = { party: 'IOM', roles: ['OVERSIGHT'] };
});
afterAll(async () => {
  await tg?.close();
});

const RECTIFY = 'mutation Rectify($id: ID!, $patch: MigrantPatch!) { rectifyMigrant(id: $id, patch: $patch) { id givenName dateOfBirth } }';
const ERASE = 'mutation Erase($id: ID!) { eraseMigrant(id: $id, reason: "Request of the data subject, ref DS-12") }';
const HISTORY = 'query($m: ID!) { disclosureHistory(migrantId: $m) { edges { node { at party agency agreementId purpose operationName coordinates } } } }';

describe('rectification', () => {
  it('corrects the holder\'s record, validated, and the next read shows it', async () => {
    const emeka = (await byName('Emeka'))!;
    const reply = await tg.execute({ query: RECTIFY, variables: { id: emeka.id, patch: { givenName: 'Chukwuemeka', dateOfBirth: '1988-10-31' } }, caller: t['itaController'], ...MED });
    expect(reply.body.data).toEqual({ rectifyMigrant: { id: emeka.id, givenName: 'Chukwuemeka', dateOfBirth: '1988-10-31' } });
    expect((await byName('Chukwuemeka'))!.id).toBe(emeka.id);
  });

  it.each<[string, Record<string, unknown>]>([
    ['an unreal date', { dateOfBirth: '1988-02-30' }],
    ['a reduced-precision date', { dateOfBirth: '1988' }],
    ['a bad country code', { nationality: 'Nigeria' }],
    ['an empty name', { familyName: ' ' }],
    ['arrival before birth', { dateOfBirth: '2000-01-01', arrivalDate: '1999-01-01' }],
    ['nothing', {}],
  ])('refuses %s and changes nothing', async (_name, patch) => {
    const before = await tg.db.collection('migrants').findOne({ _id: 'm-0001' as never });
    const amara = (await byName('Amara'))!;
    expect(codes(await tg.execute({ query: RECTIFY, variables: { id: amara.id, patch }, caller: t['itaController'], ...MED }))).toEqual(['BAD_USER_INPUT']);
    expect(await tg.db.collection('migrants').findOne({ _id: 'm-0001' as never })).toEqual(before);
  });

  it('is for the data controller of the holder only', async () => {
    const amara = (await byName('Amara'))!;
    for (const token of [t['ita'], t['espController']]) {
      expect(codes(await tg.execute({ query: RECTIFY, variables: { id: amara.id, patch: { givenName: 'X' } }, caller: token, ...MED }))).toEqual(['FORBIDDEN']);
    }
  });
});

describe('disclosure history', () => {
  it('lists who saw what about a subject, for oversight and the holder\'s data controller only', async () => {
    const amara = (await byName('Amara'))!;
    const history = await tg.execute({ query: HISTORY, variables: { m: amara.id }, caller: t['oversight'], ...MED });
    expect(history.body.errors).toBeUndefined();
    const entries = (history.body.data!['disclosureHistory'] as { edges: { node: { party: string; coordinates: string[]; purpose: string } }[] }).edges.map((e) => e.node);
    expect(entries.length).toBeGreaterThan(0);
    expect(entries[0]).toMatchObject({ party: 'ITA', agency: 'ITA-AGENCY', agreementId: 'AGR-MED-TIP-2024', purpose: 'ANTI_TRAFFICKING' });
    expect(entries[0]!.coordinates).toEqual(expect.arrayContaining(['Migrant.givenName', 'Migrant.dateOfBirth']));
    expect((await tg.execute({ query: HISTORY, variables: { m: amara.id }, caller: t['itaController'], ...MED })).body.errors).toBeUndefined();
    for (const token of [t['ita'], t['espController']]) {
      expect(codes(await tg.execute({ query: HISTORY, variables: { m: amara.id }, caller: token, ...MED }))).toEqual(['FORBIDDEN']);
    }
  });
});

describe('erasure', () => {
  it('removes the personal data, keeps a tombstone, and the record is never returned again', async () => {
    const before = await page();
    const blessing = (await byName('Blessing'))!;
    expect(codes(await tg.execute({ query: ERASE, variables: { id: blessing.id }, caller: t['espController'], ...MED }))).toEqual(['FORBIDDEN']);
    const erased = await tg.execute({ query: ERASE, variables: { id: blessing.id }, caller: t['itaController'], ...MED });
    expect(erased.body.data).toEqual({ eraseMigrant: true });

    const stored = await tg.db.collection('migrants').findOne({ _id: 'm-0009' as never });
    expect(Object.keys(stored!).sort()).toEqual(['_id', 'erasedAt', 'erasureReason', 'holder']);
    expect(stored).toMatchObject({ holder: 'ITA', erasureReason: 'Request of the data subject, ref DS-12' });
    expect(await tg.db.collection('consents').countDocuments({ migrantId: 'm-0009' })).toBe(0);

    const after = await page();
    expect(after.totalCount).toBe(before.totalCount - 1);
    expect(after.edges.some((e) => e.node.id === blessing.id)).toBe(false);
    const direct = await tg.execute({ query: 'query($id: ID!) { migrant(id: $id) { id } }', variables: { id: blessing.id }, caller: t['ita'], ...MED });
    expect(direct.body.data).toEqual({ migrant: null });
    expect(codes(await tg.execute({ query: ERASE, variables: { id: blessing.id }, caller: t['itaController'], ...MED }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await tg.execute({ query: HISTORY, variables: { m: blessing.id }, caller: t['oversight'], ...MED }))).toEqual(['BAD_USER_INPUT']);
  });
});
