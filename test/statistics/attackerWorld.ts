/**
 * Worlds for the statistics attacker (test/statistics/attacker.property.test.ts): a seeded
 * generator of small import-format worlds with skewed values over small domains, and an
 * independent reading of such a world (no project code): which records the STATISTICS
 * grant of AGR-MED-TIP-2024 counts on a given day, and the value each record has for each
 * dimension, so the true count of any cell, margin or slice is known.
 *
 * Parties and agreements come from test/fixtures/small-world.json; the migrants (and the
 * agreement's minCellSize) are generated. Data requests and consents are dropped (they
 * name the fixture's migrants; statistics never use them).
 */
import { loadFixture } from '../support/testGateway';

export const MED = 'AGR-MED-TIP-2024';

/** Every statistics dimension, in the order assignments are written. */
export const DIMENSIONS = ['NATIONALITY', 'SEX', 'AGE_BAND', 'LEGAL_STATUS', 'ARRIVAL_YEAR', 'HOLDER', 'VICTIM_STATUS'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** The filter argument that fixes each dimension. */
export const FILTER_FIELD: Readonly<Record<Dimension, string>> = {
  NATIONALITY: 'nationality',
  SEX: 'sex',
  AGE_BAND: 'ageBand',
  LEGAL_STATUS: 'legalStatus',
  ARRIVAL_YEAR: 'arrivalYear',
  HOLDER: 'holder',
  VICTIM_STATUS: 'victimStatus',
};

/** The key value of a record with no value for a dimension (it cannot be filtered on). */
export const UNKNOWN = 'UNKNOWN';

const LEGAL_STATUSES = ['ASYLUM_SEEKER', 'REFUGEE', 'SUBSIDIARY_PROTECTION', 'TEMPORARY_PROTECTION', 'IRREGULAR', 'WORKER', 'STUDENT', 'FAMILY_MEMBER', 'STATELESS'];
const VICTIM_STATUSES = ['IDENTIFIED_VICTIM', 'PRESUMED_VICTIM', 'NOT_A_VICTIM'];
const NATIONALITIES = ['AFG', 'BGD', 'ERI', 'GIN', 'MLI', 'NGA', 'SDN', 'SYR'];
const SEXES = ['F', 'M', 'X'];
const MED_PARTIES = ['ESP', 'GRC', 'IOM', 'ITA'];

// ---------------------------------------------------------------------------
// Seeded randomness

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** `k` distinct items, in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, k);
  }
  /** A skewed distribution over `items`: weights of very different sizes. */
  skewed<T>(items: readonly T[]): () => T {
    const weights = items.map(() => Math.pow(this.next(), 3) + 0.01);
    const sum = weights.reduce((a, b) => a + b, 0);
    return () => {
      let r = this.next() * sum;
      for (let i = 0; i < items.length; i++) {
        r -= weights[i]!;
        if (r < 0) return items[i]!;
      }
      return items[items.length - 1]!;
    };
  }
}

/** A seed derived from a base seed and an index (for per-world seeds). */
export function deriveSeed(base: number, index: number): number {
  let h = (base ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

// ---------------------------------------------------------------------------
// Worlds

export type WorldMigrant = Record<string, unknown> & {
  id: string;
  holder: string;
  recordedAt: string;
  dateOfBirth: string | null;
  sex: string | null;
  nationality: string | null;
  legalStatus: string | null;
  arrivalDate: string | null;
  victimStatus: { status: string; identifiedOn: string | null; exploitationType: string | null } | null;
};

export interface GeneratedWorld {
  seed: number;
  /** The import-format world (parties and agreements of the fixture, generated migrants). */
  world: Record<string, unknown[]>;
  minCellSize: number;
  /** The day the gateway is asked on (its clock). */
  today: Date;
  /** A one-line description for reports. */
  summary: string;
}

export const TODAY = new Date('2025-06-01T12:00:00Z');

const pad = (n: number): string => String(n).padStart(2, '0');
const isoDate = (y: number, m: number, d: number): string => `${y}-${pad(m)}-${pad(d)}`;

/** A migrant record in the import format, every field present (null where there is no value). */
export function migrantRecord(
  fields: Pick<WorldMigrant, 'id' | 'holder' | 'recordedAt' | 'dateOfBirth' | 'sex' | 'nationality' | 'legalStatus' | 'arrivalDate'> & {
    /** The status alone; the record gets no identification date or exploitation type. */
    victimStatus: string | null;
  },
): WorldMigrant {
  return {
    id: fields.id,
    holder: fields.holder,
    recordedAt: fields.recordedAt,
    givenName: 'Test',
    familyName: `Person ${fields.id}`,
    dateOfBirth: fields.dateOfBirth,
    sex: fields.sex,
    nationality: fields.nationality,
    placeOfBirth: null,
    address: null,
    documents: [],
    legalStatus: fields.legalStatus,
    arrivalDate: fields.arrivalDate,
    familyIds: [],
    biometrics: null,
    health: null,
    ethnicOrigin: null,
    religion: null,
    criminalRecord: null,
    victimStatus: fields.victimStatus === null ? null : { status: fields.victimStatus, identifiedOn: null, exploitationType: null },
  };
}

/** The fixture's parties and agreements with `migrants`, MED-TIP's minCellSize set to `minCellSize`. */
export function worldWith(migrants: WorldMigrant[], minCellSize: number): Record<string, unknown[]> {
  const fixture = loadFixture();
  const agreements = (fixture['agreements'] as { id: string; minCellSize: number }[]).map((a) => (a.id === MED ? { ...a, minCellSize } : a));
  return { parties: fixture['parties']!, agreements, migrants, dataRequests: [], consents: [] };
}

/**
 * A random world: 20 to 400 migrants, skewed values over small domains (2-6
 * nationalities, sexes, several age bands, a few legal statuses, arrival years, holders
 * among MED-TIP's parties, victim statuses), a few records with no value for a field
 * (UNKNOWN), and a few out of scope (held by a non-party, or recorded before the
 * retention cut-off). minCellSize 3 to 6.
 */
export function generateWorld(seed: number): GeneratedWorld {
  const rng = new Rng(seed);
  const count = rng.chance(0.3) ? rng.int(20, 80) : rng.int(80, 400);
  const minCellSize = rng.int(3, 6);
  const nationality = rng.skewed(rng.sample(NATIONALITIES, rng.int(2, 6)));
  const sex = rng.skewed(rng.chance(0.5) ? ['F', 'M'] : SEXES);
  const ageBase = rng.int(0, 3) * 10;
  const ages = [...Array(rng.int(3, 6)).keys()].map((i) => ageBase + 10 * i);
  const ageBand = rng.skewed(ages);
  const legalStatus = rng.skewed(rng.sample(LEGAL_STATUSES, rng.int(2, 5)));
  const firstYear = rng.int(2016, 2021);
  const arrivalYear = rng.skewed([...Array(rng.int(2, 5)).keys()].map((i) => firstYear + i));
  const holder = rng.skewed(rng.sample(MED_PARTIES, rng.int(2, 4)));
  const victimStatus = rng.skewed([...rng.sample(VICTIM_STATUSES, rng.int(1, 3)), null]);
  const missing = rng.chance(0.5) ? 0.03 : 0;
  const maybe = <T>(value: T): T | null => (rng.chance(missing) ? null : value);

  const migrants: WorldMigrant[] = [];
  for (let i = 0; i < count; i++) {
    const age = ageBand() + rng.int(0, 9);
    // Born `age` years before TODAY (2025-06-01), birthday before or after today's month-day.
    const month = rng.int(1, 12);
    const day = rng.int(1, 28);
    const birthdayPassed = month * 100 + day <= 601;
    const dateOfBirth = isoDate(2025 - age - (birthdayPassed ? 0 : 1), month, day);
    let arrivalDate = isoDate(arrivalYear(), rng.int(1, 5), rng.int(1, 28));
    if (arrivalDate < dateOfBirth) arrivalDate = dateOfBirth;
    const outOfScope = rng.chance(0.04);
    migrants.push(
      migrantRecord({
        id: `m-${String(i + 1).padStart(4, '0')}`,
        holder: outOfScope && rng.chance(0.5) ? 'NGA' : holder(),
        recordedAt: outOfScope ? isoDate(rng.int(2010, 2014), rng.int(1, 12), rng.int(1, 28)) : isoDate(rng.int(2016, 2025), rng.int(1, 5), rng.int(1, 28)),
        dateOfBirth: maybe(dateOfBirth),
        sex: maybe(sex()),
        nationality: maybe(nationality()),
        legalStatus: maybe(legalStatus()),
        arrivalDate: maybe(arrivalDate),
        victimStatus: victimStatus(),
      }),
    );
  }
  return {
    seed,
    world: worldWith(migrants, minCellSize),
    minCellSize,
    today: TODAY,
    summary: `${count} migrants, minCellSize ${minCellSize}`,
  };
}

// ---------------------------------------------------------------------------
// The independent reading of a world

/** Age in whole years on `today` (UTC), a birthday on today's month-day counting as reached. */
function ageOn(dateOfBirth: string, today: Date): number {
  const [y, m, d] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const todayMd = (today.getUTCMonth() + 1) * 100 + today.getUTCDate();
  return today.getUTCFullYear() - y - (m * 100 + d > todayMd ? 1 : 0);
}

export function valueOf(m: WorldMigrant, dimension: Dimension, today: Date): string {
  switch (dimension) {
    case 'NATIONALITY':
      return m.nationality ?? UNKNOWN;
    case 'SEX':
      return m.sex ?? UNKNOWN;
    case 'LEGAL_STATUS':
      return m.legalStatus ?? UNKNOWN;
    case 'HOLDER':
      return m.holder;
    case 'ARRIVAL_YEAR':
      return m.arrivalDate === null ? UNKNOWN : m.arrivalDate.slice(0, 4);
    case 'VICTIM_STATUS':
      return m.victimStatus?.status ?? UNKNOWN;
    case 'AGE_BAND': {
      if (m.dateOfBirth === null) return UNKNOWN;
      const age = ageOn(m.dateOfBirth, today);
      if (age < 0) return UNKNOWN;
      if (age >= 90) return '90+';
      const low = age - (age % 10);
      return `${low}-${low + 9}`;
    }
  }
}

/** A partial assignment of values to dimensions: a cell of some margin or slice. */
export type Assignment = ReadonlyMap<Dimension, string>;

/** Canonical text of an assignment: `SEX=F;AGE_BAND=20-29` in DIMENSIONS order ("" for the grand total). */
export function assignmentKey(a: Assignment): string {
  return DIMENSIONS.filter((d) => a.has(d))
    .map((d) => `${d}=${a.get(d)!}`)
    .join(';');
}

export function parseAssignmentKey(key: string): Map<Dimension, string> {
  const a = new Map<Dimension, string>();
  if (key === '') return a;
  for (const part of key.split(';')) {
    const at = part.indexOf('=');
    a.set(part.slice(0, at) as Dimension, part.slice(at + 1));
  }
  return a;
}

/**
 * The records MED-TIP's STATISTICS grant counts on `today` (row scope: held by one of
 * the agreement's parties, recorded on or after today minus the retention period) and
 * their values.
 */
export class WorldOracle {
  readonly rows: ReadonlyArray<Readonly<Record<Dimension, string>>>;
  readonly minCellSize: number;
  private readonly memo = new Map<string, number>();

  constructor(world: Record<string, unknown[]>, today: Date) {
    const agreement = (world['agreements'] as { id: string; parties: string[]; retentionDays: number; minCellSize: number }[]).find((a) => a.id === MED)!;
    this.minCellSize = agreement.minCellSize;
    const startOfDay = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
    const cutOff = new Date(startOfDay - agreement.retentionDays * 86_400_000).toISOString().slice(0, 10);
    const inScope = (world['migrants'] as WorldMigrant[]).filter((m) => agreement.parties.includes(m.holder) && m.recordedAt >= cutOff);
    this.rows = inScope.map((m) => Object.fromEntries(DIMENSIONS.map((d) => [d, valueOf(m, d, today)])) as Record<Dimension, string>);
  }

  /** The true count of an assignment. */
  count(a: Assignment): number {
    const key = assignmentKey(a);
    let n = this.memo.get(key);
    if (n === undefined) {
      n = this.rows.filter((r) => [...a].every(([d, v]) => r[d] === v)).length;
      this.memo.set(key, n);
    }
    return n;
  }

  /** The values a dimension takes in scope, sorted. */
  domain(dimension: Dimension): string[] {
    return [...new Set(this.rows.map((r) => r[dimension]))].sort();
  }
}
