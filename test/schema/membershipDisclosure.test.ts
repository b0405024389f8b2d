/**
 * Membership is a disclosure (contract section 5), in the schema tier on the shared fixture:
 * a read that returns records selected by a filter discloses the filtered fields of those
 * records, selected or not; a read that returns records at all discloses that they exist
 * (their pseudonyms and holders). Both show in `extensions.privacy` (DISCLOSED, once per
 * record and field) and in the audit event (the records as subjects, the coordinates as
 * DISCLOSED), and an ids-only read is audited like any other.
 *
 * Clock 2025-06-01. Under AGR-MED-TIP-2024 the scope holds m-0001 … m-0011; under
 * AGR-ITA-NGA-READMISSION-2023 (retention 730 days, NATIONALS_OF_PARTIES for
 * RETURN_AND_READMISSION) m-0001 … m-0003. The expected subjects come from the fixture
 * file itself, not from the gateway.
 */
import { AUDIT_EVENTS } from '../../src/data/auditStore';
import { startSchemaTier, type SchemaTier, type TierCaller } from '../support/schemaTier';
import { loadFixture, type GraphqlReply } from '../support/testGateway';

const NOW = new Date('2025-06-01T12:00:00Z');
const MED = { agreementId: 'AGR-MED-TIP-2024', purpose: 'ANTI_TRAFFICKING' };
const READMISSION = { agreementId: 'AGR-ITA-NGA-READMISSION-2023', purpose: 'RETURN_AND_READMISSION' };
const LAW_ENFORCEMENT = { agreementId: 'AGR-ITA-NGA-READMISSION-2023', purpose: 'LAW_ENFORCEMENT' };

type FixtureMigrant = { id: string; nationality: string | null; legalStatus: string | null; holder: string; familyName: string; arrivalDate: string | null; recordedAt: string; documents: { number: string }[] };
const fixture = loadFixture()['migrants'] as FixtureMigrant[];
/** MED-TIP scope on 2025-06-01 (retention 3,650 days: recorded on or after 2015-06-04). */
const medScope = fixture.filter((m) => m.recordedAt >= '2015-06-04');
const idsWhere = (where: (m: FixtureMigrant) => boolean): string[] => medScope.filter(where).map((m) => m.id).sort();

interface Report {
  agreement: string;
  purpose: string;
  fields: { coordinate: string; action: string; reason?: string; count: number }[];
  auditId: string | null;
}
interface AuditEvent {
  subjectIds: string[];
  coordinates: { DISCLOSED: string[]; MINIMISED: string[]; REDACTED: string[] };
  outcome: string;
  operationName: string | null;
}

let tg: SchemaTier;
const t: Record<string, TierCaller> = {};
const codes = (reply: GraphqlReply) => (reply.body.errors ?? []).map((e) => e.extensions?.code);

beforeAll(async () => {
  tg = await startSchemaTier({ dbName: 'test_membership_disclosure', fixture: true, clock: () => NOW, env: { RATE_LIMIT_PER_MINUTE: '0' } });
  t['ita'] = { party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] };
  t['nga'] = { party: 'NGA', roles: ['CASEWORKER'] };
  t['oversight'] = { party: 'IOM', roles: ['OVERSIGHT'] };
});
afterAll(async () => {
  await tg?.close();
});

/** Runs `query`, checks it succeeded, and returns its data, report and audit event. */
async function read(query: string, context: { agreementId: string; purpose: string } = MED, token = t['ita']!, variables?: Record<string, unknown>) {
  const reply = await tg.execute({ query, caller: token, ...context, ...(variables ? { variables } : {}) });
  expect([reply.status, codes(reply)]).toEqual([200, []]);
  const report = reply.body.extensions?.['privacy'] as Report;
  expect(report).toMatchObject({ agreement: context.agreementId, purpose: context.purpose });
  expect(report.auditId).toEqual(expect.any(String));
  const event = (await tg.db.collection(AUDIT_EVENTS).findOne({ _id: report.auditId as never })) as AuditEvent | null;
  expect(event).not.toBeNull();
  return { data: reply.body.data!, report, event: event! };
}

/** `{ coordinate: "ACTION xCOUNT" }` of a report (one entry per coordinate and outcome is asserted). */
function entries(report: Report): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of report.fields) {
    const key = `${f.coordinate} ${f.action}${f.reason ? ` ${f.reason}` : ''}`;
    expect(out[key]).toBeUndefined();
    out[key] = `x${f.count}`;
  }
  return out;
}

type Edges = { edges: { cursor: string; node: Record<string, unknown> }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

describe('a filtered read discloses the filtered fields of every record it returns', () => {
  it('nationality: DISCLOSED once per record returned, though not selected; the records are the audit event\'s subjects', async () => {
    const nga = idsWhere((m) => m.nationality === 'NGA');
    expect(nga).toHaveLength(5);
    const { data, report, event } = await read('query ByNationality { migrants(filter: { nationality: "NGA" }) { edges { node { id } } } }');
    expect((data['migrants'] as Edges).edges).toHaveLength(5);
    expect(entries(report)).toEqual({ 'Migrant.nationality DISCLOSED': 'x5' });
    expect(event).toMatchObject({ outcome: 'DISCLOSED', operationName: 'ByNationality', subjectIds: nga, coordinates: { DISCLOSED: ['Migrant.nationality'], MINIMISED: [], REDACTED: [] } });
  });

  it('counts a record once where the filtered field is selected too', async () => {
    const { report } = await read('{ migrants(filter: { nationality: "NGA" }) { edges { node { id nationality } } } }');
    expect(entries(report)).toEqual({ 'Migrant.nationality DISCLOSED': 'x5' });
    // Two filtered reads of the same records in one response: still once per record.
    const twice = await read('{ a: migrants(filter: { nationality: "NGA" }) { edges { node { id } } } b: migrants(filter: { nationality: "NGA", legalStatus: ASYLUM_SEEKER }) { edges { node { id } } } }');
    expect(entries(twice.report)).toEqual({ 'Migrant.nationality DISCLOSED': 'x5', 'Migrant.legalStatus DISCLOSED': 'x2' });
  });

  it.each<[string, Record<string, unknown>, string[], (m: FixtureMigrant) => boolean]>([
    ['legal status', { legalStatus: 'REFUGEE' }, ['Migrant.legalStatus'], (m) => m.legalStatus === 'REFUGEE'],
    ['family name', { familyName: 'Okafor' }, ['Migrant.familyName'], (m) => m.familyName === 'Okafor'],
    ['arrival dates (both bounds: one field)', { arrivedAfter: '2020', arrivedBefore: '2022-06' }, ['Migrant.arrivalDate'], (m) => m.arrivalDate !== null && m.arrivalDate >= '2020-01-01' && m.arrivalDate <= '2022-06-30'],
    ['holder (not personal data) and nationality', { holder: 'ITA', nationality: 'NGA' }, ['Migrant.nationality'], (m) => m.holder === 'ITA' && m.nationality === 'NGA'],
    ['holder alone: no field, the records still subjects', { holder: 'GRC' }, [], (m) => m.holder === 'GRC'],
  ])('%s', async (_name, filter, coordinates, where) => {
    const expected = idsWhere(where);
    expect(expected.length).toBeGreaterThan(0);
    const { data, report, event } = await read('query($f: MigrantFilter) { migrants(filter: $f) { edges { node { id } } } }', MED, t['ita'], { f: filter });
    expect((data['migrants'] as Edges).edges).toHaveLength(expected.length);
    expect(entries(report)).toEqual(Object.fromEntries(coordinates.map((c) => [`${c} DISCLOSED`, `x${expected.length}`])));
    expect(event.subjectIds).toEqual(expected);
    expect(event.coordinates.DISCLOSED).toEqual(coordinates);
  });

  it('a document number (where documents are FULL: the readmission MoU, whose scope adds nationality)', async () => {
    const { data, report, event } = await read('{ migrants(filter: { documentNumber: "A12345678" }) { edges { node { id } } } }', READMISSION);
    expect((data['migrants'] as Edges).edges).toHaveLength(1);
    expect(entries(report)).toEqual({ 'Migrant.nationality DISCLOSED': 'x1', 'TravelDocument.number DISCLOSED': 'x1' });
    expect(event.subjectIds).toEqual(['m-0001']);
    expect(event.coordinates.DISCLOSED).toEqual(['Migrant.nationality', 'TravelDocument.number']);
    // Selecting the numbers too: still once per record.
    const selected = await read('{ migrants(filter: { documentNumber: "A12345678" }) { edges { node { documents { number } } } } }', READMISSION);
    expect(entries(selected.report)).toEqual({ 'Migrant.documents DISCLOSED': 'x1', 'Migrant.nationality DISCLOSED': 'x1', 'TravelDocument.number DISCLOSED': 'x1' });
  });

  it('paging: each page discloses and audits exactly its own records; cursors alone are disclosures', async () => {
    const all = idsWhere((m) => m.nationality === 'NGA');
    const query = 'query($after: String) { migrants(filter: { nationality: "NGA" }, first: 2, after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } } }';
    const seen: string[] = [];
    let after: string | null = null;
    for (const size of [2, 2, 1]) {
      const { data, report, event } = await read(query, MED, t['ita'], { after });
      const page = data['migrants'] as Edges;
      expect(page.edges).toHaveLength(size);
      expect(entries(report)).toEqual({ 'Migrant.nationality DISCLOSED': `x${size}` });
      expect(event.subjectIds).toHaveLength(size);
      seen.push(...event.subjectIds);
      after = page.pageInfo.endCursor;
    }
    expect(seen.sort()).toEqual(all);
  });

  it('only the end cursor selected: the page\'s records are still disclosed (the cursor is a pseudonym)', async () => {
    const { report, event } = await read('{ migrants(filter: { nationality: "NGA" }, first: 3) { pageInfo { endCursor } } }');
    expect(entries(report)).toEqual({ 'Migrant.nationality DISCLOSED': 'x3' });
    expect(event.subjectIds).toHaveLength(3);
  });

  it('the row scope is a filter too: NATIONALS_OF_PARTIES discloses each record\'s nationality as a national of a party', async () => {
    const { data, report, event } = await read('{ migrants { edges { node { id } } } }', READMISSION);
    expect((data['migrants'] as Edges).edges).toHaveLength(3);
    expect(entries(report)).toEqual({ 'Migrant.nationality DISCLOSED': 'x3' });
    expect(event.subjectIds).toEqual(['m-0001', 'm-0002', 'm-0003']);
    expect(event.coordinates.DISCLOSED).toEqual(['Migrant.nationality']);
  });
});

describe('a read that returns only ids and holders is audited like any other', () => {
  it('migrants with id and holder: an audit event with every record as a subject, no coordinate', async () => {
    const { data, report, event } = await read('query Ids { migrants(first: 50) { edges { node { id holder { code } } } } }');
    expect((data['migrants'] as Edges).edges).toHaveLength(11);
    expect(report.fields).toEqual([]);
    expect(event).toMatchObject({ outcome: 'DISCLOSED', operationName: 'Ids', subjectIds: medScope.map((m) => m.id).sort(), coordinates: { DISCLOSED: [], MINIMISED: [], REDACTED: [] } });
  });

  it('migrant(id:), family and request subjects: each record returned is a subject', async () => {
    const page = await read('{ migrants(filter: { familyName: "Okafor" }) { edges { node { id givenName } } } }');
    const amara = (page.data['migrants'] as Edges).edges.find((e) => e.node['givenName'] === 'Amara')!.node['id'] as string;
    const one = await read('query($id: ID!) { migrant(id: $id) { id } }', MED, t['ita'], { id: amara });
    expect(one.data).toEqual({ migrant: { id: amara } });
    expect(one.event.subjectIds).toEqual(['m-0001']);
    const family = await read('query($id: ID!) { migrant(id: $id) { family { id } } }', MED, t['ita'], { id: amara });
    expect(family.event.subjectIds).toEqual(['m-0001', 'm-0002']);
    // NGA's requests under the readmission MoU: req-0001 names m-0003 (in scope); the others' subjects are out of scope.
    const requests = await read('{ dataRequests { id subjects { id } } }', LAW_ENFORCEMENT, t['nga']);
    expect((requests.data['dataRequests'] as { subjects: unknown[] }[]).flatMap((r) => r.subjects)).toHaveLength(1);
    expect(requests.event.subjectIds).toEqual(['m-0003']);
  });

  it('a read that found nothing is audited too, without subjects', async () => {
    const none = await read('{ migrants(filter: { nationality: "FRA" }) { totalCount edges { node { id } } } }');
    expect(none.data).toEqual({ migrants: { totalCount: 0, edges: [] } });
    expect(none.report.fields).toEqual([]);
    expect(none.event.subjectIds).toEqual([]);
    const unknown = await read('{ migrant(id: "p_not-a-pseudonym") { id } }');
    expect(unknown.data).toEqual({ migrant: null });
    expect(unknown.event.subjectIds).toEqual([]);
  });

  it('the subject\'s disclosure history names the ids-only read and the filtered one', async () => {
    const page = await read('{ migrants(filter: { familyName: "Nwosu" }) { edges { node { id } } } }');
    const emeka = (page.data['migrants'] as Edges).edges[0]!.node['id'] as string;
    await read('query OnlyIds { migrants(first: 50) { edges { node { id } } } }');
    await read('query Nigerians { migrants(filter: { nationality: "NGA" }) { edges { node { id } } } }');
    const reply = await tg.execute({
      query: 'query($m: ID!) { disclosureHistory(migrantId: $m) { edges { node { operationName coordinates } } } }',
      variables: { m: emeka },
      caller: t['oversight'],
      agreementId: 'AGR-MED-TIP-2024',
      purpose: 'ANTI_TRAFFICKING',
    });
    expect(codes(reply)).toEqual([]);
    const history = (reply.body.data!['disclosureHistory'] as { edges: { node: { operationName: string | null; coordinates: string[] } }[] }).edges.map((e) => e.node);
    expect(history).toEqual(expect.arrayContaining([{ operationName: 'OnlyIds', coordinates: [] }, { operationName: 'Nigerians', coordinates: ['Migrant.nationality'] }]));
  });
});
