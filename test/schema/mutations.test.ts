/**
 * Data requests and consent in the schema tier on the real database: the worked example from
 * submission to approval to the widened query, the state machine and its race, each
 * permission of contract section 7, bad input, and consent taking effect at once.
 */
import type { AuditEvent } from '../../src/audit/chain';
import { AUDIT_EVENTS } from '../../src/data/auditStore';
import { startSchemaTier, type SchemaTier, type TierCaller } from '../support/schemaTier';
import type { GraphqlReply } from '../support/testGateway';

const AGR = 'AGR-ITA-NGA-READMISSION-2023';
const LE = { agreementId: AGR, purpose: 'LAW_ENFORCEMENT' };
const RR = { agreementId: AGR, purpose: 'RETURN_AND_READMISSION' };
const SUBMIT = `mutation Submit($input: SubmitDataRequestInput!) {
  submitDataRequest(input: $input) { id status requestingParty { code } requestedParty { code } categories subjects { id } } }`;
const DECIDE = `mutation Decide($id: ID!, $decision: RequestDecision!, $categories: [DataCategory!], $validUntil: PartialDate, $note: String) {
  decideDataRequest(id: $id, decision: $decision, categories: $categories, validUntil: $validUntil, note: $note) { id status categories validUntil decidedAt decisionNote } }`;
const NAMES = '{ migrants(first: 20) { totalCount edges { node { id givenName familyName } } } }';

let tg: SchemaTier;
const tokens: Record<string, TierCaller> = {};
let amara: string;

const codes = (reply: GraphqlReply) => reply.body.errors?.map((e) => e.extensions?.code);
const data = <T>(reply: GraphqlReply, key: string): T => {
  expect(reply.body.errors).toBeUndefined();
  return reply.body.data![key] as T;
};

beforeAll(async () => {
  tg = await startSchemaTier({ dbName: 'test_mutations', fixture: true, clock: () => new Date('2025-06-01T10:00:00Z') });
  tokens['nga'] = { party: 'NGA', roles: ['CASEWORKER'] };
  tokens['ngaController'] = { party: 'NGA', roles: ['DATA_CONTROLLER'] };
  tokens['ita'] = { party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] };
  tokens['itaController'] = { party: 'ITA', clearance: 'ELEVATED', roles: ['DATA_CONTROLLER'] };
  tokens['espController'] = { party: 'ESP', clearance: 'ELEVATED', roles: ['DATA_CONTROLLER'] };
  // NGA finds the pseudonym under the readmission purpose (nationals of the parties).
  const page = data<{ edges: { node: { id: string; givenName: string } }[] }>(await tg.execute({ query: NAMES, caller: tokens['nga'], ...RR }), 'migrants');
  amara = page.edges.find((e) => e.node.givenName === 'Amara')!.node.id;
});
afterAll(async () => {
  await tg?.close();
});

function submit(variables: Record<string, unknown>, token = tokens['nga']!) {
  const input = {
    agreementId: AGR,
    requestedParty: 'ITA',
    purpose: 'LAW_ENFORCEMENT',
    subjectIds: [amara],
    categories: ['IDENTITY', 'CASE_HISTORY'],
    justification: 'Investigation NG-EFCC-2025-201',
    ...variables,
  };
  return tg.execute({ query: SUBMIT, variables: { input }, caller: token, ...LE });
}

describe('a data request, from submission to approval to the widened query', () => {
  it('works end to end', async () => {
    const before = data<{ totalCount: number }>(await tg.execute({ query: NAMES, caller: tokens['nga'], ...LE }), 'migrants');
    expect(before.totalCount).toBe(1); // m-0003, of the approved req-0001

    const submitted = data<{ id: string; status: string; subjects: { id: string }[] }>(await submit({ validDays: 30 }), 'submitDataRequest');
    expect(submitted).toMatchObject({ status: 'PENDING', requestingParty: { code: 'NGA' }, requestedParty: { code: 'ITA' }, categories: ['IDENTITY', 'CASE_HISTORY'] });

    const approved = data<Record<string, unknown>>(
      await tg.execute({ query: DECIDE, variables: { id: submitted.id, decision: 'APPROVE', categories: ['IDENTITY'], note: 'Approved for identity only' }, caller: tokens['itaController'], ...LE }),
      'decideDataRequest',
    );
    expect(approved).toEqual({ id: submitted.id, status: 'APPROVED', categories: ['IDENTITY'], validUntil: '2025-07-01', decidedAt: '2025-06-01', decisionNote: 'Approved for identity only' });

    // REQUESTED_ONLY now covers Amara; with the request named, IDENTITY (MINIMISED in the grant) is FULL for her.
    const widened = data<{ totalCount: number; edges: { node: { id: string; givenName: string; familyName: string } }[] }>(
      await tg.execute({ query: NAMES, caller: tokens['nga'], ...LE, dataRequestId: submitted.id }),
      'migrants',
    );
    expect(widened.totalCount).toBe(2);
    expect(widened.edges.find((e) => e.node.id === amara)!.node).toMatchObject({ givenName: 'Amara', familyName: 'Okafor' });
    const unnamed = data<{ edges: { node: { id: string; givenName: string } }[] }>(await tg.execute({ query: NAMES, caller: tokens['nga'], ...LE }), 'migrants');
    expect(unnamed.edges.find((e) => e.node.id === amara)!.node.givenName).toBe('A.');

    const again = await tg.execute({ query: DECIDE, variables: { id: submitted.id, decision: 'DENY' }, caller: tokens['itaController'], ...LE });
    expect(codes(again)).toEqual(['BAD_USER_INPUT']);
    expect(again.body.errors![0]!.message).toBe('The data request is no longer PENDING; nothing was changed.');
  });

  it('of two concurrent decisions exactly one wins; the other changes nothing', async () => {
    const { id } = data<{ id: string }>(await submit({}), 'submitDataRequest');
    const [a, b] = await Promise.all([
      tg.execute({ query: DECIDE, variables: { id, decision: 'APPROVE' }, caller: tokens['itaController'], ...LE }),
      tg.execute({ query: DECIDE, variables: { id, decision: 'DENY' }, caller: tokens['itaController'], ...LE }),
    ]);
    const winners = [a, b].filter((r) => !r.body.errors);
    const losers = [a, b].filter((r) => r.body.errors);
    expect(winners).toHaveLength(1);
    expect(losers.map(codes)).toEqual([['BAD_USER_INPUT']]);
    const stored = await tg.db.collection('dataRequests').findOne({ _id: id as never });
    expect(stored?.['status']).toBe((winners[0]!.body.data!['decideDataRequest'] as { status: string }).status);
  });

  it('withdraws a pending request, once, by the requesting party only', async () => {
    const { id } = data<{ id: string }>(await submit({}), 'submitDataRequest');
    const WITHDRAW = 'mutation($id: ID!) { withdrawDataRequest(id: $id) { status } }';
    expect(codes(await tg.execute({ query: WITHDRAW, variables: { id }, caller: tokens['itaController'], ...LE }))).toEqual(['FORBIDDEN']);
    expect(data(await tg.execute({ query: WITHDRAW, variables: { id }, caller: tokens['nga'], ...LE }), 'withdrawDataRequest')).toEqual({ status: 'WITHDRAWN' });
    expect(codes(await tg.execute({ query: WITHDRAW, variables: { id }, caller: tokens['nga'], ...LE }))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('permissions and bad input', () => {
  it('decideDataRequest needs DATA_CONTROLLER of the requested party', async () => {
    const { id } = data<{ id: string }>(await submit({}), 'submitDataRequest');
    for (const token of [tokens['ita'], tokens['ngaController']]) {
      expect(codes(await tg.execute({ query: DECIDE, variables: { id, decision: 'APPROVE' }, caller: token, ...LE }))).toEqual(['FORBIDDEN']);
    }
    const stored = await tg.db.collection('dataRequests').findOne({ _id: id as never });
    expect(stored?.['status']).toBe('PENDING');
  });

  it.each<[string, Record<string, unknown>]>([
    ['another agreement', { agreementId: 'AGR-MED-TIP-2024' }],
    ['the caller itself as requested party', { requestedParty: 'NGA' }],
    ['a party not to the agreement', { requestedParty: 'ESP' }],
    ['a category the grant does not list', { categories: ['FAMILY'] }],
    ['repeated categories', { categories: ['IDENTITY', 'IDENTITY'] }],
    ['no subjects', { subjectIds: [] }],
    ['an unknown subject', { subjectIds: ['p_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'] }],
    ['an internal id', { subjectIds: ['m-0001'] }],
    ['an empty justification', { justification: '   ' }],
    ['validDays out of range', { validDays: 0 }],
  ])('submitDataRequest refuses %s with BAD_USER_INPUT and stores nothing', async (_name, variables) => {
    const count = await tg.db.collection('dataRequests').countDocuments();
    expect(codes(await submit(variables))).toEqual(['BAD_USER_INPUT']);
    expect(await tg.db.collection('dataRequests').countDocuments()).toBe(count);
  });

  it('submitDataRequest needs the caller\'s party to be a party to the agreement', async () => {
    const esp: TierCaller = { party: 'ESP', roles: ['CASEWORKER'] };
    expect(codes(await submit({}, esp))).toEqual(['NOT_A_PARTY']);
  });

  it('withdrawConsent needs DATA_CONTROLLER of the record\'s holder', async () => {
    const WITHDRAW = 'mutation($m: ID!) { withdrawConsent(migrantId: $m, purpose: RETURN_AND_READMISSION) { active } }';
    for (const token of [tokens['ita'], tokens['ngaController']]) {
      expect(codes(await tg.execute({ query: WITHDRAW, variables: { m: amara }, caller: token, ...RR }))).toEqual(['FORBIDDEN']);
    }
  });

  it('refuses approvals with categories not asked for, or a past validUntil', async () => {
    const { id } = data<{ id: string }>(await submit({ categories: ['IDENTITY'] }), 'submitDataRequest');
    for (const variables of [{ categories: ['TRAVEL_DOCUMENT'] }, { validUntil: '2025-05-31' }, { validUntil: '2025-06' }]) {
      expect(codes(await tg.execute({ query: DECIDE, variables: { id, decision: 'APPROVE', ...variables }, caller: tokens['itaController'], ...LE }))).toEqual(['BAD_USER_INPUT']);
    }
  });
});

describe('consent', () => {
  const SD = { agreementId: 'AGR-MED-TIP-2024', purpose: 'SERVICE_DELIVERY' };
  const HEALTH = '{ migrants(first: 20) { edges { node { id givenName health { vulnerabilities } } } } }';

  it('takes effect at once, for the holder\'s data controller only', async () => {
    const health = async () =>
      data<{ edges: { node: { id: string; givenName: string; health: unknown } }[] }>(await tg.execute({ query: HEALTH, caller: tokens['ita'], ...SD }), 'migrants').edges.find(
        (e) => e.node.givenName === 'Chidi',
      )!.node;
    const chidi = await health();
    expect(chidi.health).toBeNull();

    const RECORD = 'mutation($m: ID!) { recordConsent(migrantId: $m, purpose: SERVICE_DELIVERY, evidence: "form:SD-77") { migrantId purpose givenAt withdrawnAt evidence active } }';
    const WITHDRAW = 'mutation($m: ID!) { withdrawConsent(migrantId: $m, purpose: SERVICE_DELIVERY) { withdrawnAt active } }';
    expect(codes(await tg.execute({ query: RECORD, variables: { m: chidi.id }, caller: tokens['espController'], ...SD }))).toEqual(['FORBIDDEN']);
    expect(codes(await tg.execute({ query: RECORD, variables: { m: chidi.id }, caller: tokens['ita'], ...SD }))).toEqual(['FORBIDDEN']);

    const recorded = data(await tg.execute({ query: RECORD, variables: { m: chidi.id }, caller: tokens['itaController'], ...SD }), 'recordConsent');
    expect(recorded).toEqual({ migrantId: chidi.id, purpose: 'SERVICE_DELIVERY', givenAt: '2025-06-01', withdrawnAt: null, evidence: 'form:SD-77', active: true });
    expect((await health()).health).toEqual({ vulnerabilities: ['UNACCOMPANIED_MINOR'] });

    expect(data(await tg.execute({ query: WITHDRAW, variables: { m: chidi.id }, caller: tokens['itaController'], ...SD }), 'withdrawConsent')).toEqual({ withdrawnAt: '2025-06-01', active: false });
    expect((await health()).health).toBeNull();
    expect(codes(await tg.execute({ query: WITHDRAW, variables: { m: chidi.id }, caller: tokens['itaController'], ...SD }))).toEqual(['BAD_USER_INPUT']);

    // Given again the same day: a new active consent, and the withdrawn one is kept.
    const again = data(await tg.execute({ query: RECORD, variables: { m: chidi.id }, caller: tokens['itaController'], ...SD }), 'recordConsent');
    expect(again).toMatchObject({ givenAt: '2025-06-01', withdrawnAt: null, active: true });
    expect((await health()).health).toEqual({ vulnerabilities: ['UNACCOMPANIED_MINOR'] });
    const stored = await tg.db.collection('consents').find({ purpose: 'SERVICE_DELIVERY', givenAt: new Date('2025-06-01') }).toArray();
    expect(stored.map((c) => c['withdrawnAt'] === null).sort()).toEqual([false, true]);
    expect(data(await tg.execute({ query: WITHDRAW, variables: { m: chidi.id }, caller: tokens['itaController'], ...SD }), 'withdrawConsent')).toEqual({ withdrawnAt: '2025-06-01', active: false });
  });
});

describe('audit of mutations', () => {
  it('appends an event for every mutation, with its outcome and subjects', async () => {
    const events = await tg.db.collection<AuditEvent>(AUDIT_EVENTS).find({ operationName: 'Submit' }).toArray();
    expect(events.length).toBeGreaterThan(3);
    expect(events.filter((e) => e.outcome === 'MUTATED').every((e) => e.subjectIds.includes('m-0001'))).toBe(true);
    expect(events.some((e) => e.outcome === 'REFUSED')).toBe(true);
    const decisions = await tg.db.collection<AuditEvent>(AUDIT_EVENTS).find({ operationName: 'Decide', outcome: 'MUTATED' }).toArray();
    expect(decisions.length).toBeGreaterThan(0);
  });
});
