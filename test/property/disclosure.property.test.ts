/**
 * Property: for random caller contexts and random selections over `Migrant`, the gateway
 * (real HTTP, real test database, the shared fixture) discloses, minimises, withholds and
 * refuses exactly as an independent oracle written from the contract says
 * (./oracle.ts, which imports none of the project's decision code).
 *
 * Checked on every run:
 *   (1) nothing the oracle masks appears: each withheld or minimised field is exactly
 *       null or exactly the minimised form, and the whole response text holds no
 *       fixture value the oracle does not expect to be disclosed (religion, victim
 *       status, health conditions, ..., also of records out of scope);
 *   (2) every value the oracle discloses appears, exactly, on the right record;
 *   (3) refusals match: the same single error code and no data (a record read under an
 *       aggregate-only grant, such as STATISTICS under the Mediterranean protocol, is
 *       refused with RECORD_ACCESS_NOT_GRANTED);
 *   (4) the returned records are exactly the oracle's row scope (count and identity).
 *
 * Matching records. `Migrant.id` is a pseudonym (stable within one agreement, different
 * between agreements), so records are matched through a map pseudonym -> internal id
 * built once per gateway and agreement, before the property runs: in a context of that
 * agreement whose grant has IDENTITY at FULL and whose row scope (by the oracle) contains
 * every record any context of that agreement can return, all records are fetched with
 * `id givenName familyName dateOfBirth`. That triple is unique in the fixture (checked),
 * and the set fetched must be exactly the oracle's scope (checked), so each pseudonym is
 * tied to one fixture record by values the gateway discloses in full; a wrong disclosure
 * there fails the set-up instead of producing a wrong map. The property then compares
 * each returned record field by field with the oracle's expectation for the record its
 * pseudonym names, so a value attached to the wrong record is caught too.
 *
 * Three gateways, one per "today": 2025-06-01; 2024-12-31, the last day the Spain-IOM
 * arrangement is in force (inclusive expiry); 2025-08-14, the day m-0003 is exactly 730
 * days old, the retention of the readmission agreement (kept: not older than 730 days).
 */
import fc from 'fast-check';
import { signDevToken } from '../../src/dev/devKeys';
import { FIXTURE_PATH, graphql, startTestGateway, type GraphqlReply, type TestGateway } from '../support/testGateway';
import {
  CLEARANCES,
  PURPOSES,
  decideContext,
  expectedMigrant,
  jsonStrings,
  loadWorld,
  stringLeaves,
  type CallerContext,
  type Clearance,
  type DecisionTally,
  type Granted,
  type Json,
  type Purpose,
  type Selection,
} from './oracle';

const NUM_RUNS = 1000;
const DATES = ['2025-06-01', '2024-12-31', '2025-08-14'] as const;
type Today = (typeof DATES)[number];

const world = loadWorld(FIXTURE_PATH);
const PARTIES = [...world.parties.map((p) => p.code), 'FRA'];
const AGREEMENT_IDS = [...world.agreements.map((a) => a.id), 'AGR-UNKNOWN-0001'];
const REQUEST_IDS = [undefined, 'req-0001', 'req-0002', 'req-0003'] as const;

const gateways = new Map<Today, TestGateway>();
const tokens = new Map<string, string>();
/** date -> agreement -> pseudonym -> internal id */
const pseudonyms = new Map<Today, Map<string, Map<string, string>>>();

const tokenFor = (party: string, clearance: Clearance): string => tokens.get(`${party}/${clearance}`)!;

const PAGE_QUERY = (selection: Selection): string =>
  `query Disclosure { migrants(first: 100) { totalCount pageInfo { hasNextPage } edges { node { id ${selectionText(selection)} } } } }`;

function selectionText(selection: Selection): string {
  return Object.entries(selection)
    .map(([field, sub]) => (sub === true ? field : `${field} { ${selectionText(sub)} }`))
    .join(' ');
}

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean };
  edges: { node: { id: string } & Record<string, Json> }[];
}

beforeAll(async () => {
  for (const date of DATES) {
    const now = new Date(`${date}T12:00:00Z`);
    gateways.set(
      date,
      await startTestGateway({ dbName: `test_property_disclosure_${date.replace(/-/g, '')}`, fixture: true, clock: () => now, env: { RATE_LIMIT_PER_MINUTE: '0' } }),
    );
  }
  for (const party of PARTIES) for (const clearance of CLEARANCES) tokens.set(`${party}/${clearance}`, await signDevToken({ party, clearance, roles: ['CASEWORKER'] }));
  for (const date of DATES) pseudonyms.set(date, await mapPseudonyms(date));
}, 90_000);

afterAll(async () => {
  for (const gateway of gateways.values()) await gateway.close();
});

/** The pseudonym maps of one gateway, one per agreement that any context can use on `date`. */
async function mapPseudonyms(date: Today): Promise<Map<string, Map<string, string>>> {
  const triple = (m: Record<string, unknown>): string => JSON.stringify([m['givenName'], m['familyName'], m['dateOfBirth']]);
  const byTriple = new Map(world.migrants.map((m) => [triple(m), m.id]));
  expect(byTriple.size).toBe(world.migrants.length);

  const maps = new Map<string, Map<string, string>>();
  for (const agreement of world.agreements) {
    // Every record any context of this agreement can return on this date.
    const reachable = new Set<string>();
    const candidates: Granted[] = [];
    for (const party of agreement.parties) {
      for (const purpose of PURPOSES) {
        for (const dataRequestId of REQUEST_IDS) {
          const verdict = decideContext(world, { party, clearance: 'STANDARD', agreementId: agreement.id, purpose, dataRequestId, today: date });
          if (verdict.refused) continue;
          verdict.scope.forEach((id) => reachable.add(id));
          if (dataRequestId === undefined && verdict.grant.categories.IDENTITY === 'FULL') candidates.push(verdict);
        }
      }
    }
    if (reachable.size === 0) continue;
    const mapping = candidates.find((c) => [...reachable].every((id) => c.scope.includes(id)));
    if (!mapping) throw new Error(`set-up: no IDENTITY=FULL context of ${agreement.id} on ${date} covers every reachable record`);
    const reply = await graphql(gateways.get(date)!.url, {
      query: '{ migrants(first: 100) { totalCount edges { node { id givenName familyName dateOfBirth } } } }',
      token: tokenFor(mapping.caller.party, 'STANDARD'),
      agreementId: agreement.id,
      purpose: mapping.caller.purpose,
    });
    expect(reply.body.errors).toBeUndefined();
    const page = reply.body.data!['migrants'] as Page;
    const map = new Map<string, string>();
    for (const { node } of page.edges) {
      const internal = byTriple.get(triple(node));
      if (!internal) throw new Error(`set-up: ${agreement.id} on ${date}: record ${JSON.stringify(node)} matches no fixture record`);
      map.set(node.id, internal);
    }
    const mapped = [...map.values()].sort();
    if (map.size !== page.edges.length || !jsonEqual(mapped, [...mapping.scope].sort())) {
      throw new Error(
        `set-up, (4) scope: ${agreement.id} on ${date} as ${mapping.caller.party}/${mapping.caller.purpose} returned ${mapped.join(', ')}; the oracle's scope is ${mapping.scope.join(', ')}`,
      );
    }
    maps.set(agreement.id, map);
  }
  return maps;
}

// ---------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------

type Input = Omit<CallerContext, 'today'> & { today: Today };

/** Anything: mostly refusals. */
const uniformContext: fc.Arbitrary<Input> = fc.record({
  today: fc.constantFrom(...DATES),
  party: fc.constantFrom(...PARTIES),
  clearance: fc.constantFrom(...CLEARANCES),
  agreementId: fc.constantFrom(...AGREEMENT_IDS),
  purpose: fc.constantFrom(...PURPOSES),
  dataRequestId: fc.constantFrom(...REQUEST_IDS),
});

/** A party of the agreement and a purpose it grants: mostly contexts that read records. */
const plausibleContext: fc.Arbitrary<Input> = fc
  .record({
    today: fc.constantFrom(...DATES),
    agreement: fc.constantFrom(...world.agreements),
    partyPick: fc.nat(),
    purposePick: fc.nat(),
    clearance: fc.constantFrom(...CLEARANCES),
    // Mostly none: a named request is usable only by NGA under the readmission agreement.
    dataRequestId: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('req-0001', 'req-0002', 'req-0003') }),
  })
  .map(({ today, agreement, partyPick, purposePick, clearance, dataRequestId }) => ({
    today,
    party: agreement.parties[partyPick % agreement.parties.length]!,
    clearance,
    agreementId: agreement.id,
    purpose: agreement.grants[purposePick % agreement.grants.length]!.purpose,
    dataRequestId,
  }));

/** Around the data requests of the readmission agreement (REQUESTED_ONLY, widening). */
const requestContext: fc.Arbitrary<Input> = fc.record({
  today: fc.constantFrom(...DATES),
  party: fc.constantFrom('NGA', 'ITA'),
  clearance: fc.constantFrom(...CLEARANCES),
  agreementId: fc.constant('AGR-ITA-NGA-READMISSION-2023'),
  purpose: fc.constantFrom<Purpose>('LAW_ENFORCEMENT', 'RETURN_AND_READMISSION'),
  dataRequestId: fc.constantFrom(...REQUEST_IDS),
});

const contextArb = fc.oneof(
  { weight: 2, arbitrary: uniformContext },
  { weight: 5, arbitrary: plausibleContext },
  { weight: 1, arbitrary: requestContext },
);

const leaf = fc.constant<true | Selection>(true);
const subset = (fields: string[]): fc.Arbitrary<true | Selection> =>
  fc.subarray(fields, { minLength: 1 }).map((chosen) => Object.fromEntries(chosen.map((f) => [f, true as const])));

const FIELD_ARBS: Record<string, fc.Arbitrary<true | Selection>> = {
  holder: subset(['code', 'name', 'kind']),
  givenName: leaf,
  familyName: leaf,
  dateOfBirth: leaf,
  sex: leaf,
  nationality: leaf,
  placeOfBirth: leaf,
  address: subset(['line1', 'city', 'region', 'postalCode', 'country']),
  documents: subset(['type', 'number', 'issuingCountry', 'expiresOn']),
  legalStatus: leaf,
  arrivalDate: leaf,
  family: fc.constant({ holder: { code: true } }),
  biometrics: subset(['fingerprintTemplate', 'faceTemplate']),
  health: subset(['conditions', 'vulnerabilities']),
  ethnicOrigin: leaf,
  religion: leaf,
  criminalRecord: subset(['offence', 'year', 'country']).map((convictions) => ({ convictions })),
  victimStatus: subset(['status', 'identifiedOn', 'exploitationType']),
  requests: fc.constant({ id: true }),
};

/** A non-empty subset of Migrant's fields, objects with non-empty subsets of theirs. */
const selectionArb: fc.Arbitrary<Selection> = fc
  .record(FIELD_ARBS, { requiredKeys: [] })
  .map((s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as Selection)
  .filter((s) => Object.keys(s).length > 0);

// ---------------------------------------------------------------------------------
// The property
// ---------------------------------------------------------------------------------

const PARTY_CODES = new Set(PARTIES);

/**
 * Deep equality of JSON values. (Not util.isDeepStrictEqual: parsed response bodies come
 * from another realm than jest's sandbox, so their prototypes differ.)
 */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Where two JSON values first differ, as a path. */
function firstDifference(expected: unknown, received: unknown, path = ''): string | null {
  if (jsonEqual(expected, received)) return null;
  if (expected && received && typeof expected === 'object' && typeof received === 'object' && Array.isArray(expected) === Array.isArray(received)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(received)]);
    for (const key of keys) {
      const diff = firstDifference((expected as Record<string, unknown>)[key], (received as Record<string, unknown>)[key], `${path}.${key}`);
      if (diff) return diff;
    }
  }
  return `${path || '(root)'}: expected ${JSON.stringify(expected)}, received ${JSON.stringify(received)}`;
}

function fail(property: string, input: Input, selection: Selection, detail: string, reply: GraphqlReply): never {
  throw new Error(
    [
      `${property}: ${detail}`,
      `context: ${JSON.stringify(input)}`,
      `query: ${PAGE_QUERY(selection)}`,
      `response: ${JSON.stringify(reply.body).slice(0, 3000)}`,
    ].join('\n'),
  );
}

const stats = { runs: 0, granted: 0, records: 0, widened: 0, refused: {} as Record<string, number>, tally: {} as DecisionTally };

async function checkOne(input: Input, selection: Selection): Promise<void> {
  stats.runs += 1;
  const gateway = gateways.get(input.today)!;
  const reply = await graphql(gateway.url, {
    query: PAGE_QUERY(selection),
    token: tokenFor(input.party, input.clearance),
    agreementId: input.agreementId,
    purpose: input.purpose,
    ...(input.dataRequestId !== undefined ? { dataRequestId: input.dataRequestId } : {}),
  });
  const verdict = decideContext(world, input);

  // Expected records (by internal id) and the strings they may show.
  const expected = new Map<string, { [key: string]: Json }>();
  if (!verdict.refused) for (const id of verdict.scope) expected.set(id, expectedMigrant(world, verdict, id, selection, stats.tally));
  const allowed = jsonStrings([...expected.values()]);

  // (1) No fixture value the oracle does not disclose appears anywhere in the response
  // (data, errors, extensions), of records in scope or not. Party codes are left out:
  // they may name the caller or the agreement's parties outside the data.
  const text = JSON.stringify(reply.body);
  for (const migrant of world.migrants) {
    for (const value of stringLeaves(migrant)) {
      if (allowed.has(value) || PARTY_CODES.has(value)) continue;
      if (text.includes(JSON.stringify(value))) fail('(1) masked value leaked', input, selection, `${JSON.stringify(value)} of ${migrant.id} appears in the response but the oracle withholds it`, reply);
    }
  }

  // (3) Refusals.
  if (verdict.refused) {
    stats.refused[verdict.code] = (stats.refused[verdict.code] ?? 0) + 1;
    const codes = (reply.body.errors ?? []).map((e) => e.extensions?.code);
    if (!jsonEqual(codes, [verdict.code])) fail('(3) refusal', input, selection, `expected errors [${verdict.code}], received ${JSON.stringify(codes)}`, reply);
    if ((reply.body.data ?? null) !== null) fail('(3) refusal', input, selection, 'a refused request returned data', reply);
    return;
  }
  stats.granted += 1;
  if (verdict.dataRequest && verdict.scope.some((id) => verdict.dataRequest!.subjectIds.includes(id))) stats.widened += 1;
  if (reply.body.errors !== undefined) fail('(3) refusal', input, selection, `expected no errors, received ${JSON.stringify(reply.body.errors.map((e) => e.extensions?.code))}`, reply);
  const page = reply.body.data?.['migrants'] as Page | undefined;
  if (!page) fail('(4) scope', input, selection, 'no migrants in data', reply);

  // (4) The row scope: count and identity.
  if (page.totalCount !== verdict.scope.length) fail('(4) scope', input, selection, `totalCount ${page.totalCount}, expected ${verdict.scope.length} (${verdict.scope.join(', ')})`, reply);
  if (page.pageInfo.hasNextPage) fail('(4) scope', input, selection, 'hasNextPage is true for a page of 100', reply);
  const map = pseudonyms.get(input.today)!.get(input.agreementId) ?? new Map<string, string>();
  const seen = new Set<string>();
  for (const { node } of page.edges) {
    const internal = map.get(node.id);
    if (!internal) fail('(4) scope', input, selection, `pseudonym ${node.id} is not one of this agreement's records in scope`, reply);
    if (seen.has(internal)) fail('(4) scope', input, selection, `record ${internal} returned twice`, reply);
    seen.add(internal);
    const want = expected.get(internal);
    if (!want) fail('(4) scope', input, selection, `record ${internal} returned but out of the oracle's scope (${verdict.scope.join(', ')})`, reply);
    // (1) and (2), field by field on the right record.
    const { id: _id, ...got } = node;
    const diff = firstDifference(want, got);
    if (diff) fail('(1)/(2) field values', input, selection, `record ${internal} ${diff}`, reply);
  }
  if (seen.size !== verdict.scope.length) {
    const missing = verdict.scope.filter((id) => !seen.has(id));
    fail('(4) scope', input, selection, `records missing: ${missing.join(', ')}`, reply);
  }
  stats.records += seen.size;
}

describe('disclosure matches the contract oracle', () => {
  it(`holds for ${NUM_RUNS} random contexts and selections`, async () => {
    const seed = process.env['FC_SEED'];
    await fc.assert(
      fc.asyncProperty(contextArb, selectionArb, async (input, selection) => checkOne(input, selection)),
      { numRuns: NUM_RUNS, ...(seed ? { seed: Number(seed) } : {}) },
    );

    // The generators reach what matters, so a pass means something.
    console.info(`disclosure property: ${JSON.stringify({ runs: stats.runs, granted: stats.granted, records: stats.records, widened: stats.widened, refused: stats.refused })}`);
    const actions = Object.keys(stats.tally);
    expect(stats.granted).toBeGreaterThan(NUM_RUNS / 4);
    expect(stats.records).toBeGreaterThan(NUM_RUNS);
    expect(stats.widened).toBeGreaterThan(0);
    for (const code of ['AGREEMENT_NOT_FOUND', 'NOT_A_PARTY', 'AGREEMENT_NOT_IN_FORCE', 'PURPOSE_NOT_GRANTED', 'DATA_REQUEST_INVALID', 'RECORD_ACCESS_NOT_GRANTED']) {
      expect(stats.refused[code] ?? 0).toBeGreaterThan(0);
    }
    for (const want of ['MINIMISE', 'MINIMISATION_UNAVAILABLE', 'CATEGORY_NOT_GRANTED', 'SPECIAL_CATEGORY_NOT_COVERED', 'INSUFFICIENT_CLEARANCE', 'CONSENT_MISSING', 'PURPOSE_NOT_ALLOWED_FOR_FIELD']) {
      expect(actions.some((a) => a.includes(want))).toBe(true);
    }
    for (const disclosed of ['Migrant.health:DISCLOSE', 'Migrant.victimStatus:DISCLOSE', 'Migrant.family:DISCLOSE', 'Migrant.documents:DISCLOSE', 'Migrant.requests:DISCLOSE']) {
      expect(stats.tally[disclosed] ?? 0).toBeGreaterThan(0);
    }
  }, 240_000);
});
