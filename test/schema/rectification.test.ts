/**
 * Rectification that covers the record (issue 15, point 5): every stored field of the
 * holder's record can be corrected, validated exactly as an import validates it, and each
 * change is audited with the coordinates changed, never the values. In the schema tier
 * (the gateway's GraphQL layer, no HTTP), on the real test database.
 */
import { startSchemaTier, type SchemaTier, type TierCaller } from '../support/schemaTier';
import type { GraphqlReply } from '../support/testGateway';

const MED = { agreementId: 'AGR-MED-TIP-2024', purpose: 'ANTI_TRAFFICKING' };
const RECTIFY = 'mutation Rectify($id: ID!, $patch: MigrantPatch!) { rectifyMigrant(id: $id, patch: $patch) { id } }';
const ERASE = 'mutation Erase($id: ID!) { eraseMigrant(id: $id, reason: "Request of the data subject") }';
let tg: SchemaTier;
const t: Record<string, TierCaller> = {};
/** Pseudonyms under MED, by internal id. */
const ids: Record<string, string> = {};
const codes = (reply: GraphqlReply) => reply.body.errors?.map((e) => e.extensions?.code);
const stored = (id: string) => tg.db.collection('migrants').findOne({ _id: id as never });

async function rectify(id: string, patch: Record<string, unknown>): Promise<GraphqlReply> {
  return tg.execute({ query: RECTIFY, variables: { id: ids[id], patch }, caller: t['controller'], ...MED });
}

/** The audit event a response names in its privacy report. */
async function auditEventOf(reply: GraphqlReply): Promise<Record<string, unknown>> {
  const auditId = (reply.body.extensions?.['privacy'] as { auditId: string }).auditId;
  const event = await tg.db.collection('auditEvents').findOne({ _id: auditId as never });
  return event as Record<string, unknown>;
}

beforeAll(async () => {
  tg = await startSchemaTier({ dbName: 'test_rectification', fixture: true, clock: () => new Date('2025-06-01T10:00:00Z') });
  t['controller'] = { party: 'ITA', clearance: 'ELEVATED', roles: ['DATA_CONTROLLER'] };
  t['espController'] = { party: 'ESP', roles: ['DATA_CONTROLLER'] };
  t['caseworker'] = { party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] };
  const reply = await tg.execute({ query: '{ migrants(first: 100) { edges { node { id givenName } } } }', caller: t['caseworker'], ...MED });
  expect(reply.body.errors).toBeUndefined();
  const byName = new Map((reply.body.data!['migrants'] as { edges: { node: { id: string; givenName: string } }[] }).edges.map((e) => [e.node.givenName, e.node.id]));
  // Given names are unique in the fixture: pair each pseudonym with its internal id.
  for (const doc of await tg.db.collection('migrants').find({}, { projection: { givenName: 1 } }).toArray()) {
    const pseudonym = byName.get(String(doc['givenName']));
    if (pseudonym) ids[String(doc._id)] = pseudonym;
  }
  for (const id of ['m-0001', 'm-0002', 'm-0003', 'm-0010', 'm-0009']) expect(ids[id]).toBeDefined();
});
afterAll(async () => {
  await tg?.close();
});

describe('every stored field can be corrected', () => {
  it('documents, family links, special categories and the address, stored as the import stores them', async () => {
    const patch = {
      documents: [{ type: 'PASSPORT', number: 'A1234567', issuingCountry: 'NGA', expiresOn: '2031-04-30' }],
      familyIds: [ids['m-0003']],
      address: { line1: 'Via Roma 1', city: 'Palermo', region: 'Sicilia', postalCode: '90100', country: 'ITA' },
      religion: 'Anglican',
      ethnicOrigin: 'Igbo',
      biometrics: { fingerprintTemplate: 'FP-NEW', faceTemplate: null },
      health: { conditions: ['Asthma'], vulnerabilities: ['SURVIVOR_OF_TRAFFICKING'] },
      criminalRecord: { convictions: [{ offence: 'Document fraud', year: 2019, country: 'ITA' }] },
      victimStatus: { status: 'PRESUMED_VICTIM', identifiedOn: '2024-03-02', exploitationType: 'LABOUR' },
    };
    const reply = await rectify('m-0001', patch);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data).toEqual({ rectifyMigrant: { id: ids['m-0001'] } });
    const doc = await stored('m-0001');
    expect(doc).toMatchObject({
      documents: [{ type: 'PASSPORT', number: 'A1234567', issuingCountry: 'NGA', expiresOn: new Date('2031-04-30T00:00:00Z') }],
      familyIds: ['m-0003'],
      address: patch.address,
      religion: 'Anglican',
      ethnicOrigin: 'Igbo',
      biometrics: { fingerprintTemplate: 'FP-NEW', faceTemplate: null },
      health: patch.health,
      criminalRecord: patch.criminalRecord,
      victimStatus: { status: 'PRESUMED_VICTIM', identifiedOn: new Date('2024-03-02T00:00:00Z'), exploitationType: 'LABOUR' },
      givenName: 'Amara',
    });

    // Audited with the coordinates changed, never a value.
    const event = await auditEventOf(reply);
    expect(event['outcome']).toBe('MUTATED');
    const changes = event['changes'] as { subjectId: string; kind: string; coordinates: string[] }[];
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ subjectId: 'm-0001', kind: 'RECTIFIED' });
    expect(changes[0]!.coordinates).toEqual(
      expect.arrayContaining([
        'Migrant.documents', 'TravelDocument.number', 'Migrant.family', 'Migrant.address', 'Address.line1', 'Migrant.religion',
        'Migrant.ethnicOrigin', 'Migrant.biometrics', 'Biometrics.fingerprintTemplate', 'Migrant.health', 'HealthRecord.conditions',
        'Migrant.criminalRecord', 'Conviction.offence', 'Migrant.victimStatus', 'VictimStatus.status', 'VictimStatus.exploitationType',
      ]),
    );
    // Unchanged values are not listed: the city and the country stay.
    for (const same of ['Migrant.givenName', 'Address.city', 'Address.country', 'TravelDocument.issuingCountry']) expect(changes[0]!.coordinates).not.toContain(same);
    const text = JSON.stringify(event);
    for (const value of ['A1234567', 'Palermo', 'Anglican', 'Igbo', 'FP-NEW', 'Asthma', 'Document fraud', 'LABOUR', 'PRESUMED_VICTIM']) {
      expect(text).not.toContain(value);
    }
  });

  it('clears a field given as null, and empties a list given as null', async () => {
    const reply = await rectify('m-0003', { religion: null, documents: null, victimStatus: null });
    expect(reply.body.errors).toBeUndefined();
    expect(await stored('m-0003')).toMatchObject({ religion: null, documents: [], victimStatus: null });
    const changes = (await auditEventOf(reply))['changes'] as { coordinates: string[] }[];
    // m-0003 had no victim status: only what changed is listed.
    expect(changes[0]!.coordinates).toEqual(expect.arrayContaining(['Migrant.religion', 'Migrant.documents']));
    expect(changes[0]!.coordinates).not.toContain('Migrant.victimStatus');
  });

  it('a correction to the value already stored changes nothing and lists no coordinate', async () => {
    const reply = await rectify('m-0001', { religion: 'Anglican' });
    expect(reply.body.errors).toBeUndefined();
    const changes = (await auditEventOf(reply))['changes'] as { coordinates: string[] }[];
    expect(changes[0]!.coordinates).toEqual([]);
  });
});

describe('validated exactly as the import validates a record', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['a bad issuing country', { documents: [{ type: 'PASSPORT', number: 'X1', issuingCountry: 'ng' }] }, 'patch.documents[0].issuingCountry'],
    ['an unreal expiry date', { documents: [{ type: 'PASSPORT', number: 'X1', issuingCountry: 'NGA', expiresOn: '2030-02-30' }] }, 'patch.documents[0].expiresOn'],
    ['a blank document number', { documents: [{ type: 'PASSPORT', number: '  ', issuingCountry: 'NGA' }] }, 'patch.documents[0].number'],
    ['a conviction in the future', { criminalRecord: { convictions: [{ offence: 'Theft', year: 2030, country: 'ITA' }] } }, 'patch.criminalRecord.convictions[0].year'],
    ['a repeated vulnerability', { health: { conditions: [], vulnerabilities: ['PREGNANT', 'PREGNANT'] } }, 'patch.health.vulnerabilities[1]'],
    ['a religion too long', { religion: 'x'.repeat(201) }, 'patch.religion'],
    ['a victim status identified on no real day', { victimStatus: { status: 'IDENTIFIED_VICTIM', identifiedOn: '2024' } }, 'patch.victimStatus.identifiedOn'],
    ['a family link that is no pseudonym', { familyIds: ['m-0002'] }, 'patch.familyIds[0]'],
    ['arrival before birth', { dateOfBirth: '2000-01-01', arrivalDate: '1999-01-01' }, 'patch.arrivalDate'],
  ])('refuses %s, names the field, and changes nothing', async (_name, patch, field) => {
    const before = await stored('m-0002');
    const reply = await rectify('m-0002', patch);
    expect(codes(reply)).toEqual(['BAD_USER_INPUT']);
    expect(reply.body.errors![0]!.message).toContain(field);
    expect(await stored('m-0002')).toEqual(before);
  });

  it('refuses a family link to the record itself, a repeated one and one to an erased record', async () => {
    const before = await stored('m-0002');
    const self = await rectify('m-0002', { familyIds: [ids['m-0002']] });
    expect(codes(self)).toEqual(['BAD_USER_INPUT']);
    expect(self.body.errors![0]!.message).toContain('patch.familyIds[0]: a migrant cannot be their own family member');
    const repeated = await rectify('m-0002', { familyIds: [ids['m-0001'], ids['m-0001']] });
    expect(repeated.body.errors![0]!.message).toContain('patch.familyIds[1]: duplicate');
    const erasedId = ids['m-0009']!;
    expect((await tg.execute({ query: ERASE, variables: { id: erasedId }, caller: t['controller'], ...MED })).body.data).toEqual({ eraseMigrant: true });
    const toErased = await rectify('m-0002', { familyIds: [erasedId] });
    expect(toErased.body.errors![0]!.message).toContain('patch.familyIds[0]: is not a record under this agreement');
    expect(await stored('m-0002')).toEqual(before);
  });

  it('lets only the data controller of the holder correct, and not an erased record', async () => {
    expect(codes(await tg.execute({ query: RECTIFY, variables: { id: ids['m-0002'], patch: { religion: 'X' } }, caller: t['espController'], ...MED }))).toEqual(['FORBIDDEN']);
    expect(codes(await rectify('m-0009', { religion: 'Restored' }))).toEqual(['BAD_USER_INPUT']);
    const tombstone = await stored('m-0009');
    expect(Object.keys(tombstone!).sort()).toEqual(['_id', 'erasedAt', 'erasureReason', 'holder']);
  });
});

describe('erasure is audited with what it removed, never the values', () => {
  it('lists the coordinates that held a value', async () => {
    const reply = await tg.execute({ query: ERASE, variables: { id: ids['m-0010'] }, caller: t['controller'], ...MED });
    expect(reply.body.data).toEqual({ eraseMigrant: true });
    const event = await auditEventOf(reply);
    const changes = event['changes'] as { subjectId: string; kind: string; coordinates: string[] }[];
    expect(changes).toEqual([{ subjectId: 'm-0010', kind: 'ERASED', coordinates: expect.arrayContaining(['Migrant.givenName', 'Migrant.religion', 'Migrant.documents']) }]);
    expect(JSON.stringify(event)).not.toContain('Samuel');
  });
});
