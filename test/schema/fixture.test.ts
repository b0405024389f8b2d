/**
 * The shared fixture (test/fixtures/small-world.json) under every agreement and purpose,
 * in the schema-level tier (test/support/schemaTier.ts): each operation runs on the
 * gateway's GraphQL layer (Apollo Server with every plugin, the request context as the
 * gateway builds it, the real test database) as the caller a development token verifies
 * to, without HTTP. Every expectation below is computed by hand from the fixture and
 * docs/api.md sections 1, 3, 4 and 5 — none comes from project code.
 *
 * Gateways (each with a database of its own):
 * - `main`:   clock 2025-06-01 (MED-TIP retention cut-off 2015-06-04, readmission 2023-06-02);
 * - `late`:   clock 2026-11-23 (MED-TIP cut-off 2016-11-25, readmission 2024-11-23);
 * - `dial`:   a clock each test sets, for day boundaries (all "inclusive" rules);
 * - `family`: clock 2025-06-01 on a copy of the fixture in which m-0007 (relative of
 *             m-0006) is held by NGA (no party to MED-TIP) and m-0002 (relative of
 *             m-0001) has an active ANTI_TRAFFICKING consent.
 */
import { importWorld } from '../../src/world/importWorld';
import { startSchemaTier, type SchemaTier } from '../support/schemaTier';
import { loadFixture } from '../support/testGateway';
import {
  AEGEAN,
  ALL_FIELDS,
  FAMILY,
  MED,
  READMISSION,
  codesOf,
  dataOf,
  namesOf,
  page,
  privacyOf,
  pseudonymOf,
  reportMap,
  run,
  type Clearance,
  type Ctx,
  type Node,
} from '../support/fixtureCalls';

const JUNE_2025 = new Date('2025-06-01T12:00:00Z');
const NOV_2026 = new Date('2026-11-23T12:00:00Z');

let main: SchemaTier;
let late: SchemaTier;
let dial: SchemaTier;
let family: SchemaTier;
let dialToday = JUNE_2025;

/** Sets the `dial` gateway's clock to `day` (noon UTC unless a time is given). */
function at(day: string): void {
  dialToday = new Date(day.includes('T') ? day : `${day}T12:00:00Z`);
}

const ENV = { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'silent' };

// Treaty contexts (without the caller).
const AT = { agreementId: MED, purpose: 'ANTI_TRAFFICKING' };
const SD = { agreementId: MED, purpose: 'SERVICE_DELIVERY' };
const STATS = { agreementId: MED, purpose: 'STATISTICS' };
const RETURN = { agreementId: READMISSION, purpose: 'RETURN_AND_READMISSION' };
const LE = { agreementId: READMISSION, purpose: 'LAW_ENFORCEMENT' };
const FR = { agreementId: FAMILY, purpose: 'FAMILY_REUNIFICATION' };

const ita = (clearance: Clearance = 'ELEVATED'): Ctx => ({ party: 'ITA', clearance });
const nga = (clearance: Clearance = 'ELEVATED'): Ctx => ({ party: 'NGA', clearance });

/** Pseudonyms on `main`: under MED-TIP (`med`) and under the readmission MoU (`ra`). */
const P = { med: {} as Record<string, string>, ra: {} as Record<string, string> };

const BY_NAME: Record<string, [string, string]> = {
  'm-0001': ['Okafor', 'Amara'],
  'm-0002': ['Okafor', 'Chidi'],
  'm-0003': ['Nwosu', 'Emeka'],
  'm-0004': ['Diallo', 'Fatima'],
  'm-0006': ['Rahimi', 'Ahmad'],
  'm-0007': ['Rahimi', 'Zahra'],
  'm-0008': ['Haddad', 'Omar'],
  'm-0009': ['Eze', 'Blessing'],
};

const MIGRANT_ALL = `query($id: ID!) { migrant(id: $id) { ...All } } ${ALL_FIELDS}`;

beforeAll(async () => {
  const familyWorld = loadFixture();
  const migrants = familyWorld['migrants'] as { id: string; holder: string }[];
  migrants.find((m) => m.id === 'm-0007')!.holder = 'NGA';
  (familyWorld['consents'] as unknown[]).push({ migrantId: 'm-0002', purpose: 'ANTI_TRAFFICKING', givenAt: '2024-11-05', withdrawnAt: null });

  [main, late, dial, family] = await Promise.all([
    startSchemaTier({ dbName: 'test_schema_fixture_main', fixture: true, clock: () => JUNE_2025, env: ENV }),
    startSchemaTier({ dbName: 'test_schema_fixture_late', fixture: true, clock: () => NOV_2026, env: ENV }),
    startSchemaTier({ dbName: 'test_schema_fixture_dial', fixture: true, clock: () => dialToday, env: ENV }),
    startSchemaTier({ dbName: 'test_schema_fixture_family', fixture: false, clock: () => JUNE_2025, env: ENV }),
  ]);
  await importWorld(family.client, family.db, familyWorld, 'family-world.json');

  for (const [id, [familyName, givenName]] of Object.entries(BY_NAME)) {
    P.med[id] = await pseudonymOf(main, { ...ita(), ...AT }, familyName, givenName);
  }
  for (const id of ['m-0001', 'm-0002', 'm-0003']) {
    const [familyName, givenName] = BY_NAME[id]!;
    P.ra[id] = await pseudonymOf(main, { ...ita(), ...RETURN }, familyName, givenName);
  }
});

afterAll(async () => {
  await Promise.all([main, late, dial, family].map((gw) => gw?.close()));
});

// ---------------------------------------------------------------------------------
// 1. Every agreement and every purpose: the exact value of every Migrant field
// ---------------------------------------------------------------------------------

/** What each redaction reason and outcome reads as in `reportMap`. */
const D1 = 'DISCLOSED x1';
const CNG = 'REDACTED CATEGORY_NOT_GRANTED x1';
const SCNC = 'REDACTED SPECIAL_CATEGORY_NOT_COVERED x1';
const MU = 'REDACTED MINIMISATION_UNAVAILABLE x1';
const PNA = 'REDACTED PURPOSE_NOT_ALLOWED_FOR_FIELD x1';

const AMARA_IDENTITY = { givenName: 'Amara', familyName: 'Okafor', dateOfBirth: '1994-07-12', sex: 'F', placeOfBirth: 'Benin City' };
const AMARA_ADDRESS = { line1: 'Via Roma 12', city: 'Palermo', region: 'Sicilia', postalCode: '90133', country: 'ITA' };
const AMARA_VICTIM = { status: 'IDENTIFIED_VICTIM', identifiedOn: '2024-11-20', exploitationType: 'SEXUAL' };
const NO_SPECIAL = { biometrics: null, health: null, ethnicOrigin: null, religion: null, criminalRecord: null };
const EMEKA_DOCUMENTS = [{ type: 'PASSPORT', number: 'B98765432', issuingCountry: 'NGA', expiresOn: '2026-04-30' }];
const EMEKA_CONVICTIONS = { convictions: [{ offence: 'MIGRANT_SMUGGLING', year: 2021, country: 'LBY' }] };

describe('every agreement and purpose in force: each Migrant field disclosed, minimised or null (contract 3, 4)', () => {
  interface Row {
    name: string;
    gw: () => SchemaTier;
    ctx: () => Ctx;
    id: () => string;
    data: () => Node;
    report: Record<string, string>;
  }

  const rows: Row[] = [
    {
      name: 'MED-TIP ANTI_TRAFFICKING, ITA SPECIAL, m-0001: identity FULL, address and documents MINIMISED, victim status disclosed, health without consent',
      gw: () => main,
      ctx: () => ({ ...ita('SPECIAL'), ...AT }),
      id: () => P.med['m-0001']!,
      data: () => ({
        id: P.med['m-0001'],
        holder: { code: 'ITA' },
        ...AMARA_IDENTITY,
        nationality: 'NGA',
        // CONTACT_LOCATION MINIMISED: the address resolves, its annotated lines have no
        // minimised form; `country` is unannotated, so disclosed.
        address: { line1: null, city: null, region: null, postalCode: null, country: 'ITA' },
        documents: [{ type: 'PASSPORT', number: '****5678', issuingCountry: 'NGA', expiresOn: '2029-01' }],
        legalStatus: 'ASYLUM_SEEKER',
        arrivalDate: '2024-11-03',
        family: [{ id: P.med['m-0002'], givenName: 'Chidi' }],
        ...NO_SPECIAL, // m-0001's only consent is for SERVICE_DELIVERY
        victimStatus: AMARA_VICTIM,
        requests: null,
      }),
      report: {
        'Address.city': MU,
        'Address.line1': MU,
        'Address.postalCode': MU,
        'Address.region': MU,
        'Migrant.address': D1,
        'Migrant.arrivalDate': D1,
        'Migrant.biometrics': SCNC,
        'Migrant.criminalRecord': SCNC,
        'Migrant.dateOfBirth': D1,
        'Migrant.documents': D1,
        'Migrant.ethnicOrigin': SCNC,
        'Migrant.family': D1,
        'Migrant.familyName': D1,
        'Migrant.givenName': 'DISCLOSED x2', // m-0001 and, in `family`, m-0002
        'Migrant.health': 'REDACTED CONSENT_MISSING x1',
        'Migrant.legalStatus': D1,
        'Migrant.nationality': D1,
        'Migrant.placeOfBirth': D1,
        'Migrant.religion': SCNC,
        'Migrant.requests': CNG,
        'Migrant.sex': D1,
        'Migrant.victimStatus': D1,
        'TravelDocument.expiresOn': 'MINIMISED YEAR_MONTH x1',
        'TravelDocument.number': 'MINIMISED LAST_FOUR x1',
      },
    },
    {
      name: 'MED-TIP SERVICE_DELIVERY, ITA ELEVATED, m-0001: address FULL, status MINIMISED, health with consent, victim status not covered',
      gw: () => main,
      ctx: () => ({ ...ita('ELEVATED'), ...SD }),
      id: () => P.med['m-0001']!,
      data: () => ({
        id: P.med['m-0001'],
        holder: { code: 'ITA' },
        ...AMARA_IDENTITY,
        nationality: 'NGA',
        address: AMARA_ADDRESS,
        documents: null,
        legalStatus: null,
        arrivalDate: '2024-11',
        family: null,
        ...NO_SPECIAL,
        health: { conditions: ['anaemia'], vulnerabilities: ['PREGNANT'] },
        victimStatus: null,
        requests: null,
      }),
      report: {
        'Address.city': D1,
        'Address.line1': D1,
        'Address.postalCode': D1,
        'Address.region': D1,
        'Migrant.address': D1,
        'Migrant.arrivalDate': 'MINIMISED YEAR_MONTH x1',
        'Migrant.biometrics': SCNC,
        'Migrant.criminalRecord': SCNC,
        'Migrant.dateOfBirth': D1,
        'Migrant.documents': CNG,
        'Migrant.ethnicOrigin': SCNC,
        'Migrant.family': CNG,
        'Migrant.familyName': D1,
        'Migrant.givenName': D1,
        'Migrant.health': D1,
        'Migrant.legalStatus': MU,
        'Migrant.nationality': D1,
        'Migrant.placeOfBirth': D1,
        'Migrant.religion': SCNC,
        'Migrant.requests': CNG,
        'Migrant.sex': D1,
        'Migrant.victimStatus': SCNC,
      },
    },
    {
      name: 'Readmission RETURN_AND_READMISSION, NGA SPECIAL, m-0001: documents FULL, arrival MINIMISED, no special category, victim status not allowed',
      gw: () => main,
      ctx: () => ({ ...nga('SPECIAL'), ...RETURN }),
      id: () => P.ra['m-0001']!,
      data: () => ({
        id: P.ra['m-0001'],
        holder: { code: 'ITA' },
        ...AMARA_IDENTITY,
        nationality: 'NGA',
        address: null,
        documents: [{ type: 'PASSPORT', number: 'A12345678', issuingCountry: 'NGA', expiresOn: '2029-01-31' }],
        legalStatus: null,
        arrivalDate: '2024-11',
        family: null,
        ...NO_SPECIAL,
        victimStatus: null,
        requests: null,
      }),
      report: {
        'Migrant.address': CNG,
        'Migrant.arrivalDate': 'MINIMISED YEAR_MONTH x1',
        'Migrant.biometrics': SCNC,
        'Migrant.criminalRecord': SCNC,
        'Migrant.dateOfBirth': D1,
        'Migrant.documents': D1,
        'Migrant.ethnicOrigin': SCNC,
        'Migrant.family': CNG,
        'Migrant.familyName': D1,
        'Migrant.givenName': D1,
        'Migrant.health': SCNC,
        'Migrant.legalStatus': MU,
        'Migrant.nationality': D1,
        'Migrant.placeOfBirth': D1,
        'Migrant.religion': SCNC,
        'Migrant.requests': CNG,
        'Migrant.sex': D1,
        'Migrant.victimStatus': PNA,
        'TravelDocument.expiresOn': D1,
        'TravelDocument.number': D1,
      },
    },
    {
      name: 'Readmission LAW_ENFORCEMENT, NGA ELEVATED, m-0003 (no data request named): identity MINIMISED, criminal record, case history',
      gw: () => main,
      ctx: () => ({ ...nga('ELEVATED'), ...LE }),
      id: () => P.ra['m-0003']!,
      data: () => ({
        id: P.ra['m-0003'],
        holder: { code: 'ITA' },
        givenName: 'E.',
        familyName: 'N.',
        dateOfBirth: '1988',
        sex: null,
        placeOfBirth: null,
        nationality: 'NGA',
        address: null,
        documents: EMEKA_DOCUMENTS,
        legalStatus: null,
        arrivalDate: null,
        family: null,
        ...NO_SPECIAL,
        criminalRecord: EMEKA_CONVICTIONS,
        victimStatus: null,
        requests: [{ id: 'req-0001', status: 'APPROVED' }],
      }),
      report: {
        'Migrant.address': CNG,
        'Migrant.arrivalDate': CNG,
        'Migrant.biometrics': SCNC,
        'Migrant.criminalRecord': D1,
        'Migrant.dateOfBirth': 'MINIMISED YEAR x1',
        'Migrant.documents': D1,
        'Migrant.ethnicOrigin': SCNC,
        'Migrant.family': CNG,
        'Migrant.familyName': 'MINIMISED INITIAL x1',
        'Migrant.givenName': 'MINIMISED INITIAL x1',
        'Migrant.health': SCNC,
        'Migrant.legalStatus': CNG,
        'Migrant.nationality': D1,
        'Migrant.placeOfBirth': MU,
        'Migrant.religion': SCNC,
        'Migrant.requests': D1,
        'Migrant.sex': MU,
        'Migrant.victimStatus': PNA,
        'TravelDocument.expiresOn': D1,
        'TravelDocument.number': D1,
      },
    },
    {
      name: 'Readmission LAW_ENFORCEMENT, NGA ELEVATED, X-Data-Request-Id req-0001, m-0003: IDENTITY raised to FULL',
      gw: () => main,
      ctx: () => ({ ...nga('ELEVATED'), ...LE, dataRequestId: 'req-0001' }),
      id: () => P.ra['m-0003']!,
      data: () => ({
        id: P.ra['m-0003'],
        holder: { code: 'ITA' },
        givenName: 'Emeka',
        familyName: 'Nwosu',
        dateOfBirth: '1988-10-30',
        sex: 'M',
        placeOfBirth: 'Enugu',
        nationality: 'NGA',
        address: null,
        documents: EMEKA_DOCUMENTS,
        legalStatus: null,
        arrivalDate: null,
        family: null,
        ...NO_SPECIAL,
        criminalRecord: EMEKA_CONVICTIONS,
        victimStatus: null,
        requests: [{ id: 'req-0001', status: 'APPROVED' }],
      }),
      report: {
        'Migrant.address': CNG,
        'Migrant.arrivalDate': CNG,
        'Migrant.biometrics': SCNC,
        'Migrant.criminalRecord': D1,
        'Migrant.dateOfBirth': D1,
        'Migrant.documents': D1,
        'Migrant.ethnicOrigin': SCNC,
        'Migrant.family': CNG,
        'Migrant.familyName': D1,
        'Migrant.givenName': D1,
        'Migrant.health': SCNC,
        'Migrant.legalStatus': CNG,
        'Migrant.nationality': D1,
        'Migrant.placeOfBirth': D1,
        'Migrant.religion': SCNC,
        'Migrant.requests': D1,
        'Migrant.sex': D1,
        'Migrant.victimStatus': PNA,
        'TravelDocument.expiresOn': D1,
        'TravelDocument.number': D1,
      },
    },
  ];

  it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const reply = await run(row.gw(), row.ctx(), MIGRANT_ALL, { id: row.id() });
    expect(dataOf(reply)).toEqual({ migrant: row.data() });
    const privacy = privacyOf(reply);
    expect({ agreement: privacy.agreement, purpose: privacy.purpose }).toEqual({ agreement: row.ctx().agreementId, purpose: row.ctx().purpose });
    expect(reportMap(reply)).toEqual(row.report);
  });

  it('MED-TIP STATISTICS, IOM SPECIAL, m-0001: the grant is aggregate-only, so the record itself is refused (victim status included)', async () => {
    // IDENTITY, NATIONALITY, IMMIGRATION_STATUS at AGGREGATE, VICTIM_STATUS listed: counted
    // in statistics, never read per record, whatever the caller's clearance.
    const reply = await run(main, { party: 'IOM', clearance: 'SPECIAL', ...STATS }, MIGRANT_ALL, { id: P.med['m-0001'] });
    expect(reply.status).toBe(403);
    expect(codesOf(reply)).toEqual(['RECORD_ACCESS_NOT_GRANTED']);
    expect(reply.body.data ?? null).toBeNull();
    expect(reply.body.extensions?.['privacy']).toBeUndefined();
    expect(JSON.stringify(reply.body)).not.toMatch(/IDENTIFIED_VICTIM|SEXUAL|Amara/);
  });

  it('AGR-ESP-IOM-FAMILY-2020 on its last day (2024-12-31), IOM, FAMILY_REUNIFICATION, m-0004: identity, address, family FULL', async () => {
    at('2024-12-31');
    const ctx = { party: 'IOM', clearance: 'SPECIAL' as const, ...FR };
    const id = await pseudonymOf(dial, ctx, 'Diallo', 'Fatima');
    const reply = await run(dial, ctx, MIGRANT_ALL, { id });
    expect(dataOf(reply)).toEqual({
      migrant: {
        id,
        holder: { code: 'ESP' },
        givenName: 'Fatima',
        familyName: 'Diallo',
        dateOfBirth: '1999-01-21',
        sex: 'F',
        placeOfBirth: 'Conakry',
        nationality: null,
        address: { line1: 'Calle Mayor 3', city: 'Almería', region: 'Andalucía', postalCode: '04001', country: 'ESP' },
        documents: null,
        legalStatus: null,
        arrivalDate: null,
        family: [],
        ...NO_SPECIAL,
        victimStatus: null,
        requests: null,
      },
    });
    expect(reportMap(reply)).toEqual({
      'Address.city': D1,
      'Address.line1': D1,
      'Address.postalCode': D1,
      'Address.region': D1,
      'Migrant.address': D1,
      'Migrant.arrivalDate': CNG,
      'Migrant.biometrics': SCNC,
      'Migrant.criminalRecord': SCNC,
      'Migrant.dateOfBirth': D1,
      'Migrant.documents': CNG,
      'Migrant.ethnicOrigin': SCNC,
      'Migrant.family': D1,
      'Migrant.familyName': D1,
      'Migrant.givenName': D1,
      'Migrant.health': SCNC,
      'Migrant.legalStatus': CNG,
      'Migrant.nationality': CNG,
      'Migrant.placeOfBirth': D1,
      'Migrant.religion': SCNC,
      'Migrant.requests': CNG,
      'Migrant.sex': D1,
      'Migrant.victimStatus': PNA,
    });
    // The scope is the records held by ESP and IOM: none held by ITA or GRC.
    for (const holder of ['ITA', 'GRC']) {
      expect((await page(dial, ctx, 'id', { holder })).page.totalCount).toBe(0);
    }
  });
});

// ---------------------------------------------------------------------------------
// 2. Treaty context refused: suspended, expired, non-party, purpose missing / not granted
// ---------------------------------------------------------------------------------

describe('treaty context refused before anything is read (contract 1, 3 rule 1, 5)', () => {
  const READS = `query($id: ID!) { migrants(first: 5) { totalCount edges { node { id givenName } } } migrant(id: $id) { id } }`;
  const ENTITLEMENTS = '{ entitlements { agreementId purpose } }';

  const refusals: [string, Ctx, string][] = [
    ['AEGEAN (SUSPENDED), GRC, its own purpose BORDER_CONTROL', { party: 'GRC', agreementId: AEGEAN, purpose: 'BORDER_CONTROL' }, 'AGREEMENT_NOT_IN_FORCE'],
    ['AEGEAN (SUSPENDED), ITA SPECIAL, BORDER_CONTROL', { party: 'ITA', clearance: 'SPECIAL', agreementId: AEGEAN, purpose: 'BORDER_CONTROL' }, 'AGREEMENT_NOT_IN_FORCE'],
    ['ESP-IOM (expired 2024-12-31), IOM, FAMILY_REUNIFICATION', { party: 'IOM', ...FR }, 'AGREEMENT_NOT_IN_FORCE'],
    ['ESP-IOM (expired 2024-12-31), ESP, FAMILY_REUNIFICATION', { party: 'ESP', ...FR }, 'AGREEMENT_NOT_IN_FORCE'],
    ['MED-TIP, non-party NGA', { party: 'NGA', ...AT }, 'NOT_A_PARTY'],
    ['readmission, non-party GRC', { party: 'GRC', ...RETURN }, 'NOT_A_PARTY'],
    ['readmission, non-party IOM', { party: 'IOM', ...LE }, 'NOT_A_PARTY'],
    ['MED-TIP without X-Purpose', { party: 'ITA', agreementId: MED }, 'PURPOSE_MISSING'],
    ['readmission without X-Purpose', { party: 'NGA', agreementId: READMISSION }, 'PURPOSE_MISSING'],
    ['MED-TIP, LAW_ENFORCEMENT (no grant)', { party: 'ITA', agreementId: MED, purpose: 'LAW_ENFORCEMENT' }, 'PURPOSE_NOT_GRANTED'],
    ['MED-TIP, RETURN_AND_READMISSION (no grant)', { party: 'ESP', agreementId: MED, purpose: 'RETURN_AND_READMISSION' }, 'PURPOSE_NOT_GRANTED'],
    ['readmission, ANTI_TRAFFICKING (no grant)', { party: 'ITA', agreementId: READMISSION, purpose: 'ANTI_TRAFFICKING' }, 'PURPOSE_NOT_GRANTED'],
    ['readmission, STATISTICS (no grant)', { party: 'NGA', agreementId: READMISSION, purpose: 'STATISTICS' }, 'PURPOSE_NOT_GRANTED'],
  ];
  it.each(refusals.map(([name, ctx, code]) => [`${name} → ${code}`, ctx, code] as const))('%s', async (_name, ctx, code) => {
    const reads = await run(main, ctx, READS, { id: P.med['m-0001'] });
    expect(reads.body.data ?? null).toBeNull();
    expect(codesOf(reads)).toEqual([code]);
    expect(reads.body.extensions?.['privacy']).toBeUndefined();
    const entitlements = await run(main, ctx, ENTITLEMENTS);
    expect(entitlements.body.data ?? null).toBeNull();
    expect(codesOf(entitlements)).toEqual([code]);
  });

  it.each<[string, string, Ctx, string | null]>([
    ['MED-TIP the day before effectiveFrom', '2023-12-31', { party: 'ITA', ...AT }, 'AGREEMENT_NOT_IN_FORCE'],
    ['MED-TIP on effectiveFrom', '2024-01-01', { party: 'ITA', ...AT }, null],
    ['readmission the day before effectiveFrom', '2023-05-31', { party: 'NGA', ...RETURN }, 'AGREEMENT_NOT_IN_FORCE'],
    ['readmission on effectiveFrom', '2023-06-01', { party: 'NGA', ...RETURN }, null],
    ['readmission on expiresOn', '2028-05-31', { party: 'ITA', ...RETURN }, null],
    ['readmission the day after expiresOn', '2028-06-01', { party: 'ITA', ...RETURN }, 'AGREEMENT_NOT_IN_FORCE'],
    ['ESP-IOM on expiresOn', '2024-12-31', { party: 'ESP', ...FR }, null],
    ['ESP-IOM on expiresOn, last second', '2024-12-31T23:59:59Z', { party: 'IOM', ...FR }, null],
    ['ESP-IOM the day after expiresOn', '2025-01-01', { party: 'ESP', ...FR }, 'AGREEMENT_NOT_IN_FORCE'],
    ['ESP-IOM the day after expiresOn, first second', '2025-01-01T00:00:00Z', { party: 'IOM', ...FR }, 'AGREEMENT_NOT_IN_FORCE'],
    ['AEGEAN (SUSPENDED) within its dates', '2020-06-01', { party: 'GRC', agreementId: AEGEAN, purpose: 'BORDER_CONTROL' }, 'AGREEMENT_NOT_IN_FORCE'],
  ])('in force is inclusive of both dates: %s (%s)', async (_name, day, ctx, code) => {
    at(day);
    const reply = await run(dial, ctx, ENTITLEMENTS);
    if (code === null) {
      expect(dataOf(reply)).toEqual({ entitlements: { agreementId: ctx.agreementId, purpose: ctx.purpose } });
    } else {
      expect(reply.body.data ?? null).toBeNull();
      expect(codesOf(reply)).toEqual([code]);
    }
  });
});

// ---------------------------------------------------------------------------------
// 3. Clearance levels against health, victimStatus and criminalRecord
// ---------------------------------------------------------------------------------

const AMARA_HEALTH = { conditions: ['anaemia'], vulnerabilities: ['PREGNANT'] };
const FATIMA_HEALTH = { conditions: ['PTSD'], vulnerabilities: ['SURVIVOR_OF_VIOLENCE'] };
const FATIMA_VICTIM = { status: 'PRESUMED_VICTIM', identifiedOn: '2022-06-01', exploitationType: 'LABOUR' };

describe('clearance STANDARD / ELEVATED / SPECIAL against the special categories (contract 3 rule 3)', () => {
  const SELECTION: Record<string, string> = {
    health: 'health { conditions vulnerabilities }',
    victimStatus: 'victimStatus { status identifiedOn exploitationType }',
    criminalRecord: 'criminalRecord { convictions { offence year country } }',
  };
  type Outcome = { value: unknown } | { reason: string } | { refused: string };
  const IC = { reason: 'INSUFFICIENT_CLEARANCE' };
  const CM = { reason: 'CONSENT_MISSING' };
  const NC = { reason: 'SPECIAL_CATEGORY_NOT_COVERED' };
  const NA = { reason: 'PURPOSE_NOT_ALLOWED_FOR_FIELD' };
  /** The whole read refused: an aggregate-only grant lists the special category for counting only. */
  const AO = { refused: 'RECORD_ACCESS_NOT_GRANTED' };

  // [field, context, party, record, outcome at STANDARD, ELEVATED, SPECIAL]
  const table: [string, string, { agreementId: string; purpose: string }, string, 'med' | 'ra', string, Outcome, Outcome, Outcome][] = [
    ['health', 'SERVICE_DELIVERY (HEALTH granted), consent active', SD, 'ITA', 'med', 'm-0001', IC, { value: AMARA_HEALTH }, { value: AMARA_HEALTH }],
    ['health', 'SERVICE_DELIVERY, consent withdrawn', SD, 'ESP', 'med', 'm-0004', IC, CM, CM],
    ['health', 'ANTI_TRAFFICKING (HEALTH granted), consent active', AT, 'ESP', 'med', 'm-0004', IC, { value: FATIMA_HEALTH }, { value: FATIMA_HEALTH }],
    ['health', 'ANTI_TRAFFICKING, consent only for another purpose', AT, 'ITA', 'med', 'm-0001', IC, CM, CM],
    ['health', 'LAW_ENFORCEMENT (HEALTH not granted)', LE, 'NGA', 'ra', 'm-0003', NC, NC, NC],
    ['victimStatus', 'ANTI_TRAFFICKING (VICTIM_STATUS granted)', AT, 'ITA', 'med', 'm-0001', IC, IC, { value: AMARA_VICTIM }],
    ['victimStatus', 'STATISTICS (VICTIM_STATUS listed in an aggregate-only grant)', STATS, 'IOM', 'med', 'm-0004', AO, AO, AO],
    ['victimStatus', 'SERVICE_DELIVERY (allowed, VICTIM_STATUS not granted)', SD, 'ITA', 'med', 'm-0001', NC, NC, NC],
    ['victimStatus', 'RETURN_AND_READMISSION (purpose not allowed)', RETURN, 'ITA', 'ra', 'm-0001', NA, NA, NA],
    ['criminalRecord', 'LAW_ENFORCEMENT (CRIMINAL_RECORD granted)', LE, 'NGA', 'ra', 'm-0003', IC, { value: EMEKA_CONVICTIONS }, { value: EMEKA_CONVICTIONS }],
    ['criminalRecord', 'ANTI_TRAFFICKING (CRIMINAL_RECORD not granted)', AT, 'ITA', 'med', 'm-0003', NC, NC, NC],
  ];
  const cases = table.flatMap(([field, label, context, party, ns, record, ...outcomes]) =>
    (['STANDARD', 'ELEVATED', 'SPECIAL'] as const).map(
      (clearance, i) => [`${field} of ${record} under ${label}, ${party} ${clearance}`, field, context, party, ns, record, clearance, outcomes[i]!] as const,
    ),
  );

  it.each(cases)('%s', async (_name, field, context, party, ns, record, clearance, outcome) => {
    const reply = await run(main, { party, clearance, ...context }, `query($id: ID!) { migrant(id: $id) { id ${SELECTION[field]} } }`, { id: P[ns][record] });
    if ('refused' in outcome) {
      expect([reply.status, codesOf(reply), reply.body.data ?? null]).toEqual([403, [outcome.refused], null]);
      return;
    }
    const value = 'value' in outcome ? outcome.value : null;
    expect(dataOf(reply)).toEqual({ migrant: { id: P[ns][record], [field]: value } });
    // NATIONALS_OF_PARTIES (RETURN_AND_READMISSION) selects records by nationality: each one returned discloses it.
    const scope = context === RETURN ? { 'Migrant.nationality': D1 } : {};
    expect(reportMap(reply)).toEqual({ ...scope, [`Migrant.${field}`]: 'value' in outcome ? D1 : `REDACTED ${outcome.reason} x1` });
  });
});

// ---------------------------------------------------------------------------------
// 4. Consent given and withdrawn
// ---------------------------------------------------------------------------------

describe('consent given and withdrawn decides health per record (contract 3 rule 3)', () => {
  const HEALTH_PAGE = 'id givenName familyName health { conditions vulnerabilities }';

  it.each<[string, { agreementId: string; purpose: string }, string, unknown]>([
    ['SERVICE_DELIVERY: m-0001 (consent active) disclosed, all others CONSENT_MISSING (m-0004 withdrew)', SD, 'Amara Okafor', AMARA_HEALTH],
    ['ANTI_TRAFFICKING: m-0004 (consent active) disclosed, all others CONSENT_MISSING', AT, 'Fatima Diallo', FATIMA_HEALTH],
  ])('%s', async (_name, context, consenting, health) => {
    const { reply, page: found } = await page(main, { ...ita('ELEVATED'), ...context }, HEALTH_PAGE);
    expect(found.totalCount).toBe(11);
    const disclosed = found.edges.filter((e) => e.node['health'] !== null);
    expect(namesOf({ ...found, edges: disclosed })).toEqual([consenting]);
    expect(disclosed[0]!.node['health']).toEqual(health);
    expect(reportMap(reply, 'Migrant.health')).toEqual({ 'Migrant.health': 'DISCLOSED x1 + REDACTED CONSENT_MISSING x10' });
  });

  it('m-0004: withdrawn SERVICE_DELIVERY consent → null (CONSENT_MISSING); active ANTI_TRAFFICKING consent → disclosed to ELEVATED', async () => {
    const query = 'query($id: ID!) { migrant(id: $id) { health { conditions vulnerabilities } } }';
    const sd = await run(main, { party: 'ESP', clearance: 'ELEVATED', ...SD }, query, { id: P.med['m-0004'] });
    expect(dataOf(sd)).toEqual({ migrant: { health: null } });
    expect(privacyOf(sd).fields).toEqual([{ coordinate: 'Migrant.health', action: 'REDACTED', reason: 'CONSENT_MISSING', count: 1 }]);
    const at_ = await run(main, { party: 'ESP', clearance: 'ELEVATED', ...AT }, query, { id: P.med['m-0004'] });
    expect(dataOf(at_)).toEqual({ migrant: { health: FATIMA_HEALTH } });
    expect(privacyOf(at_).fields).toEqual([{ coordinate: 'Migrant.health', action: 'DISCLOSED', count: 1 }]);
  });

  it('a consent counts from the day it was given (m-0001, given 2024-11-05)', async () => {
    const ctx = { ...ita('ELEVATED'), ...SD };
    at('2024-11-04');
    const before = await page(dial, ctx, 'givenName health { vulnerabilities }', { familyName: 'Okafor' });
    expect(before.page.totalCount).toBe(2);
    expect(before.page.edges.map((e) => e.node)).toEqual(
      expect.arrayContaining([{ givenName: 'Amara', health: null }, { givenName: 'Chidi', health: null }]),
    );
    expect(reportMap(before.reply, 'Migrant.health')).toEqual({ 'Migrant.health': 'REDACTED CONSENT_MISSING x2' });
    at('2024-11-05');
    const after = await page(dial, ctx, 'givenName health { vulnerabilities }', { familyName: 'Okafor' });
    expect(after.page.totalCount).toBe(2);
    expect(after.page.edges.map((e) => e.node)).toEqual(
      expect.arrayContaining([{ givenName: 'Amara', health: { vulnerabilities: ['PREGNANT'] } }, { givenName: 'Chidi', health: null }]),
    );
    expect(reportMap(after.reply, 'Migrant.health')).toEqual({ 'Migrant.health': 'DISCLOSED x1 + REDACTED CONSENT_MISSING x1' });
  });
});

// ---------------------------------------------------------------------------------
// 5. Data requests named in X-Data-Request-Id
// ---------------------------------------------------------------------------------

describe('data requests: approved widens for its subjects only; pending, expired, foreign refused (contract 3 rule 4, 4, 5)', () => {
  const IDENTITY = 'query($id: ID!) { migrant(id: $id) { givenName familyName dateOfBirth sex placeOfBirth } }';

  it.each<[string, Ctx]>([
    ['req-0002 is PENDING', { ...nga(), ...LE, dataRequestId: 'req-0002' }],
    ['req-0003 is APPROVED but past validUntil 2023-12-31 (reads EXPIRED)', { ...nga(), ...LE, dataRequestId: 'req-0003' }],
    ['req-0001 named by ITA, which is not its requesting party', { ...ita(), ...LE, dataRequestId: 'req-0001' }],
    ['req-0001 named by ITA under RETURN_AND_READMISSION', { ...ita(), ...RETURN, dataRequestId: 'req-0001' }],
  ])('%s: DATA_REQUEST_INVALID, no data', async (_name, ctx) => {
    const reply = await run(main, ctx, IDENTITY, { id: P.ra['m-0003'] });
    expect(reply.body.data ?? null).toBeNull();
    expect(codesOf(reply)).toEqual(['DATA_REQUEST_INVALID']);
  });

  it('req-0001 (APPROVED, NGA→ITA, IDENTITY+TRAVEL_DOCUMENT, m-0003) raises IDENTITY to FULL for m-0003, for NGA', async () => {
    const without = await run(main, { ...nga('STANDARD'), ...LE }, IDENTITY, { id: P.ra['m-0003'] });
    expect(dataOf(without)).toEqual({ migrant: { givenName: 'E.', familyName: 'N.', dateOfBirth: '1988', sex: null, placeOfBirth: null } });
    const withRequest = await run(main, { ...nga('STANDARD'), ...LE, dataRequestId: 'req-0001' }, IDENTITY, { id: P.ra['m-0003'] });
    expect(dataOf(withRequest)).toEqual({ migrant: { givenName: 'Emeka', familyName: 'Nwosu', dateOfBirth: '1988-10-30', sex: 'M', placeOfBirth: 'Enugu' } });
    expect(reportMap(withRequest)).toEqual({
      'Migrant.dateOfBirth': D1,
      'Migrant.familyName': D1,
      'Migrant.givenName': D1,
      'Migrant.placeOfBirth': D1,
      'Migrant.sex': D1,
    });
  });

  it('the request reads APPROVED, req-0003 EXPIRED; its subjects are decided like any record', async () => {
    const query = `{
      one: dataRequest(id: "req-0001") { id status validUntil categories requestingParty { code } subjects { id givenName } }
      three: dataRequest(id: "req-0003") { id status validUntil subjects { id } }
    }`;
    const plain = await run(main, { ...nga(), ...LE }, query);
    expect(dataOf(plain)).toEqual({
      one: {
        id: 'req-0001',
        status: 'APPROVED',
        validUntil: '2027-09-03',
        categories: ['IDENTITY', 'TRAVEL_DOCUMENT'],
        requestingParty: { code: 'NGA' },
        subjects: [{ id: P.ra['m-0003'], givenName: 'E.' }],
      },
      // m-0009 is no subject of an approved, unexpired request, and past the 730 days.
      three: { id: 'req-0003', status: 'EXPIRED', validUntil: '2023-12-31', subjects: [] },
    });
    const raised = await run(main, { ...nga(), ...LE, dataRequestId: 'req-0001' }, query);
    expect((dataOf(raised)['one'] as Node)['subjects']).toEqual([{ id: P.ra['m-0003'], givenName: 'Emeka' }]);
  });

  it('on 2023-12-31 req-0003 is valid: it raises IDENTITY for its subject m-0009 only, not for m-0003 (subject of req-0001)', async () => {
    at('2023-12-31');
    const { reply, page: found } = await page(dial, { ...nga(), ...LE, dataRequestId: 'req-0003' }, 'givenName dateOfBirth nationality');
    // REQUESTED_ONLY: subjects of NGA's approved, unexpired requests: m-0003 (req-0001), m-0009 (req-0003).
    expect(found.totalCount).toBe(2);
    expect(found.edges.map((e) => e.node)).toEqual(
      expect.arrayContaining([
        { givenName: 'Blessing', dateOfBirth: '2003-04-18', nationality: 'NGA' },
        { givenName: 'E.', dateOfBirth: '1988', nationality: 'NGA' },
      ]),
    );
    expect(reportMap(reply)).toEqual({
      'Migrant.dateOfBirth': 'DISCLOSED x1 + MINIMISED YEAR x1',
      'Migrant.givenName': 'DISCLOSED x1 + MINIMISED INITIAL x1',
      'Migrant.nationality': 'DISCLOSED x2',
    });
  });

  it.each<[string, string]>([
    ['2027-09-03', 'accepted'],
    ['2027-09-04', 'DATA_REQUEST_INVALID'],
  ])('req-0001 is valid until 2027-09-03 inclusive: on %s → %s', async (day, code) => {
    at(day);
    const reply = await run(dial, { ...nga(), ...LE, dataRequestId: 'req-0001' }, '{ entitlements { dataRequestId } }');
    if (code === 'accepted') expect(dataOf(reply)).toEqual({ entitlements: { dataRequestId: 'req-0001' } });
    else expect(codesOf(reply)).toEqual([code]);
    const status = await run(dial, { ...nga(), ...LE }, '{ dataRequest(id: "req-0001") { status } }');
    expect(dataOf(status)).toEqual({ dataRequest: { status: code === 'accepted' ? 'APPROVED' : 'EXPIRED' } });
  });
});

// ---------------------------------------------------------------------------------
// 6. Row scope and retention
// ---------------------------------------------------------------------------------

const MED_ALL_NAMES = [
  'Ahmad Rahimi',
  'Amara Okafor',
  'Blessing Eze',
  'Chidi Okafor',
  'Emeka Nwosu',
  'Fatima Diallo',
  'Mariam Keita',
  'Omar Haddad',
  'Samuel Adeyemi',
  'Yonas Tesfaye',
  'Zahra Rahimi',
];

describe('subject scopes and retention: exact totalCounts (contract 3, row level)', () => {
  const NAMES = 'id givenName familyName';

  const scopes: [string, () => SchemaTier, Ctx, number, string[] | null][] = [
    // ALL_HELD_BY_PARTIES (ITA, ESP, GRC, IOM): all but m-0012 (recorded 2012-04-11 < 2015-06-04).
    ['2025-06-01, MED-TIP ANTI_TRAFFICKING, ITA', () => main, { ...ita(), ...AT }, 11, MED_ALL_NAMES],
    ['2025-06-01, MED-TIP SERVICE_DELIVERY, ESP', () => main, { party: 'ESP', ...SD }, 11, MED_ALL_NAMES],
    // NATIONALS_OF_PARTIES (ITA, NGA) recorded on or after 2023-06-02: m-0001, m-0002, m-0003.
    ['2025-06-01, readmission RETURN_AND_READMISSION, ITA', () => main, { ...ita(), ...RETURN }, 3, ['Amara Okafor', 'Chidi Okafor', 'Emeka Nwosu']],
    ['2025-06-01, readmission RETURN_AND_READMISSION, NGA', () => main, { ...nga(), ...RETURN }, 3, ['Amara Okafor', 'Chidi Okafor', 'Emeka Nwosu']],
    // REQUESTED_ONLY: NGA's approved, unexpired request req-0001 names m-0003; ITA has none.
    ['2025-06-01, readmission LAW_ENFORCEMENT, NGA', () => main, { ...nga(), ...LE }, 1, ['E. N.']],
    ['2025-06-01, readmission LAW_ENFORCEMENT, ITA', () => main, { ...ita(), ...LE }, 0, []],
    // 2026-11-23: m-0008 (2016-03-21) is past the 3650 days too.
    ['2026-11-23, MED-TIP ANTI_TRAFFICKING, ITA', () => late, { ...ita(), ...AT }, 10, MED_ALL_NAMES.filter((n) => n !== 'Omar Haddad')],
    // 2026-11-23: cut-off 2024-11-23, m-0001/m-0002 (2024-11-04) and m-0003 (2023-08-15) are past it.
    ['2026-11-23, readmission RETURN_AND_READMISSION, ITA', () => late, { ...ita(), ...RETURN }, 0, []],
    ['2026-11-23, readmission LAW_ENFORCEMENT, NGA', () => late, { ...nga(), ...LE }, 0, []],
    ['2026-11-23, readmission LAW_ENFORCEMENT, NGA naming req-0001 (still valid)', () => late, { ...nga(), ...LE, dataRequestId: 'req-0001' }, 0, []],
  ];
  it.each(scopes.map(([name, ...rest]) => [`${name} → totalCount ${rest[2]}`, ...rest] as const))('%s', async (_name, gw, ctx, totalCount, names) => {
    const { page: found } = await page(gw(), ctx, NAMES);
    expect(found.totalCount).toBe(totalCount);
    expect(found.edges).toHaveLength(totalCount);
    expect(found.pageInfo.hasNextPage).toBe(false);
    if (names) expect(namesOf(found)).toEqual(names);
  });

  it('2025-06-01, MED-TIP STATISTICS, IOM: records refused (aggregate-only grant); the same scope counted by statistics: 11', async () => {
    const rows = await run(main, { party: 'IOM', ...STATS }, `{ migrants(first: 100) { totalCount edges { node { ${NAMES} } } } }`);
    expect([rows.status, codesOf(rows)]).toEqual([403, ['RECORD_ACCESS_NOT_GRANTED']]);
    const counted = await run(main, { party: 'IOM', ...STATS }, '{ statistics(groupBy: [HOLDER]) { total } }');
    expect(dataOf(counted)).toEqual({ statistics: { total: 11 } });
  });

  it.each<[string, number]>([
    ['2026-11-04T00:00:00Z', 2],
    ['2026-11-04', 2],
    ['2026-11-04T23:59:59Z', 2],
    ['2026-11-05T00:00:00Z', 0],
    ['2026-11-05', 0],
  ])('retention counts days from recordedAt: m-0001/m-0002 (2024-11-04) under the 730-day MoU on %s → %d', async (day, count) => {
    at(day);
    const { page: found } = await page(dial, { ...ita(), ...RETURN }, NAMES);
    expect(found.totalCount).toBe(count);
    expect(namesOf(found)).toEqual(count ? ['Amara Okafor', 'Chidi Okafor'] : []);
  });

  it('a record past retention is gone by its pseudonym too (m-0008 under MED-TIP, 2025-06-01 → 2026-11-23)', async () => {
    const ctx = { ...ita(), ...AT };
    at('2025-06-01');
    const id = await pseudonymOf(dial, ctx, 'Haddad', 'Omar');
    const query = 'query($id: ID!) { migrant(id: $id) { id givenName } }';
    expect(dataOf(await run(dial, ctx, query, { id }))).toEqual({ migrant: { id, givenName: 'Omar' } });
    at('2026-11-23');
    expect(dataOf(await run(dial, ctx, query, { id }))).toEqual({ migrant: null });
  });

  it('a record out of the subject scope is null by its pseudonym: m-0004 (GIN national) under RETURN_AND_READMISSION', async () => {
    // The pseudonym of m-0004 under the readmission MoU is unknown to any caller; its MED-TIP
    // pseudonym must not resolve there, and m-0003 (in scope) must.
    const query = 'query($id: ID!) { migrant(id: $id) { id } }';
    expect(dataOf(await run(main, { ...ita(), ...RETURN }, query, { id: P.med['m-0004'] }))).toEqual({ migrant: null });
    expect(dataOf(await run(main, { ...ita(), ...RETURN }, query, { id: P.ra['m-0003'] }))).toEqual({ migrant: { id: P.ra['m-0003'] } });
    // m-0001 is no subject of an approved request: out of LAW_ENFORCEMENT's scope.
    expect(dataOf(await run(main, { ...nga(), ...LE }, query, { id: P.ra['m-0001'] }))).toEqual({ migrant: null });
  });
});

// ---------------------------------------------------------------------------------
// 7. extensions.privacy
// ---------------------------------------------------------------------------------

describe('extensions.privacy: exact entries, one per coordinate and outcome, counts over lists (contract 5)', () => {
  it('a small query: exact entries with action, reason or strategy, and count', async () => {
    const reply = await run(
      main,
      { ...ita('ELEVATED'), ...SD },
      'query($id: ID!) { migrant(id: $id) { givenName arrivalDate legalStatus religion health { conditions } victimStatus { status } } }',
      { id: P.med['m-0001'] },
    );
    expect(dataOf(reply)).toEqual({
      migrant: { givenName: 'Amara', arrivalDate: '2024-11', legalStatus: null, religion: null, health: { conditions: ['anaemia'] }, victimStatus: null },
    });
    const privacy = privacyOf(reply);
    expect(privacy.agreement).toBe(MED);
    expect(privacy.purpose).toBe('SERVICE_DELIVERY');
    const byCoordinate = [...privacy.fields].sort((a, b) => a.coordinate.localeCompare(b.coordinate));
    expect(byCoordinate).toEqual([
      { coordinate: 'Migrant.arrivalDate', action: 'MINIMISED', strategy: 'YEAR_MONTH', count: 1 },
      { coordinate: 'Migrant.givenName', action: 'DISCLOSED', count: 1 },
      { coordinate: 'Migrant.health', action: 'DISCLOSED', count: 1 },
      { coordinate: 'Migrant.legalStatus', action: 'REDACTED', reason: 'MINIMISATION_UNAVAILABLE', count: 1 },
      { coordinate: 'Migrant.religion', action: 'REDACTED', reason: 'SPECIAL_CATEGORY_NOT_COVERED', count: 1 },
      { coordinate: 'Migrant.victimStatus', action: 'REDACTED', reason: 'SPECIAL_CATEGORY_NOT_COVERED', count: 1 },
    ]);
  });

  it('a list of 11 records under ANTI_TRAFFICKING: counts 11, split per outcome', async () => {
    const { reply, page: found } = await page(
      main,
      { ...ita('ELEVATED'), ...AT },
      'givenName dateOfBirth arrivalDate religion health { conditions } victimStatus { status } address { city country } documents { number expiresOn issuingCountry }',
    );
    expect(found.totalCount).toBe(11);
    expect(reportMap(reply)).toEqual({
      'Address.city': 'REDACTED MINIMISATION_UNAVAILABLE x11',
      'Migrant.address': 'DISCLOSED x11',
      'Migrant.arrivalDate': 'DISCLOSED x11',
      'Migrant.dateOfBirth': 'DISCLOSED x11',
      'Migrant.documents': 'DISCLOSED x11',
      'Migrant.givenName': 'DISCLOSED x11',
      'Migrant.health': 'DISCLOSED x1 + REDACTED CONSENT_MISSING x10',
      'Migrant.religion': 'REDACTED SPECIAL_CATEGORY_NOT_COVERED x11',
      'Migrant.victimStatus': 'REDACTED INSUFFICIENT_CLEARANCE x11',
      // One document each for m-0001, -0003, -0004, -0006, -0008, -0009, -0010.
      'TravelDocument.expiresOn': 'MINIMISED YEAR_MONTH x7',
      'TravelDocument.number': 'MINIMISED LAST_FOUR x7',
    });
    const documents = found.edges.flatMap((e) => e.node['documents'] as Node[]);
    expect(documents.map((d) => d['number']).sort()).toEqual(['****2345', '****4444', '****4567', '****5432', '****5678', '****6666', '****8776']);
    expect(documents.map((d) => d['expiresOn']).sort()).toEqual(['2024-03', '2025-01', '2026-04', '2027-09', '2028-12', '2029-01', '2030-06']);
    expect(new Set(found.edges.map((e) => (e.node['address'] as Node)['city']))).toEqual(new Set([null]));
  });

  it('a list under RETURN_AND_READMISSION: 3 records, documents in full', async () => {
    const { reply } = await page(main, { ...ita(), ...RETURN }, 'givenName arrivalDate legalStatus documents { number }');
    expect(reportMap(reply)).toEqual({
      'Migrant.arrivalDate': 'MINIMISED YEAR_MONTH x3',
      'Migrant.documents': 'DISCLOSED x3',
      'Migrant.givenName': 'DISCLOSED x3',
      'Migrant.legalStatus': 'REDACTED MINIMISATION_UNAVAILABLE x3',
      // Not selected: the NATIONALS_OF_PARTIES scope selects by nationality (membership is a disclosure).
      'Migrant.nationality': 'DISCLOSED x3',
      'TravelDocument.number': 'DISCLOSED x2', // m-0002 has no document
    });
  });

  it('a query that reads records but no annotated field reports no field decision, and is audited (the records exist)', async () => {
    const reply = await run(main, { ...ita(), ...AT }, '{ migrants(first: 100) { totalCount edges { node { id holder { code } } } } }');
    expect((dataOf(reply)['migrants'] as { totalCount: number }).totalCount).toBe(11);
    const privacy = reply.body.extensions?.['privacy'] as { agreement: string; purpose: string; fields: unknown[]; auditId: string | null };
    expect({ agreement: privacy.agreement, purpose: privacy.purpose, fields: privacy.fields }).toEqual({ agreement: MED, purpose: 'ANTI_TRAFFICKING', fields: [] });
    expect(privacy.auditId).toEqual(expect.any(String));
  });

  it('nested lists are counted per object: documents of a relative (m-0007 → m-0006) under ANTI_TRAFFICKING', async () => {
    const reply = await run(
      main,
      { ...ita('ELEVATED'), ...AT },
      'query($id: ID!) { migrant(id: $id) { documents { number } family { givenName documents { type number issuingCountry expiresOn } } } }',
      { id: P.med['m-0007'] },
    );
    expect(dataOf(reply)).toEqual({
      migrant: { documents: [], family: [{ givenName: 'Ahmad', documents: [{ type: 'PASSPORT', number: '****4567', issuingCountry: 'AFG', expiresOn: '2025-01' }] }] },
    });
    expect(reportMap(reply)).toEqual({
      'Migrant.documents': 'DISCLOSED x2',
      'Migrant.family': D1,
      'Migrant.givenName': D1,
      'TravelDocument.expiresOn': 'MINIMISED YEAR_MONTH x1',
      'TravelDocument.number': 'MINIMISED LAST_FOUR x1',
    });
  });
});

// ---------------------------------------------------------------------------------
// 8. Filters
// ---------------------------------------------------------------------------------

describe('migrants(filter:): FILTER_NOT_PERMITTED where the field is not seen in full; correct results elsewhere (contract 4, 5)', () => {
  it.each<[string, Ctx, Record<string, unknown>]>([
    ['familyName under LAW_ENFORCEMENT (IDENTITY MINIMISED)', { ...nga(), ...LE }, { familyName: 'Nwosu' }],
    ['documentNumber under ANTI_TRAFFICKING (TRAVEL_DOCUMENT MINIMISED)', { ...ita(), ...AT }, { documentNumber: 'A12345678' }],
    ['documentNumber under SERVICE_DELIVERY (TRAVEL_DOCUMENT not granted)', { ...ita(), ...SD }, { documentNumber: 'A12345678' }],
    ['legalStatus under SERVICE_DELIVERY (IMMIGRATION_STATUS MINIMISED)', { ...ita(), ...SD }, { legalStatus: 'REFUGEE' }],
    ['arrivedAfter under SERVICE_DELIVERY (arrivalDate minimised)', { ...ita(), ...SD }, { arrivedAfter: '2024' }],
    ['arrivedBefore under RETURN_AND_READMISSION (arrivalDate minimised)', { ...ita(), ...RETURN }, { arrivedBefore: '2024-12' }],
    ['a permitted filter combined with a refused one', { ...ita(), ...AT }, { holder: 'ITA', documentNumber: 'A12345678' }],
  ])('%s: refused', async (_name, ctx, filter) => {
    const reply = await run(main, ctx, 'query($f: MigrantFilter) { migrants(filter: $f) { totalCount edges { node { id } } } }', { f: filter });
    expect(reply.body.data ?? null).toBeNull();
    expect(codesOf(reply)).toEqual(['FILTER_NOT_PERMITTED']);
  });

  it.each<[string, Record<string, unknown>]>([
    ['nationality (NATIONALITY AGGREGATE)', { nationality: 'NGA' }],
    ['familyName (IDENTITY AGGREGATE)', { familyName: 'Okafor' }],
    ['holder (not personal data)', { holder: 'ESP' }],
  ])('%s under STATISTICS: refused with RECORD_ACCESS_NOT_GRANTED (the grant is aggregate-only: no record, filtered or not)', async (_name, filter) => {
    const reply = await run(main, { party: 'IOM', ...STATS }, 'query($f: MigrantFilter) { migrants(filter: $f) { totalCount edges { node { id } } } }', { f: filter });
    expect(reply.body.data ?? null).toBeNull();
    expect([reply.status, codesOf(reply)]).toEqual([403, ['RECORD_ACCESS_NOT_GRANTED']]);
  });

  it.each<[string, Ctx, Record<string, unknown>, number, string[] | null]>([
    ['familyName Okafor under ANTI_TRAFFICKING', { ...ita(), ...AT }, { familyName: 'Okafor' }, 2, ['Amara Okafor', 'Chidi Okafor']],
    ['familyName Okafor under RETURN_AND_READMISSION', { ...ita(), ...RETURN }, { familyName: 'Okafor' }, 2, ['Amara Okafor', 'Chidi Okafor']],
    ['familyName Mensah under ANTI_TRAFFICKING (m-0012 past retention)', { ...ita(), ...AT }, { familyName: 'Mensah' }, 0, []],
    [
      'nationality NGA under ANTI_TRAFFICKING',
      { ...ita(), ...AT },
      { nationality: 'NGA' },
      5,
      ['Amara Okafor', 'Blessing Eze', 'Chidi Okafor', 'Emeka Nwosu', 'Samuel Adeyemi'],
    ],
    ['nationality NGA, holder ITA, legalStatus ASYLUM_SEEKER under ANTI_TRAFFICKING', { ...ita(), ...AT }, { nationality: 'NGA', holder: 'ITA', legalStatus: 'ASYLUM_SEEKER' }, 2, ['Amara Okafor', 'Chidi Okafor']],
    ['legalStatus REFUGEE under ANTI_TRAFFICKING', { ...ita(), ...AT }, { legalStatus: 'REFUGEE' }, 3, ['Ahmad Rahimi', 'Fatima Diallo', 'Zahra Rahimi']],
    ['arrivedBefore 2020 under ANTI_TRAFFICKING', { ...ita(), ...AT }, { arrivedBefore: '2020' }, 4, ['Ahmad Rahimi', 'Omar Haddad', 'Samuel Adeyemi', 'Zahra Rahimi']],
    ['documentNumber A12345678 under RETURN_AND_READMISSION', { ...ita(), ...RETURN }, { documentNumber: 'A12345678' }, 1, ['Amara Okafor']],
    ['documentNumber B98765432 under LAW_ENFORCEMENT', { ...nga(), ...LE }, { documentNumber: 'B98765432' }, 1, ['E. N.']],
    ['documentNumber A12345678 under LAW_ENFORCEMENT (m-0001 not requested)', { ...nga(), ...LE }, { documentNumber: 'A12345678' }, 0, []],
    ['holder GRC under SERVICE_DELIVERY', { ...ita(), ...SD }, { holder: 'GRC' }, 3, ['Ahmad Rahimi', 'Omar Haddad', 'Zahra Rahimi']],
    ['holder NGA under ANTI_TRAFFICKING (not a party)', { ...ita(), ...AT }, { holder: 'NGA' }, 0, []],
    ['holder ITA under LAW_ENFORCEMENT', { ...nga(), ...LE }, { holder: 'ITA' }, 1, ['E. N.']],
    ['nationality NGA under LAW_ENFORCEMENT', { ...nga(), ...LE }, { nationality: 'NGA' }, 1, ['E. N.']],
  ])('%s: permitted', async (_name, ctx, filter, totalCount, names) => {
    const { page: found } = await page(main, ctx, 'id givenName familyName', filter);
    expect(found.totalCount).toBe(totalCount);
    expect(found.edges).toHaveLength(totalCount);
    if (names) expect(namesOf(found)).toEqual(names);
  });
});

// ---------------------------------------------------------------------------------
// 9. Entitlements
// ---------------------------------------------------------------------------------

describe('entitlements: the decision table of one context (contract 4)', () => {
  const QUERY = `{ entitlements { agreementId purpose subjectScope clearance dataRequestId
      fields { coordinate action reason strategy condition } filters { argument permitted } } }`;
  type Entitlements = {
    agreementId: string;
    purpose: string;
    subjectScope: string;
    clearance: string;
    dataRequestId: string | null;
    fields: { coordinate: string; action: string; reason: string | null; strategy: string | null; condition: string | null }[];
    filters: { argument: string; permitted: boolean }[];
  };
  const load = async (ctx: Ctx): Promise<Entitlements> => {
    const reply = await run(main, ctx, QUERY);
    const entitlements = dataOf(reply)['entitlements'] as Entitlements;
    return entitlements;
  };
  const field = (e: Entitlements, coordinate: string) => e.fields.find((f) => f.coordinate === coordinate);
  const decided = (action: string, more: { reason?: string; strategy?: string; condition?: string } = {}) => ({
    action,
    reason: more.reason ?? null,
    strategy: more.strategy ?? null,
    condition: more.condition ?? null,
  });

  const CONTRACT_COORDINATES = [
    'Migrant.givenName', 'Migrant.familyName', 'Migrant.dateOfBirth', 'Migrant.sex', 'Migrant.placeOfBirth', 'Migrant.nationality',
    'Migrant.address', 'Address.line1', 'Address.city', 'Address.region', 'Address.postalCode', 'Migrant.documents',
    'TravelDocument.number', 'TravelDocument.expiresOn', 'Migrant.legalStatus', 'Migrant.arrivalDate', 'Migrant.family',
    'Migrant.requests', 'Migrant.biometrics', 'Migrant.health', 'Migrant.ethnicOrigin', 'Migrant.religion',
    'Migrant.criminalRecord', 'Migrant.victimStatus',
  ];

  it('MED-TIP SERVICE_DELIVERY, ITA ELEVATED: health conditioned on consent, minimised and withheld fields, filters', async () => {
    const e = await load({ ...ita('ELEVATED'), ...SD });
    expect({ ...e, fields: undefined, filters: undefined }).toEqual({
      agreementId: MED,
      purpose: 'SERVICE_DELIVERY',
      subjectScope: 'ALL_HELD_BY_PARTIES',
      clearance: 'ELEVATED',
      dataRequestId: null,
      fields: undefined,
      filters: undefined,
    });
    expect(e.fields.map((f) => f.coordinate)).toEqual(expect.arrayContaining(CONTRACT_COORDINATES));
    expect(e.fields.map((f) => f.coordinate)).not.toEqual(expect.arrayContaining(['Address.country']));
    const spot: Record<string, ReturnType<typeof decided>> = {
      'Migrant.health': decided('DISCLOSED', { condition: 'SUBJECT_CONSENT' }),
      'Migrant.givenName': decided('DISCLOSED'),
      'Migrant.arrivalDate': decided('MINIMISED', { strategy: 'YEAR_MONTH' }),
      'Migrant.legalStatus': decided('REDACTED', { reason: 'MINIMISATION_UNAVAILABLE' }),
      'Migrant.documents': decided('REDACTED', { reason: 'CATEGORY_NOT_GRANTED' }),
      'Migrant.victimStatus': decided('REDACTED', { reason: 'SPECIAL_CATEGORY_NOT_COVERED' }),
      'Migrant.criminalRecord': decided('REDACTED', { reason: 'SPECIAL_CATEGORY_NOT_COVERED' }),
      'Address.line1': decided('DISCLOSED'),
    };
    for (const [coordinate, expected] of Object.entries(spot)) expect({ coordinate, ...field(e, coordinate) }).toEqual({ coordinate, ...expected });
    expect(Object.fromEntries(e.filters.map((f) => [f.argument, f.permitted]))).toEqual({
      nationality: true,
      legalStatus: false,
      holder: true,
      familyName: true,
      documentNumber: false,
      arrivedAfter: false,
      arrivedBefore: false,
    });
  });

  it('the same context at STANDARD clearance: health withheld for everyone, no condition', async () => {
    const e = await load({ ...ita('STANDARD'), ...SD });
    expect(field(e, 'Migrant.health')).toEqual({ coordinate: 'Migrant.health', ...decided('REDACTED', { reason: 'INSUFFICIENT_CLEARANCE' }) });
  });

  it('MED-TIP ANTI_TRAFFICKING, ITA SPECIAL: minimised strategies, victim status disclosed', async () => {
    const e = await load({ ...ita('SPECIAL'), ...AT });
    const spot: Record<string, ReturnType<typeof decided>> = {
      'Migrant.victimStatus': decided('DISCLOSED'),
      'TravelDocument.number': decided('MINIMISED', { strategy: 'LAST_FOUR' }),
      'TravelDocument.expiresOn': decided('MINIMISED', { strategy: 'YEAR_MONTH' }),
      'Address.city': decided('REDACTED', { reason: 'MINIMISATION_UNAVAILABLE' }),
      'Migrant.requests': decided('REDACTED', { reason: 'CATEGORY_NOT_GRANTED' }),
      'Migrant.biometrics': decided('REDACTED', { reason: 'SPECIAL_CATEGORY_NOT_COVERED' }),
    };
    for (const [coordinate, expected] of Object.entries(spot)) expect({ coordinate, ...field(e, coordinate) }).toEqual({ coordinate, ...expected });
    expect(e.filters).toEqual(expect.arrayContaining([{ argument: 'documentNumber', permitted: false }, { argument: 'familyName', permitted: true }]));
  });

  it('readmission LAW_ENFORCEMENT, NGA ELEVATED, naming req-0001: IDENTITY conditioned on the data request', async () => {
    const e = await load({ ...nga('ELEVATED'), ...LE, dataRequestId: 'req-0001' });
    expect([e.agreementId, e.purpose, e.subjectScope, e.clearance, e.dataRequestId]).toEqual([READMISSION, 'LAW_ENFORCEMENT', 'REQUESTED_ONLY', 'ELEVATED', 'req-0001']);
    const spot: Record<string, ReturnType<typeof decided>> = {
      'Migrant.givenName': decided('MINIMISED', { strategy: 'INITIAL', condition: 'DATA_REQUEST_SUBJECT' }),
      'Migrant.dateOfBirth': decided('MINIMISED', { strategy: 'YEAR', condition: 'DATA_REQUEST_SUBJECT' }),
      'Migrant.sex': decided('REDACTED', { reason: 'MINIMISATION_UNAVAILABLE', condition: 'DATA_REQUEST_SUBJECT' }),
      'Migrant.nationality': decided('DISCLOSED'),
      'Migrant.documents': decided('DISCLOSED'),
      'Migrant.criminalRecord': decided('DISCLOSED'),
      'Migrant.victimStatus': decided('REDACTED', { reason: 'PURPOSE_NOT_ALLOWED_FOR_FIELD' }),
      'Migrant.address': decided('REDACTED', { reason: 'CATEGORY_NOT_GRANTED' }),
    };
    for (const [coordinate, expected] of Object.entries(spot)) expect({ coordinate, ...field(e, coordinate) }).toEqual({ coordinate, ...expected });
    expect(e.filters).toEqual(expect.arrayContaining([{ argument: 'documentNumber', permitted: true }, { argument: 'holder', permitted: true }]));
  });

  it('readmission LAW_ENFORCEMENT without a request: no condition, familyName filter refused', async () => {
    const e = await load({ ...nga('STANDARD'), ...LE });
    expect(e.dataRequestId).toBeNull();
    expect(field(e, 'Migrant.givenName')).toEqual({ coordinate: 'Migrant.givenName', ...decided('MINIMISED', { strategy: 'INITIAL' }) });
    expect(field(e, 'Migrant.criminalRecord')).toEqual({ coordinate: 'Migrant.criminalRecord', ...decided('REDACTED', { reason: 'INSUFFICIENT_CLEARANCE' }) });
    expect(e.filters).toEqual(expect.arrayContaining([{ argument: 'familyName', permitted: false }]));
  });
});

// ---------------------------------------------------------------------------------
// 10. Family
// ---------------------------------------------------------------------------------

describe('Migrant.family: relatives within the row scope, each decided by its own record (contract 3, 4)', () => {
  const FAMILY_QUERY = `query($id: ID!) { migrant(id: $id) {
      id givenName health { vulnerabilities } address { city country }
      family { id givenName familyName health { vulnerabilities } address { city country } family { id } } } }`;

  it('on the shared fixture: m-0001 ↔ m-0002 and m-0006 ↔ m-0007 under ANTI_TRAFFICKING', async () => {
    const ctx = { ...ita('ELEVATED'), ...AT };
    const amara = await run(main, ctx, FAMILY_QUERY, { id: P.med['m-0001'] });
    expect(dataOf(amara)).toEqual({
      migrant: {
        id: P.med['m-0001'],
        givenName: 'Amara',
        health: null,
        address: { city: null, country: 'ITA' },
        family: [
          {
            id: P.med['m-0002'],
            givenName: 'Chidi',
            familyName: 'Okafor',
            health: null,
            address: { city: null, country: 'ITA' },
            family: [{ id: P.med['m-0001'] }],
          },
        ],
      },
    });
    const ahmad = await run(main, ctx, FAMILY_QUERY, { id: P.med['m-0006'] });
    expect((dataOf(ahmad)['migrant'] as Node)['family']).toEqual([
      { id: P.med['m-0007'], givenName: 'Zahra', familyName: 'Rahimi', health: null, address: { city: null, country: 'GRC' }, family: [{ id: P.med['m-0006'] }] },
    ]);
    // FAMILY is not granted for SERVICE_DELIVERY.
    const sd = await run(main, { ...ita('ELEVATED'), ...SD }, 'query($id: ID!) { migrant(id: $id) { family { id } } }', { id: P.med['m-0001'] });
    expect(dataOf(sd)).toEqual({ migrant: { family: null } });
    expect(reportMap(sd)).toEqual({ 'Migrant.family': CNG });
  });

  it('a relative outside the scope is left out (m-0007 held by NGA, no party to MED-TIP)', async () => {
    const ctx = { ...ita('ELEVATED'), ...AT };
    const ahmadId = await pseudonymOf(family, ctx, 'Rahimi', 'Ahmad');
    const reply = await run(family, ctx, 'query($id: ID!) { migrant(id: $id) { givenName family { id givenName } } }', { id: ahmadId });
    expect(dataOf(reply)).toEqual({ migrant: { givenName: 'Ahmad', family: [] } });
    expect(reportMap(reply)).toEqual({ 'Migrant.family': D1, 'Migrant.givenName': D1 });
    const { page: rahimis } = await page(family, ctx, 'givenName familyName', { familyName: 'Rahimi' });
    expect(namesOf(rahimis)).toEqual(['Ahmad Rahimi']);
  });

  it("a relative's health follows the relative's consent, not the parent's (m-0002 consents to ANTI_TRAFFICKING, m-0001 does not)", async () => {
    const ctx = { ...ita('ELEVATED'), ...AT };
    const amaraId = await pseudonymOf(family, ctx, 'Okafor', 'Amara');
    const chidiId = await pseudonymOf(family, ctx, 'Okafor', 'Chidi');
    const query = 'query($id: ID!) { migrant(id: $id) { id health { vulnerabilities } family { id health { vulnerabilities } } } }';
    const amara = await run(family, ctx, query, { id: amaraId });
    expect(dataOf(amara)).toEqual({
      migrant: { id: amaraId, health: null, family: [{ id: chidiId, health: { vulnerabilities: ['UNACCOMPANIED_MINOR'] } }] },
    });
    expect(reportMap(amara, 'Migrant.health')).toEqual({ 'Migrant.health': 'DISCLOSED x1 + REDACTED CONSENT_MISSING x1' });
    const chidi = await run(family, ctx, query, { id: chidiId });
    expect(dataOf(chidi)).toEqual({
      migrant: { id: chidiId, health: { vulnerabilities: ['UNACCOMPANIED_MINOR'] }, family: [{ id: amaraId, health: null }] },
    });
    // In a page, each record and each relative is decided once per occurrence.
    const { reply } = await page(family, ctx, 'givenName health { vulnerabilities } family { givenName health { vulnerabilities } }', { familyName: 'Okafor' });
    // Amara (no consent), Chidi (consent), Amara as Chidi's relative, Chidi as Amara's relative.
    expect(reportMap(reply, 'Migrant.health')).toEqual({ 'Migrant.health': 'DISCLOSED x2 + REDACTED CONSENT_MISSING x2' });
  });
});

