/**
 * The synthetic world generator: deterministic per seed, exactly N migrants, every
 * reference resolving, dates in order, every value in its vocabulary, and varied enough
 * (victims, minors, families, consents, every request status, old records) to exercise
 * every privacy rule on the demo world.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateWorld } from '../../src/world/generateWorld';
import { validateWorld } from '../../src/world/validateWorld';
import {
  DOCUMENT_TYPES,
  EXPLOITATION_TYPES,
  LEGAL_STATUSES,
  SEXES,
  VICTIM_STATUS_VALUES,
  VULNERABILITIES,
  type World,
  type WorldMigrant,
} from '../../src/data/world';
import { parseIsoDate } from '../../src/policy/calendar';
import { DATA_CATEGORIES, PURPOSES, REQUEST_STATUSES } from '../../src/policy/taxonomy';

const TODAY = '2026-11-23';
const FIXTURE_PATH = path.resolve(__dirname, '../fixtures/small-world.json');

const world = generateWorld({ migrants: 2000, seed: 11, today: TODAY });
const byId = new Map(world.migrants.map((m) => [m.id, m]));

/** Whole days from ISO date `a` to ISO date `b`. */
function days(a: string, b: string): number {
  return (Date.parse(b) - Date.parse(a)) / 86_400_000;
}

/** Age in whole years on TODAY. */
function age(m: WorldMigrant): number {
  const years = Number(TODAY.slice(0, 4)) - Number(m.dateOfBirth!.slice(0, 4));
  return TODAY.slice(5) < m.dateOfBirth!.slice(5) ? years - 1 : years;
}

function share(predicate: (m: WorldMigrant) => boolean): number {
  return world.migrants.filter(predicate).length / world.migrants.length;
}

function isIsoDate(value: unknown): boolean {
  return typeof value === 'string' && parseIsoDate(value) !== null;
}

function isVictim(m: WorldMigrant): boolean {
  return m.victimStatus !== null && m.victimStatus.status !== 'NOT_A_VICTIM';
}

describe('generateWorld: determinism and options', () => {
  it('gives byte-identical JSON for the same options, and a different world for another seed', () => {
    const a = JSON.stringify(generateWorld({ migrants: 300, seed: 5, today: TODAY }));
    expect(JSON.stringify(generateWorld({ migrants: 300, seed: 5, today: TODAY }))).toBe(a);
    expect(JSON.stringify(generateWorld({ migrants: 300, seed: 6, today: TODAY }))).not.toBe(a);
  });

  it('uses seed 1 by default, and today (UTC) when no date is given', () => {
    expect(JSON.stringify(generateWorld({ migrants: 50, today: TODAY }))).toBe(JSON.stringify(generateWorld({ migrants: 50, seed: 1, today: TODAY })));
    const now = new Date().toISOString().slice(0, 10);
    const latest = generateWorld({ migrants: 500 }).migrants.reduce((max, m) => (m.recordedAt > max ? m.recordedAt : max), '');
    expect(latest <= now).toBe(true);
    expect(days(latest, now)).toBeLessThan(60);
  });

  it('refuses options that break the contract, naming the value', () => {
    expect(() => generateWorld({ migrants: -1 })).toThrow(/migrants must be a non-negative integer, got -1/);
    expect(() => generateWorld({ migrants: 2.5 })).toThrow(TypeError);
    expect(() => generateWorld({ migrants: 10, seed: 1.5 })).toThrow(/seed must be an integer/);
    expect(() => generateWorld({ migrants: 10, today: '2026-02-30' })).toThrow(/today must be an ISO date YYYY-MM-DD, got 2026-02-30/);
  });
});

describe('generateWorld: counts and ids', () => {
  it('makes exactly N migrants, ids m-000001 upwards', () => {
    expect(world.migrants).toHaveLength(2000);
    expect(world.migrants.map((m) => m.id)).toEqual(Array.from({ length: 2000 }, (_, i) => `m-${String(i + 1).padStart(6, '0')}`));
    for (const n of [0, 1, 2, 7]) expect(generateWorld({ migrants: n, seed: 3, today: TODAY }).migrants).toHaveLength(n);
  });

  it('makes about N/50 requests, at least three from ten migrants, ids req-000001 upwards', () => {
    expect(world.dataRequests.map((r) => r.id)).toEqual(Array.from({ length: 40 }, (_, i) => `req-${String(i + 1).padStart(6, '0')}`));
    expect(generateWorld({ migrants: 10, seed: 3, today: TODAY }).dataRequests).toHaveLength(3);
    expect(generateWorld({ migrants: 500, seed: 3, today: TODAY }).dataRequests).toHaveLength(10);
    const empty = generateWorld({ migrants: 0, seed: 3, today: TODAY });
    expect([empty.dataRequests, empty.consents]).toEqual([[], []]);
  });

  it('copies the fixture parties and agreements exactly', () => {
    const fixture = JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as World;
    expect(world.parties).toEqual(fixture.parties);
    expect(world.agreements).toEqual(fixture.agreements);
    // Fresh copies: a caller changing one world does not change the next.
    const changed = generateWorld({ migrants: 0 });
    changed.agreements[0]!.grants.pop();
    changed.parties[0]!.name = 'changed';
    expect(generateWorld({ migrants: 0 })).toMatchObject({ parties: fixture.parties, agreements: fixture.agreements });
  });

  it('keeps consent keys and document numbers unique', () => {
    const consentKeys = world.consents.map((c) => `${c.migrantId}|${c.purpose}|${c.givenAt}`);
    expect(new Set(consentKeys).size).toBe(consentKeys.length);
    const large = generateWorld({ migrants: 20_000, seed: 2, today: TODAY });
    const numbers = large.migrants.flatMap((m) => m.documents.map((d) => d.number));
    expect(new Set(numbers).size).toBe(numbers.length);
  });
});

describe('generateWorld: references', () => {
  const parties = new Set(world.parties.map((p) => p.code));
  const agreements = new Map(world.agreements.map((a) => [a.id, a]));

  it('holds every migrant by a state party or IOM, at an address in the holding state', () => {
    for (const m of world.migrants) {
      expect(parties.has(m.holder)).toBe(true);
      expect(['ITA', 'ESP', 'GRC', 'IOM']).toContain(m.holder);
      // IOM is not a country: its records are at its offices in one of the host states.
      expect(m.address?.country).toEqual(m.holder === 'IOM' ? expect.stringMatching(/^(ITA|ESP|GRC)$/) : m.holder);
    }
  });

  it('links families symmetrically, without self links, sharing name, address, nationality and holder', () => {
    let inFamilies = 0;
    for (const m of world.migrants) {
      expect(m.familyIds).not.toContain(m.id);
      expect(new Set(m.familyIds).size).toBe(m.familyIds.length);
      expect(m.familyIds.length).toBeLessThanOrEqual(4);
      if (m.familyIds.length > 0) inFamilies++;
      for (const id of m.familyIds) {
        const other = byId.get(id)!;
        expect(other).toBeDefined();
        expect(other.familyIds).toContain(m.id);
        expect([other.holder, other.familyName, other.nationality, other.address]).toEqual([m.holder, m.familyName, m.nationality, m.address]);
      }
    }
    expect(inFamilies / world.migrants.length).toBeGreaterThan(0.15);
    expect(inFamilies / world.migrants.length).toBeLessThan(0.26);
  });

  it('makes requests between two parties of the agreement, for a granted purpose, about subjects the requested party holds', () => {
    for (const r of world.dataRequests) {
      const agreement = agreements.get(r.agreementId)!;
      expect(agreement).toBeDefined();
      expect(agreement.parties).toContain(r.requestingParty);
      expect(agreement.parties).toContain(r.requestedParty);
      expect(r.requestingParty).not.toBe(r.requestedParty);
      const grant = agreement.grants.find((g) => g.purpose === r.purpose)!;
      expect(grant).toBeDefined();
      expect(r.categories.length).toBeGreaterThan(0);
      expect(new Set(r.categories).size).toBe(r.categories.length);
      for (const category of r.categories) expect(Object.keys(grant.categories)).toContain(category);
      expect(r.subjectIds.length).toBeGreaterThanOrEqual(1);
      expect(r.subjectIds.length).toBeLessThanOrEqual(3);
      expect(new Set(r.subjectIds).size).toBe(r.subjectIds.length);
      for (const id of r.subjectIds) expect(byId.get(id)?.holder).toBe(r.requestedParty);
      expect(r.justification.length).toBeGreaterThan(10);
    }
  });

  it('gives the readmission agreement Nigerian subjects held by Italy, recent enough for its retention', () => {
    const readmission = world.dataRequests.filter((r) => r.agreementId === 'AGR-ITA-NGA-READMISSION-2023');
    expect(readmission.length).toBeGreaterThan(0);
    for (const r of readmission) {
      expect([r.requestingParty, r.requestedParty]).toEqual(['NGA', 'ITA']);
      for (const id of r.subjectIds) {
        expect(byId.get(id)!.nationality).toBe('NGA');
        expect(days(byId.get(id)!.recordedAt, TODAY)).toBeLessThanOrEqual(730);
      }
    }
  });

  it('gives consents only to existing migrants', () => {
    for (const c of world.consents) expect(byId.has(c.migrantId)).toBe(true);
  });
});

describe('generateWorld: dates', () => {
  it('writes every date as a real YYYY-MM-DD', () => {
    for (const m of world.migrants) {
      for (const d of [m.recordedAt, m.dateOfBirth, m.arrivalDate]) expect(isIsoDate(d)).toBe(true);
      for (const doc of m.documents) if (doc.expiresOn !== null) expect(isIsoDate(doc.expiresOn)).toBe(true);
      if (m.victimStatus?.identifiedOn) expect(isIsoDate(m.victimStatus.identifiedOn)).toBe(true);
    }
    for (const c of world.consents) for (const d of [c.givenAt, c.withdrawnAt ?? c.givenAt]) expect(isIsoDate(d)).toBe(true);
    for (const r of world.dataRequests) for (const d of [r.submittedAt, r.decidedAt, r.validUntil]) if (d !== null) expect(isIsoDate(d)).toBe(true);
  });

  it('orders birth < arrival <= recordedAt <= arrival + 30 days <= today, and victims identified after arrival', () => {
    for (const m of world.migrants) {
      expect(days(m.dateOfBirth!, m.arrivalDate!)).toBeGreaterThan(0);
      expect(days(m.arrivalDate!, m.recordedAt)).toBeGreaterThanOrEqual(0);
      expect(days(m.arrivalDate!, m.recordedAt)).toBeLessThanOrEqual(30);
      expect(days(m.recordedAt, TODAY)).toBeGreaterThanOrEqual(0);
      if (m.victimStatus?.identifiedOn) {
        expect(days(m.arrivalDate!, m.victimStatus.identifiedOn)).toBeGreaterThanOrEqual(0);
        expect(days(m.victimStatus.identifiedOn, TODAY)).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('dates convictions between the 18th birthday year and this year', () => {
    for (const m of world.migrants) {
      for (const c of m.criminalRecord?.convictions ?? []) {
        expect(c.year).toBeGreaterThanOrEqual(Number(m.dateOfBirth!.slice(0, 4)) + 18);
        expect(c.year).toBeLessThanOrEqual(Number(TODAY.slice(0, 4)));
      }
    }
  });

  it('gives consents on or after the record date, withdrawn (if at all) between that and today', () => {
    for (const c of world.consents) {
      expect(days(byId.get(c.migrantId)!.recordedAt, c.givenAt)).toBeGreaterThanOrEqual(0);
      expect(days(c.givenAt, TODAY)).toBeGreaterThanOrEqual(0);
      if (c.withdrawnAt !== null) {
        expect(days(c.givenAt, c.withdrawnAt)).toBeGreaterThanOrEqual(0);
        expect(days(c.withdrawnAt, TODAY)).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('submits requests after their subjects were recorded, decides all but pending ones, and sets validity only on approved ones', () => {
    for (const r of world.dataRequests) {
      expect(days(r.submittedAt, TODAY)).toBeGreaterThanOrEqual(0);
      for (const id of r.subjectIds) expect(days(byId.get(id)!.recordedAt, r.submittedAt)).toBeGreaterThanOrEqual(0);
      if (r.status === 'PENDING') expect(r.decidedAt).toBeNull();
      else {
        expect(days(r.submittedAt, r.decidedAt!)).toBeGreaterThanOrEqual(0);
        expect(days(r.decidedAt!, TODAY)).toBeGreaterThanOrEqual(0);
      }
      if (r.status === 'APPROVED') expect(days(r.decidedAt!, r.validUntil!)).toBeGreaterThan(0);
      else expect(r.validUntil).toBeNull();
    }
  });
});

describe('generateWorld: vocabularies', () => {
  it('spells every enumerated value as world.ts and taxonomy.ts do', () => {
    const country = /^[A-Z]{3}$/;
    for (const m of world.migrants) {
      expect(SEXES).toContain(m.sex);
      expect(LEGAL_STATUSES).toContain(m.legalStatus);
      expect(m.nationality).toMatch(country);
      for (const doc of m.documents) {
        expect(DOCUMENT_TYPES).toContain(doc.type);
        expect(doc.number).toMatch(/^[A-Z]\d{8}$/);
        expect(doc.issuingCountry).toBe(m.nationality);
      }
      for (const v of m.health?.vulnerabilities ?? []) expect(VULNERABILITIES).toContain(v);
      if (m.victimStatus) {
        expect(VICTIM_STATUS_VALUES).toContain(m.victimStatus.status);
        if (m.victimStatus.exploitationType !== null) expect(EXPLOITATION_TYPES).toContain(m.victimStatus.exploitationType);
      }
      for (const c of m.criminalRecord?.convictions ?? []) expect(c.country).toMatch(country);
    }
    for (const c of world.consents) {
      expect(PURPOSES).toContain(c.purpose);
      expect(c.evidence).toMatch(/^form:CONSENT-\d+$/);
    }
    for (const r of world.dataRequests) {
      expect(REQUEST_STATUSES).toContain(r.status);
      expect(PURPOSES).toContain(r.purpose);
      for (const category of r.categories) expect(DATA_CATEGORIES).toContain(category);
    }
  });

  it('matches the shape of World exactly: no key missing, none extra', () => {
    const fixture = JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as World;
    const keys = (o: object) => Object.keys(o).sort();
    for (const m of world.migrants) expect(keys(m)).toEqual(keys(fixture.migrants[0]!));
    for (const c of world.consents) expect(keys(c)).toEqual(['evidence', 'givenAt', 'migrantId', 'purpose', 'withdrawnAt']);
    for (const r of world.dataRequests) expect(keys(r)).toEqual([...keys(fixture.dataRequests[0]!), 'decisionNote'].sort());
  });
});

describe('generateWorld: distribution', () => {
  it('holds records mostly in Italy, then Spain, then Greece, with ~5% at IOM', () => {
    const held = (party: string) => share((m) => m.holder === party);
    expect(held('ITA')).toBeGreaterThan(held('ESP'));
    expect(held('ESP')).toBeGreaterThan(held('GRC'));
    expect(held('IOM')).toBeGreaterThan(0.02);
    expect(held('IOM')).toBeLessThan(0.09);
    expect(share((m) => m.nationality === 'NGA' && m.holder === 'ITA') / held('ITA')).toBeGreaterThan(0.12);
    const nationalities = new Set(world.migrants.map((m) => m.nationality));
    for (const code of ['NGA', 'GIN', 'MLI', 'ERI', 'SYR', 'AFG', 'GHA', 'SEN', 'CIV', 'BGD', 'TUN', 'EGY', 'MAR', 'PAK', 'SDN', 'GMB']) {
      expect(nationalities).toContain(code);
    }
  });

  it('has mostly people aged 16-50, with some minors and some elderly', () => {
    expect(share((m) => age(m) >= 16 && age(m) <= 50)).toBeGreaterThan(0.7);
    expect(share((m) => age(m) < 18)).toBeGreaterThan(0.05);
    expect(share((m) => age(m) >= 60)).toBeGreaterThan(0.01);
    expect(share((m) => m.health?.vulnerabilities.includes('UNACCOMPANIED_MINOR') ?? false)).toBeGreaterThan(0.01);
    for (const m of world.migrants) {
      if (m.health?.vulnerabilities.includes('UNACCOMPANIED_MINOR')) {
        expect(age(m)).toBeLessThan(18);
        expect(m.familyIds).toEqual([]);
      }
    }
  });

  it('uses every sex and legal status', () => {
    expect(new Set(world.migrants.map((m) => m.sex))).toEqual(new Set(SEXES));
    expect(new Set(world.migrants.map((m) => m.legalStatus))).toEqual(new Set(LEGAL_STATUSES));
    expect(share((m) => m.sex === 'X')).toBeLessThan(0.02);
  });

  it('has ~8% victims, ~30% health records, ~3% criminal records, and 0-2 documents each', () => {
    expect(share(isVictim)).toBeGreaterThan(0.05);
    expect(share(isVictim)).toBeLessThan(0.12);
    expect(new Set(world.migrants.filter(isVictim).map((m) => m.victimStatus!.status))).toEqual(new Set(['IDENTIFIED_VICTIM', 'PRESUMED_VICTIM']));
    expect(share((m) => m.health !== null)).toBeGreaterThan(0.22);
    expect(share((m) => m.health !== null)).toBeLessThan(0.38);
    expect(share((m) => m.criminalRecord !== null)).toBeGreaterThan(0.01);
    expect(share((m) => m.criminalRecord !== null)).toBeLessThan(0.05);
    for (const m of world.migrants) {
      expect(m.documents.length).toBeLessThanOrEqual(2);
      expect(m.criminalRecord?.convictions.length ?? 1).toBeGreaterThanOrEqual(1);
      expect(m.criminalRecord?.convictions.length ?? 1).toBeLessThanOrEqual(2);
    }
    expect(share((m) => m.documents.some((d) => d.type === 'PASSPORT'))).toBeGreaterThan(0.4);
    expect(share((m) => m.documents.some((d) => d.expiresOn !== null && d.expiresOn < TODAY))).toBeGreaterThan(0.05);
  });

  it('spreads records over the years, so 730- and 3650-day retention both cut some off', () => {
    expect(share((m) => days(m.recordedAt, TODAY) <= 730)).toBeGreaterThan(0.2);
    expect(share((m) => days(m.recordedAt, TODAY) > 730)).toBeGreaterThan(0.2);
    expect(share((m) => days(m.recordedAt, TODAY) > 3650)).toBeGreaterThan(0.02);
    expect(world.migrants.every((m) => days(m.recordedAt, TODAY) < 13 * 366)).toBe(true);
  });

  it('gives ~25% of migrants 1-2 consents, ~20% of them withdrawn', () => {
    const perMigrant = new Map<string, number>();
    for (const c of world.consents) perMigrant.set(c.migrantId, (perMigrant.get(c.migrantId) ?? 0) + 1);
    expect(perMigrant.size / world.migrants.length).toBeGreaterThan(0.18);
    expect(perMigrant.size / world.migrants.length).toBeLessThan(0.32);
    expect(Math.max(...perMigrant.values())).toBe(2);
    const withdrawn = world.consents.filter((c) => c.withdrawnAt !== null).length / world.consents.length;
    expect(withdrawn).toBeGreaterThan(0.1);
    expect(withdrawn).toBeLessThan(0.3);
    expect(new Set(world.consents.map((c) => c.purpose))).toEqual(new Set(['SERVICE_DELIVERY', 'ANTI_TRAFFICKING', 'ASYLUM_PROCESSING']));
  });

  it('mixes request statuses, and approved requests both still valid and expired', () => {
    expect(new Set(world.dataRequests.map((r) => r.status))).toEqual(new Set(['PENDING', 'APPROVED', 'DENIED', 'WITHDRAWN']));
    const approved = world.dataRequests.filter((r) => r.status === 'APPROVED');
    expect(approved.some((r) => r.validUntil! > TODAY)).toBe(true);
    expect(approved.some((r) => r.validUntil! < TODAY)).toBe(true);
    expect(approved.filter((r) => r.validUntil! > TODAY).length).toBeGreaterThan(approved.length / 2);
    expect(new Set(world.dataRequests.map((r) => r.agreementId)).size).toBeGreaterThanOrEqual(3);
  });
});

describe('generateWorld: scale', () => {
  it('generates 100,000 migrants in seconds (linear, nothing quadratic)', () => {
    // The CPU time this process spends, not the time on the wall: other processes on a
    // loaded machine (a benchmark, other test files) stretch the latter, not the work.
    const started = process.cpuUsage();
    const large = generateWorld({ migrants: 100_000, seed: 9, today: TODAY });
    const spent = process.cpuUsage(started);
    expect((spent.user + spent.system) / 1_000).toBeLessThan(15_000);
    expect(large.migrants).toHaveLength(100_000);
    expect(large.migrants[99_999]!.id).toBe('m-100000');
    expect(large.dataRequests).toHaveLength(2000);
  });
});

describe('generateWorld: import validation', () => {
  it('generates a world of 500 migrants that the import validator accepts', () => {
    const generated = JSON.parse(JSON.stringify(generateWorld({ migrants: 500, seed: 4, today: TODAY }))) as unknown;
    const result = validateWorld(generated, 'generated.json');
    expect(result.ok ? [] : result.problems).toEqual([]);
  });
});
