/**
 * A realistic, deterministic synthetic world for demos, tests and benchmarks, in the
 * import format (docs/api.md section 6): the shared fixture's parties and agreements
 * (so personas written for the fixture work here too), N migrants with families,
 * documents, special-category data, consents, and data requests under the agreements.
 *
 * Contracts:
 * - Deterministic: the same options give byte-identical JSON. All randomness comes from
 *   one seeded PRNG, drawn in a fixed order; the clock is read only for the default `today`.
 * - Consistent: every value is spelled as in `world.ts` / `taxonomy.ts`, every reference
 *   resolves, family links are symmetric, and dates are ordered (birth < arrival <=
 *   recordedAt <= today; consents and requests after the records they concern). Only
 *   document expiries and request validity may lie after `today`.
 * - Linear in N: 100,000 migrants take one to two seconds (mostly allocation); nothing is
 *   quadratic.
 */
import { parseIsoDate, startOfUtcDay } from '../policy/calendar';
import type { DataCategory, Purpose, RequestStatus } from '../policy/taxonomy';
import type {
  ExploitationType,
  LegalStatus,
  Sex,
  Vulnerability,
  World,
  WorldAddress,
  WorldAgreement,
  WorldConsent,
  WorldCriminalRecord,
  WorldDataRequest,
  WorldGrant,
  WorldHealthRecord,
  WorldMigrant,
  WorldParty,
  WorldTravelDocument,
  WorldVictimStatus,
} from '../data/world';

export interface GenerateOptions {
  /** How many migrants: a non-negative integer. */
  migrants: number;
  /** PRNG seed, an integer (taken modulo 2^32); default 1. */
  seed?: number;
  /** The day the world is "as of", `YYYY-MM-DD`; default today (UTC). */
  today?: string;
}

/** A world of `options.migrants` migrants; the same options give the same world. */
export function generateWorld(options: GenerateOptions): World {
  const { count, seed, today } = validOptions(options);
  const dice = new Dice(seed);
  const migrants = generateMigrants(dice, count, today);
  const consents = generateConsents(dice, migrants, today);
  const dataRequests = generateRequests(dice, migrants, today, requestCount(count));
  return {
    parties: FIXTURE_PARTIES.map((party) => ({ ...party })),
    agreements: structuredClone(FIXTURE_AGREEMENTS) as WorldAgreement[],
    migrants,
    dataRequests,
    consents,
    trust: [],
  };
}

// ---------------------------------------------------------------------------------------
// Options

interface ValidOptions {
  count: number;
  seed: number;
  /** Day number (see `Day`). */
  today: Day;
}

function validOptions(options: GenerateOptions): ValidOptions {
  const { migrants, seed = 1, today } = options;
  if (!Number.isSafeInteger(migrants) || migrants < 0) {
    throw new TypeError(`generateWorld: migrants must be a non-negative integer, got ${String(migrants)}`);
  }
  if (!Number.isSafeInteger(seed)) throw new TypeError(`generateWorld: seed must be an integer, got ${String(seed)}`);
  let day: Day;
  if (today === undefined) day = dayOf(startOfUtcDay(new Date()));
  else {
    const parsed = typeof today === 'string' ? parseIsoDate(today) : null;
    if (!parsed) throw new TypeError(`generateWorld: today must be an ISO date YYYY-MM-DD, got ${String(today)}`);
    day = dayOf(parsed);
  }
  return { count: migrants, seed: seed >>> 0, today: day };
}

/** About one request per 50 migrants, and at least three once there are ten migrants. */
function requestCount(migrants: number): number {
  const about = Math.round(migrants / 50);
  return migrants >= 10 ? Math.max(3, about) : about;
}

// ---------------------------------------------------------------------------------------
// The fixture's parties and agreements, copied verbatim (test/fixtures/small-world.json).

const FIXTURE_PARTIES: readonly WorldParty[] = [
  { code: 'ITA', name: 'Italy', kind: 'STATE' },
  { code: 'ESP', name: 'Spain', kind: 'STATE' },
  { code: 'GRC', name: 'Greece', kind: 'STATE' },
  { code: 'NGA', name: 'Nigeria', kind: 'STATE' },
  { code: 'IOM', name: 'International Organization for Migration', kind: 'ORGANISATION' },
];

const FIXTURE_AGREEMENTS: readonly WorldAgreement[] = [
  {
    id: 'AGR-MED-TIP-2024',
    title: 'Mediterranean Protocol on Trafficking Victim Data Exchange',
    kind: 'MULTILATERAL',
    parties: ['ITA', 'ESP', 'GRC', 'IOM'],
    status: 'IN_FORCE',
    effectiveFrom: '2024-01-01',
    expiresOn: null,
    minCellSize: 3,
    retentionDays: 3650,
    grants: [
      {
        purpose: 'ANTI_TRAFFICKING',
        subjectScope: 'ALL_HELD_BY_PARTIES',
        categories: {
          IDENTITY: 'FULL',
          NATIONALITY: 'FULL',
          CONTACT_LOCATION: 'MINIMISED',
          IMMIGRATION_STATUS: 'FULL',
          FAMILY: 'FULL',
          TRAVEL_DOCUMENT: 'MINIMISED',
        },
        specialCategories: ['VICTIM_STATUS', 'HEALTH'],
      },
      {
        purpose: 'SERVICE_DELIVERY',
        subjectScope: 'ALL_HELD_BY_PARTIES',
        categories: { IDENTITY: 'FULL', NATIONALITY: 'FULL', CONTACT_LOCATION: 'FULL', IMMIGRATION_STATUS: 'MINIMISED' },
        specialCategories: ['HEALTH'],
      },
      {
        purpose: 'STATISTICS',
        subjectScope: 'ALL_HELD_BY_PARTIES',
        categories: { IDENTITY: 'AGGREGATE', NATIONALITY: 'AGGREGATE', IMMIGRATION_STATUS: 'AGGREGATE' },
        specialCategories: ['VICTIM_STATUS'],
      },
    ],
  },
  {
    id: 'AGR-ITA-NGA-READMISSION-2023',
    title: 'Italy-Nigeria Memorandum on Readmission and Cooperation against Migrant Smuggling',
    kind: 'BILATERAL',
    parties: ['ITA', 'NGA'],
    status: 'IN_FORCE',
    effectiveFrom: '2023-06-01',
    expiresOn: '2028-05-31',
    minCellSize: 5,
    retentionDays: 730,
    grants: [
      {
        purpose: 'RETURN_AND_READMISSION',
        subjectScope: 'NATIONALS_OF_PARTIES',
        categories: { IDENTITY: 'FULL', NATIONALITY: 'FULL', TRAVEL_DOCUMENT: 'FULL', IMMIGRATION_STATUS: 'MINIMISED' },
        specialCategories: [],
      },
      {
        purpose: 'LAW_ENFORCEMENT',
        subjectScope: 'REQUESTED_ONLY',
        categories: { IDENTITY: 'MINIMISED', NATIONALITY: 'FULL', TRAVEL_DOCUMENT: 'FULL', CASE_HISTORY: 'FULL' },
        specialCategories: ['CRIMINAL_RECORD'],
      },
    ],
  },
  {
    id: 'AGR-AEGEAN-BORDER-2019',
    title: 'Aegean Border Information Arrangement',
    kind: 'BILATERAL',
    parties: ['GRC', 'ITA'],
    status: 'SUSPENDED',
    effectiveFrom: '2019-03-01',
    expiresOn: null,
    minCellSize: 5,
    retentionDays: 365,
    grants: [
      {
        purpose: 'BORDER_CONTROL',
        subjectScope: 'ALL_HELD_BY_PARTIES',
        categories: { IDENTITY: 'FULL', TRAVEL_DOCUMENT: 'FULL' },
        specialCategories: ['BIOMETRIC'],
      },
    ],
  },
  {
    id: 'AGR-ESP-IOM-FAMILY-2020',
    title: 'Spain-IOM Family Tracing Arrangement',
    kind: 'MOU',
    parties: ['ESP', 'IOM'],
    status: 'IN_FORCE',
    effectiveFrom: '2020-01-01',
    expiresOn: '2024-12-31',
    minCellSize: 5,
    retentionDays: 1825,
    grants: [
      {
        purpose: 'FAMILY_REUNIFICATION',
        subjectScope: 'ALL_HELD_BY_PARTIES',
        categories: { IDENTITY: 'FULL', FAMILY: 'FULL', CONTACT_LOCATION: 'FULL' },
        specialCategories: [],
      },
    ],
  },
];

// ---------------------------------------------------------------------------------------
// Randomness

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counter, public domain), its four words of
 * state filled by splitmix32 from the seed so that neighbouring seeds diverge at once.
 */
function sfc32(seed: number): () => number {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

const HEX_BYTES = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The world's only source of randomness. */
class Dice {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = sfc32(seed);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  /** Uniform integer in [min, max], both inclusive; `min` when `max < min`. */
  int(min: number, max: number): number {
    return max <= min ? min : min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list, uniformly. */
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)] as T;
  }

  /** `bytes` random bytes as lowercase hex. */
  hex(bytes: number): string {
    let out = '';
    for (let i = 0; i < bytes; i++) out += HEX_BYTES[Math.floor(this.next() * 256)];
    return out;
  }
}

/** A fixed distribution over values, built once; `draw` is linear in its (short) length. */
class Weighted<T> {
  private readonly values: T[] = [];
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    let sum = 0;
    for (const [value, weight] of entries) {
      if (weight <= 0) continue;
      sum += weight;
      this.values.push(value);
      this.cumulative.push(sum);
    }
    if (sum === 0) throw new TypeError('Weighted: needs at least one positive weight');
    this.total = sum;
  }

  draw(dice: Dice): T {
    const roll = dice.float() * this.total;
    for (let i = 0; i < this.cumulative.length; i++) if (roll < this.cumulative[i]!) return this.values[i]!;
    return this.values[this.values.length - 1]!;
  }
}

/** A distribution from `{ value: weight }`; values left out never come up. */
function weighted<K extends string>(weights: Readonly<Partial<Record<K, number>>>): Weighted<K> {
  return new Weighted(Object.entries(weights) as [K, number][]);
}

// ---------------------------------------------------------------------------------------
// Calendar: whole UTC days as integers, so date arithmetic is exact and cheap.

/** Days since 1970-01-01 (UTC). */
type Day = number;

const MS_PER_DAY = 86_400_000;
const YEAR = 365;

function dayOf(date: Date): Day {
  return Math.round(date.getTime() / MS_PER_DAY);
}

/** The day of a `YYYY-MM-DD` this module wrote (or copied from the fixture), so known valid. */
function dayOfIso(value: string): Day {
  return Date.UTC(Number(value.slice(0, 4)), Number(value.slice(5, 7)) - 1, Number(value.slice(8, 10))) / MS_PER_DAY;
}

/**
 * Year, month (1-12) and day of month of a day number, by Howard Hinnant's
 * `civil_from_days`: integer arithmetic, several times faster than formatting a `Date`,
 * which matters at hundreds of thousands of dates.
 */
function civil(day: Day): { year: number; month: number; date: number } {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const date = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, date };
}

/** `YYYY-MM-DD` of a day number (years 1000-9999). */
function iso(day: Day): string {
  const { year, month, date } = civil(day);
  return `${year}-${month < 10 ? '0' : ''}${month}-${date < 10 ? '0' : ''}${date}`;
}

function yearOf(day: Day): number {
  return civil(day).year;
}

// ---------------------------------------------------------------------------------------
// Reference data: who arrives where, what they are called, where they were born.

interface Origin {
  readonly given: { readonly F: readonly string[]; readonly M: readonly string[] };
  readonly family: readonly string[];
  readonly cities: readonly string[];
  readonly ethnic: Weighted<string>;
  readonly religion: Weighted<string>;
  /** Nationals mostly found in need of international protection, or on mixed routes. */
  readonly route: 'PROTECTION' | 'MIXED';
}

const SAHEL_GIVEN = {
  F: ['Fatoumata', 'Mariama', 'Aminata', 'Kadiatou', 'Awa', 'Fatou', 'Aïssatou', 'Hawa', 'Binta', 'Ramatoulaye'],
  M: ['Mamadou', 'Ousmane', 'Ibrahima', 'Moussa', 'Sekou', 'Abdoulaye', 'Alpha', 'Lamine', 'Boubacar', 'Modou', 'Souleymane'],
};
const MAGHREB_GIVEN = {
  F: ['Fatima', 'Khadija', 'Amina', 'Salma', 'Meriem', 'Nour', 'Imane', 'Sara', 'Yasmine', 'Houda'],
  M: ['Mohamed', 'Youssef', 'Ahmed', 'Amine', 'Karim', 'Mehdi', 'Hamza', 'Bilal', 'Walid', 'Omar'],
};

function origin(
  given: Origin['given'],
  family: readonly string[],
  cities: readonly string[],
  ethnic: Readonly<Record<string, number>>,
  religion: Readonly<Record<string, number>>,
  route: Origin['route'] = 'MIXED',
): Origin {
  return { given, family, cities, ethnic: weighted(ethnic), religion: weighted(religion), route };
}

const ORIGINS: Readonly<Record<string, Origin>> = {
  NGA: origin(
    {
      F: ['Blessing', 'Joy', 'Precious', 'Favour', 'Esther', 'Amara', 'Chioma', 'Ngozi', 'Osas', 'Eki', 'Gift', 'Funmilayo'],
      M: ['Emeka', 'Chidi', 'Tunde', 'Osagie', 'Efosa', 'Samuel', 'Daniel', 'Ibrahim', 'Musa', 'Uche', 'Segun', 'Godwin'],
    },
    ['Okafor', 'Nwosu', 'Eze', 'Adeyemi', 'Okonkwo', 'Balogun', 'Obi', 'Osagie', 'Igbinedion', 'Omoregie', 'Ogbebor', 'Bello', 'Okoro'],
    ['Benin City', 'Benin City', 'Lagos', 'Enugu', 'Ibadan', 'Kano', 'Port Harcourt', 'Abuja'],
    { Edo: 4, Igbo: 3, Yoruba: 3, Hausa: 1, Ijaw: 1 },
    { Christian: 4, Muslim: 2 },
  ),
  GHA: origin(
    { F: ['Abena', 'Akosua', 'Ama', 'Efua', 'Adwoa', 'Grace', 'Comfort'], M: ['Kwame', 'Kofi', 'Kwabena', 'Yaw', 'Kojo', 'Emmanuel', 'Isaac'] },
    ['Mensah', 'Owusu', 'Asante', 'Boateng', 'Appiah', 'Osei', 'Agyeman'],
    ['Accra', 'Kumasi', 'Tamale', 'Takoradi'],
    { Akan: 3, Ewe: 1, Dagomba: 1, Ga: 1 },
    { Christian: 3, Muslim: 1 },
  ),
  GIN: origin(
    SAHEL_GIVEN,
    ['Diallo', 'Barry', 'Bah', 'Camara', 'Sow', 'Condé', 'Touré', 'Sylla'],
    ['Conakry', 'Kankan', 'Labé', 'Nzérékoré', 'Kindia'],
    { Fula: 3, Malinke: 2, Susu: 1 },
    { Muslim: 9, Christian: 1 },
  ),
  MLI: origin(
    SAHEL_GIVEN,
    ['Keita', 'Traoré', 'Coulibaly', 'Diarra', 'Konaté', 'Sissoko', 'Dembélé', 'Sangaré'],
    ['Bamako', 'Sikasso', 'Mopti', 'Kayes', 'Ségou'],
    { Bambara: 3, Soninke: 2, Fula: 1, Tuareg: 1 },
    { Muslim: 1 },
  ),
  SEN: origin(
    SAHEL_GIVEN,
    ['Ndiaye', 'Diop', 'Fall', 'Sarr', 'Faye', 'Gueye', 'Mbaye', 'Ba'],
    ['Dakar', 'Thiès', 'Kaolack', 'Ziguinchor', 'Saint-Louis'],
    { Wolof: 3, Fula: 1, Serer: 1, Jola: 1 },
    { Muslim: 9, Christian: 1 },
  ),
  GMB: origin(
    SAHEL_GIVEN,
    ['Jallow', 'Ceesay', 'Touray', 'Jammeh', 'Sanneh', 'Bojang', 'Darboe'],
    ['Banjul', 'Serekunda', 'Brikama', 'Farafenni'],
    { Mandinka: 2, Fula: 1, Wolof: 1, Jola: 1 },
    { Muslim: 1 },
  ),
  CIV: origin(
    { F: ['Adjoua', 'Affoué', 'Aya', 'Mariam', 'Akissi', 'Fatou'], M: ['Kouadio', 'Konan', 'Yao', 'Issouf', 'Seydou', 'Jean-Baptiste'] },
    ['Kouassi', 'Koné', 'Ouattara', 'Yao', 'Kouamé', 'Bamba', "N'Guessan"],
    ['Abidjan', 'Bouaké', 'Daloa', 'Yamoussoukro', 'Korhogo'],
    { Akan: 2, Dioula: 2, Senufo: 1, Bété: 1 },
    { Muslim: 2, Christian: 2 },
  ),
  ERI: origin(
    { F: ['Selam', 'Helen', 'Senait', 'Luwam', 'Mebrat', 'Saba', 'Yodit', 'Feven'], M: ['Yonas', 'Dawit', 'Tesfay', 'Yohannes', 'Filmon', 'Robel', 'Kidane'] },
    ['Tesfaye', 'Haile', 'Gebremedhin', 'Berhane', 'Tekle', 'Ghebreyesus', 'Woldu', 'Kahsay'],
    ['Asmara', 'Keren', 'Massawa', 'Mendefera'],
    { Tigrinya: 4, Tigre: 1, Saho: 1 },
    { 'Orthodox Christian': 3, Muslim: 2, Catholic: 1 },
    'PROTECTION',
  ),
  SDN: origin(
    { F: ['Fatima', 'Amna', 'Hawa', 'Mariam', 'Aisha', 'Zainab', 'Khadija', 'Safaa'], M: ['Mohamed', 'Ahmed', 'Abdelrahman', 'Osman', 'Hamid', 'Adam', 'Yousif', 'Mustafa'] },
    ['Abdallah', 'Osman', 'Elamin', 'Musa', 'Adam', 'Ibrahim', 'Elnour', 'Hamad'],
    ['Khartoum', 'Omdurman', 'Nyala', 'El Fasher', 'Geneina', 'Port Sudan'],
    { Fur: 2, Masalit: 1, Zaghawa: 1, Nuba: 1, Arab: 2 },
    { Muslim: 9, Christian: 1 },
    'PROTECTION',
  ),
  SYR: origin(
    { F: ['Lina', 'Rania', 'Noor', 'Hala', 'Reem', 'Lama', 'Sara', 'Yasmin', 'Dana'], M: ['Omar', 'Ahmad', 'Mohammad', 'Khaled', 'Hassan', 'Rami', 'Samer', 'Tarek', 'Yazan'] },
    ['Haddad', 'Khalil', 'Al-Hassan', 'Darwish', 'Hamdan', 'Al-Ahmad', 'Kanaan', 'Nasser', 'Al-Hamwi'],
    ['Aleppo', 'Damascus', 'Homs', 'Idlib', 'Deir ez-Zor', 'Daraa'],
    { Arab: 4, Kurdish: 2, Turkmen: 1 },
    { Muslim: 8, Christian: 1, Yazidi: 1 },
    'PROTECTION',
  ),
  AFG: origin(
    { F: ['Zahra', 'Maryam', 'Fereshta', 'Nadia', 'Parisa', 'Sima', 'Mahbooba'], M: ['Ahmad', 'Mohammad', 'Farid', 'Jawad', 'Mustafa', 'Hamid', 'Ali', 'Naveed', 'Sayed'] },
    ['Rahimi', 'Ahmadi', 'Karimi', 'Hosseini', 'Mohammadi', 'Sultani', 'Noori', 'Jafari', 'Haidari'],
    ['Kabul', 'Herat', 'Mazar-i-Sharif', 'Kandahar', 'Ghazni', 'Jalalabad'],
    { Hazara: 2, Tajik: 2, Pashtun: 2, Uzbek: 1 },
    { Muslim: 1 },
    'PROTECTION',
  ),
  PAK: origin(
    { F: ['Ayesha', 'Sana', 'Hina', 'Fatima', 'Mehwish', 'Sadia'], M: ['Imran', 'Bilal', 'Usman', 'Asif', 'Waqas', 'Zeeshan', 'Hamza'] },
    ['Khan', 'Butt', 'Chaudhry', 'Malik', 'Iqbal', 'Hussain', 'Shah', 'Akhtar'],
    ['Lahore', 'Karachi', 'Peshawar', 'Gujrat', 'Sialkot', 'Rawalpindi'],
    { Punjabi: 3, Pashtun: 2, Sindhi: 1 },
    { Muslim: 9, Christian: 1 },
  ),
  BGD: origin(
    { F: ['Nusrat', 'Sadia', 'Farzana', 'Taslima', 'Rina', 'Shirin'], M: ['Rahim', 'Karim', 'Hasan', 'Rafiq', 'Shakil', 'Sumon', 'Jahid', 'Mizanur'] },
    ['Hossain', 'Rahman', 'Islam', 'Uddin', 'Ahmed', 'Miah', 'Chowdhury', 'Sarker'],
    ['Dhaka', 'Sylhet', 'Chittagong', 'Madaripur', 'Noakhali'],
    { Bengali: 1 },
    { Muslim: 9, Hindu: 1 },
  ),
  TUN: origin(
    MAGHREB_GIVEN,
    ['Trabelsi', 'Jebali', 'Ben Salah', 'Gharbi', 'Hammami', 'Mejri', 'Ayari'],
    ['Tunis', 'Sfax', 'Sousse', 'Zarzis', 'Kairouan'],
    { Arab: 3, Amazigh: 1 },
    { Muslim: 1 },
  ),
  EGY: origin(
    MAGHREB_GIVEN,
    ['Mahmoud', 'Ibrahim', 'Saleh', 'Hassan', 'Abdelaziz', 'Farouk', 'Mostafa', 'Soliman'],
    ['Cairo', 'Alexandria', 'Asyut', 'Kafr el-Sheikh', 'Fayoum'],
    { Arab: 5, Nubian: 1 },
    { Muslim: 9, 'Coptic Christian': 1 },
  ),
  MAR: origin(
    MAGHREB_GIVEN,
    ['El Idrissi', 'Benali', 'Amrani', 'Alaoui', 'Bennani', 'Tazi', 'Ouali'],
    ['Casablanca', 'Tangier', 'Fes', 'Nador', 'Beni Mellal', 'Agadir'],
    { Arab: 2, Amazigh: 2 },
    { Muslim: 1 },
  ),
};

/** Holders: the three state parties (45/35/20) and, for 5% of records, IOM. */
const HOLDERS = weighted({ ITA: 42.75, ESP: 33.25, GRC: 19, IOM: 5 });

/**
 * Nationalities by holder, after the main Mediterranean routes. Nigerians are a large
 * share of Italy's records, so the Italy-Nigeria readmission agreement has subjects.
 */
const NATIONALITIES: Readonly<Record<string, Weighted<string>>> = {
  ITA: weighted({ NGA: 22, TUN: 10, BGD: 9, EGY: 7, GIN: 7, CIV: 7, ERI: 6, SDN: 5, PAK: 5, MLI: 4, SEN: 4, GMB: 4, GHA: 4, SYR: 4, MAR: 2 }),
  ESP: weighted({ MAR: 28, MLI: 14, SEN: 14, GIN: 10, CIV: 8, GMB: 7, SYR: 4, NGA: 3, GHA: 3, TUN: 3, PAK: 2, BGD: 2 }),
  GRC: weighted({ AFG: 30, SYR: 28, PAK: 8, EGY: 6, BGD: 5, SDN: 5, ERI: 3, NGA: 3, MAR: 2 }),
  IOM: weighted({ NGA: 20, ERI: 12, SDN: 12, SYR: 10, AFG: 10, MLI: 8, GIN: 8, CIV: 8, SEN: 6, GMB: 6 }),
};

/** IOM is an organisation, not a country: its records live at its offices in the host states. */
const IOM_HOSTS = weighted({ ITA: 50, GRC: 30, ESP: 20 });

interface Place {
  readonly city: string;
  readonly region: string;
  /** Inclusive range of the city's five-digit postal codes. */
  readonly postal: readonly [number, number];
  readonly streets: readonly string[];
}

const PLACES: Readonly<Record<string, readonly Place[]>> = {
  ITA: [
    { city: 'Palermo', region: 'Sicilia', postal: [90121, 90151], streets: ['Via Roma', 'Via Maqueda', 'Corso Calatafimi', 'Via Oreto'] },
    { city: 'Catania', region: 'Sicilia', postal: [95121, 95131], streets: ['Via Etnea', 'Via Plebiscito', 'Corso Sicilia'] },
    { city: 'Agrigento', region: 'Sicilia', postal: [92100, 92100], streets: ['Via Atenea', 'Viale della Vittoria'] },
    { city: 'Rome', region: 'Lazio', postal: [118, 199], streets: ['Via Tiburtina', 'Via Prenestina', 'Via Casilina'] },
    { city: 'Naples', region: 'Campania', postal: [80121, 80147], streets: ['Corso Umberto I', 'Via Toledo', 'Via Foria'] },
    { city: 'Turin', region: 'Piemonte', postal: [10121, 10156], streets: ['Corso Giulio Cesare', 'Via Nizza', 'Via Po'] },
    { city: 'Milan', region: 'Lombardia', postal: [20121, 20162], streets: ['Via Padova', 'Viale Monza', 'Via Imbonati'] },
    { city: 'Bari', region: 'Puglia', postal: [70121, 70132], streets: ['Via Sparano', 'Corso Cavour'] },
  ],
  ESP: [
    { city: 'Almería', region: 'Andalucía', postal: [4001, 4009], streets: ['Calle Real', 'Avenida de Pablo Iglesias'] },
    { city: 'Málaga', region: 'Andalucía', postal: [29001, 29018], streets: ['Calle Larios', 'Avenida de Andalucía'] },
    { city: 'Algeciras', region: 'Andalucía', postal: [11201, 11207], streets: ['Calle Ancha', 'Avenida Virgen del Carmen'] },
    { city: 'Ceuta', region: 'Ceuta', postal: [51001, 51005], streets: ['Calle Real', 'Paseo del Revellín'] },
    { city: 'Melilla', region: 'Melilla', postal: [52001, 52006], streets: ['Calle General Marina', 'Avenida Juan Carlos I'] },
    { city: 'Madrid', region: 'Comunidad de Madrid', postal: [28001, 28053], streets: ['Calle de Atocha', 'Calle de Alcalá', 'Calle de Bravo Murillo'] },
    { city: 'Barcelona', region: 'Cataluña', postal: [8001, 8042], streets: ['Carrer de Sants', "Carrer de l'Hospital"] },
    { city: 'Las Palmas de Gran Canaria', region: 'Canarias', postal: [35001, 35019], streets: ['Calle Mayor de Triana', 'Calle León y Castillo'] },
  ],
  GRC: [
    { city: 'Mytilene', region: 'North Aegean', postal: [81100, 81132], streets: ['Ermou', 'Kavetsou', 'Eleftheriou Venizelou'] },
    { city: 'Chios', region: 'North Aegean', postal: [82100, 82132], streets: ['Aplotarias', 'Kanari'] },
    { city: 'Samos', region: 'North Aegean', postal: [83100, 83100], streets: ['Themistokli Sofouli', 'Lykourgou Logotheti'] },
    { city: 'Kos', region: 'South Aegean', postal: [85300, 85300], streets: ['Vasileos Pavlou', 'Kanari'] },
    { city: 'Athens', region: 'Attica', postal: [10431, 11855], streets: ['Acharnon', 'Patision', 'Leoforos Syngrou'] },
    { city: 'Piraeus', region: 'Attica', postal: [18531, 18547], streets: ['Notara', 'Akti Miaouli'] },
    { city: 'Thessaloniki', region: 'Central Macedonia', postal: [54621, 54655], streets: ['Egnatias', 'Tsimiski', 'Monastiriou'] },
  ],
};

/** Legal statuses of adults, by route, and of minors travelling alone. */
const LEGAL_STATUS: Readonly<Record<Origin['route'] | 'MINOR', Weighted<LegalStatus>>> = {
  PROTECTION: weighted({
    ASYLUM_SEEKER: 30, REFUGEE: 30, SUBSIDIARY_PROTECTION: 14, TEMPORARY_PROTECTION: 5, IRREGULAR: 8,
    WORKER: 3, STUDENT: 1, FAMILY_MEMBER: 6, STATELESS: 3,
  }),
  MIXED: weighted({
    ASYLUM_SEEKER: 35, REFUGEE: 5, SUBSIDIARY_PROTECTION: 6, TEMPORARY_PROTECTION: 3, IRREGULAR: 25,
    WORKER: 15, STUDENT: 4, FAMILY_MEMBER: 6, STATELESS: 1,
  }),
  MINOR: weighted({ ASYLUM_SEEKER: 60, REFUGEE: 12, SUBSIDIARY_PROTECTION: 10, TEMPORARY_PROTECTION: 8, IRREGULAR: 10 }),
};

const CONDITIONS = [
  'scabies', 'tuberculosis', 'hypertension', 'type 2 diabetes', 'PTSD', 'depression', 'malnutrition', 'hepatitis B',
  'asthma', 'anaemia', 'healed fracture', 'dental abscess',
];

const OFFENCES = weighted({ THEFT: 25, DRUG_POSSESSION: 20, MIGRANT_SMUGGLING: 20, DOCUMENT_FRAUD: 15, ASSAULT: 12, ROBBERY: 8 });
/** Transit countries of the central and eastern Mediterranean routes. */
const TRANSIT_COUNTRIES = ['LBY', 'TUR', 'NER'];

const EXPLOITATION: Readonly<Record<'F' | 'M', Weighted<ExploitationType>>> = {
  F: weighted({ SEXUAL: 55, DOMESTIC_SERVITUDE: 15, LABOUR: 14, FORCED_MARRIAGE: 8, FORCED_BEGGING: 4, OTHER: 4 }),
  M: weighted({ LABOUR: 60, FORCED_CRIMINALITY: 15, FORCED_BEGGING: 8, SEXUAL: 5, ORGAN_REMOVAL: 2, OTHER: 10 }),
};

// ---------------------------------------------------------------------------------------
// Migrants

/** What the members of one household share: holder, origin, name, address, arrival. */
interface Household {
  holder: string;
  nationality: string;
  origin: Origin;
  familyName: string;
  address: WorldAddress;
  /** The state whose authorities hold the records (the holder, or IOM's host state). */
  hostCountry: string;
  ethnicOrigin: string | null;
  religion: string | null;
  arrival: Day;
  recorded: Day;
  headStatus: LegalStatus;
}

/** Who travelled together, when they arrived, and the legal status of the first of them. */
interface Journey {
  people: Person[];
  arrival: Day;
  headStatus: LegalStatus;
}

type Role = 'SINGLE' | 'HEAD' | 'PARTNER' | 'CHILD' | 'RELATIVE';

/** One person in a household, before their record is filled in. */
interface Person {
  role: Role;
  sex: Sex;
  birth: Day;
}

/** Data shared by the functions that fill one migrant's record. */
interface Subject extends Person {
  id: string;
  household: Household;
  /** Age in whole years today. */
  age: number;
}

/** ~6.7% of households are families of 2-5, so ~20% of migrants are in a family. */
const FAMILY_HOUSEHOLD_SHARE = 0.067;

/** Records arrive over ~12 years, half of them in the last three (so 730/3650-day limits both bite). */
const HISTORY_DAYS = 12 * YEAR;

function generateMigrants(dice: Dice, count: number, today: Day): WorldMigrant[] {
  const out: WorldMigrant[] = [];
  const width = Math.max(6, String(count).length);
  const documents = new DocumentNumbers(dice);
  while (out.length < count) {
    const size = Math.min(count - out.length, dice.chance(FAMILY_HOUSEHOLD_SHARE) ? dice.int(2, 5) : 1);
    const home = newHome(dice);
    const journey = size === 1 ? single(dice, today, home.origin) : family(dice, today, home.origin, size);
    const household: Household = { ...home, ...journey, recorded: recordedAfter(dice, journey.arrival, today) };
    const ids = journey.people.map((_, i) => `m-${String(out.length + i + 1).padStart(width, '0')}`);
    journey.people.forEach((person, i) => {
      const id = ids[i]!;
      const subject: Subject = { ...person, id, household, age: ageOn(person.birth, today) };
      out.push(migrantRecord(dice, today, subject, ids.filter((other) => other !== id), documents));
    });
  }
  return out;
}

/** Where a household is held and lives, and what its members share by origin. */
function newHome(dice: Dice): Omit<Household, keyof Journey | 'recorded'> {
  const holder = HOLDERS.draw(dice);
  const nationality = NATIONALITIES[holder]!.draw(dice);
  const from = ORIGINS[nationality]!;
  const hostCountry = holder === 'IOM' ? IOM_HOSTS.draw(dice) : holder;
  return {
    holder,
    nationality,
    origin: from,
    familyName: dice.pick(from.family),
    address: address(dice, hostCountry),
    hostCountry,
    ethnicOrigin: dice.chance(0.08) ? null : from.ethnic.draw(dice),
    religion: dice.chance(0.1) ? null : from.religion.draw(dice),
  };
}

/** Days before today of an arrival: half within three years, half over the whole span. */
function arrivalDaysAgo(dice: Dice, maxDays: number): number {
  const span = dice.chance(0.5) ? Math.min(3 * YEAR, maxDays) : maxDays;
  return dice.int(0, Math.max(0, span));
}

/** Registration 0-30 days after arrival, never after today. */
function recordedAfter(dice: Dice, arrival: Day, today: Day): Day {
  return arrival + dice.int(0, Math.min(30, today - arrival));
}

function address(dice: Dice, country: string): WorldAddress {
  const place = dice.pick(PLACES[country]!);
  const street = dice.pick(place.streets);
  const number = dice.int(1, 180);
  return {
    line1: country === 'ESP' ? `${street}, ${number}` : `${street} ${number}`,
    city: place.city,
    region: place.region,
    postalCode: String(dice.int(place.postal[0], place.postal[1])).padStart(5, '0'),
    country,
  };
}

/** Adult sex: mostly men, as on the Mediterranean routes; X is rare. */
function adultSex(dice: Dice): Sex {
  const roll = dice.float();
  return roll < 0.005 ? 'X' : roll < 0.34 ? 'F' : 'M';
}

/** A day of birth that makes someone `years` old today. */
function bornYearsAgo(dice: Dice, today: Day, years: number): Day {
  return today - years * YEAR - dice.int(Math.floor(years / 4), Math.floor(years / 4) + YEAR - 1);
}

/** Age in whole years on `today`. */
function ageOn(birth: Day, today: Day): number {
  const b = civil(birth);
  const t = civil(today);
  const beforeBirthday = t.month < b.month || (t.month === b.month && t.date < b.date);
  return t.year - b.year - (beforeBirthday ? 1 : 0);
}

/** Adult ages skew young: most 18-35, some to 59, and ~3% elderly (60-82). */
function adultAge(dice: Dice): number {
  const roll = dice.float();
  if (roll < 0.03) return dice.int(60, 82);
  if (roll < 0.1) return dice.int(51, 59);
  return 18 + Math.floor(dice.float() * dice.float() * 33);
}

/**
 * A person on their own: ~6% are minors (13-17, many unaccompanied). Nobody travelling
 * alone arrived before the age of 12, so the arrival is drawn to fit the age.
 */
function single(dice: Dice, today: Day, from: Origin): Journey {
  const minor = dice.chance(0.06);
  const years = minor ? dice.int(13, 17) : adultAge(dice);
  const birth = bornYearsAgo(dice, today, years);
  const arrival = today - arrivalDaysAgo(dice, Math.min(HISTORY_DAYS, today - birth - 12 * YEAR));
  const headStatus = (minor ? LEGAL_STATUS.MINOR : LEGAL_STATUS[from.route]).draw(dice);
  const sex: Sex = minor ? (dice.chance(0.2) ? 'F' : 'M') : adultSex(dice);
  return { people: [{ role: 'SINGLE', sex, birth }], arrival, headStatus };
}

/**
 * A family: an adult head, often a partner of the other sex, and children born at least a
 * month before the family arrived and at least 18 years after the head. A child who can't
 * fit both becomes an adult relative.
 */
function family(dice: Dice, today: Day, from: Origin, size: number): Journey {
  const arrival = today - arrivalDaysAgo(dice, HISTORY_DAYS);
  const headYears = dice.int(22, 52);
  const head: Person = { role: 'HEAD', sex: adultSex(dice), birth: bornYearsAgo(dice, today, headYears) };
  const people = [head];
  const youngest = Math.ceil((today - arrival + 30) / YEAR);
  const oldest = Math.min(17, headYears - 18);
  for (let i = 1; i < size; i++) {
    if (i === 1 && dice.chance(0.7)) {
      const sex: Sex = head.sex === 'M' ? 'F' : head.sex === 'F' ? 'M' : dice.chance(0.5) ? 'F' : 'M';
      people.push({ role: 'PARTNER', sex, birth: bornYearsAgo(dice, today, Math.max(18, headYears + dice.int(-6, 6))) });
      continue;
    }
    const child = youngest <= oldest;
    const birth = Math.min(bornYearsAgo(dice, today, child ? dice.int(youngest, oldest) : dice.int(18, 40)), arrival - 30);
    people.push({ role: child ? 'CHILD' : 'RELATIVE', sex: dice.chance(0.5) ? 'F' : 'M', birth });
  }
  return { people, arrival, headStatus: LEGAL_STATUS[from.route].draw(dice) };
}

function migrantRecord(dice: Dice, today: Day, s: Subject, familyIds: string[], numbers: DocumentNumbers): WorldMigrant {
  const h = s.household;
  const victimStatus = victim(dice, today, s);
  const unaccompanied = s.role === 'SINGLE' && s.age < 18 && dice.chance(0.85);
  return {
    id: s.id,
    holder: h.holder,
    recordedAt: iso(h.recorded),
    givenName: dice.pick(h.origin.given[s.sex === 'X' ? (dice.chance(0.5) ? 'F' : 'M') : s.sex]),
    familyName: h.familyName,
    dateOfBirth: iso(s.birth),
    sex: s.sex,
    nationality: h.nationality,
    placeOfBirth: dice.pick(h.origin.cities),
    address: { ...h.address },
    documents: documents(dice, today, s, numbers),
    legalStatus: legalStatus(dice, s),
    arrivalDate: iso(h.arrival),
    familyIds,
    biometrics: biometrics(dice, s),
    health: health(dice, s, victimStatus, unaccompanied),
    ethnicOrigin: h.ethnicOrigin,
    religion: h.religion,
    criminalRecord: criminalRecord(dice, today, s),
    victimStatus,
  };
}

/** A head or single keeps the household's status; about half of the others are FAMILY_MEMBER. */
function legalStatus(dice: Dice, s: Subject): LegalStatus {
  if (s.role === 'SINGLE' || s.role === 'HEAD') return s.household.headStatus;
  return dice.chance(0.55) ? 'FAMILY_MEMBER' : s.household.headStatus;
}

/**
 * Unique travel-document numbers `A12345678`: the k-th number is k times a multiplier
 * coprime to 10^8 (a bijection on eight digits) plus an offset, so no two collide.
 */
class DocumentNumbers {
  private k = 0;
  private readonly offset: number;

  constructor(private readonly dice: Dice) {
    this.offset = dice.int(0, 99_999_999);
  }

  next(): string {
    const digits = (this.k++ * 7_654_321 + this.offset) % 100_000_000;
    return `${String.fromCharCode(65 + this.dice.int(0, 25))}${String(digits).padStart(8, '0')}`;
  }
}

/**
 * 0-2 documents, all issued by the subject's country of nationality: mostly a passport
 * (about a quarter expired), sometimes an ID card, and now and then an older, expired passport.
 */
function documents(dice: Dice, today: Day, s: Subject, numbers: DocumentNumbers): WorldTravelDocument[] {
  const count = s.age < 18 ? (dice.chance(0.3) ? 1 : 0) : dice.chance(0.3) ? 0 : dice.chance(0.8) ? 1 : 2;
  const issuingCountry = s.household.nationality;
  const out: WorldTravelDocument[] = [];
  for (let i = 0; i < count; i++) {
    if (i === 0 && dice.chance(0.85)) {
      out.push({ type: 'PASSPORT', number: numbers.next(), issuingCountry, expiresOn: iso(today + dice.int(-3 * YEAR, 9 * YEAR)) });
    } else if (i === 1 && dice.chance(0.6)) {
      out.push({ type: 'PASSPORT', number: numbers.next(), issuingCountry, expiresOn: iso(today - dice.int(30, 6 * YEAR)) });
    } else {
      const expiresOn = dice.chance(0.3) ? null : iso(today + dice.int(-2 * YEAR, 8 * YEAR));
      out.push({ type: 'ID_CARD', number: numbers.next(), issuingCountry, expiresOn });
    }
  }
  return out;
}

/** Fingerprints from age 6 (as Eurodac under the 2024 pact); 5% not enrolled at all. */
function biometrics(dice: Dice, s: Subject): WorldMigrant['biometrics'] {
  if (dice.chance(0.05)) return null;
  return {
    fingerprintTemplate: s.age >= 6 ? `ISO19794-2:${dice.hex(16)}` : null,
    faceTemplate: `ISO19794-5:${dice.hex(16)}`,
  };
}

/**
 * Screening outcome: ~8% are identified or presumed victims of trafficking (far more
 * among Nigerian women in Italy, the best-documented corridor), ~1.5% screened out.
 */
function victim(dice: Dice, today: Day, s: Subject): WorldVictimStatus | null {
  const h = s.household;
  const nigerianWomanInItaly = s.sex === 'F' && h.nationality === 'NGA' && h.hostCountry === 'ITA' && s.age >= 16;
  const p = s.role === 'CHILD' ? 0.03 : nigerianWomanInItaly ? 0.35 : s.sex === 'F' ? 0.13 : s.sex === 'X' ? 0.1 : 0.045;
  const identifiedOn = iso(h.arrival + dice.int(0, Math.min(365, today - h.arrival)));
  if (dice.chance(p)) {
    const status = dice.chance(0.55) ? 'IDENTIFIED_VICTIM' : 'PRESUMED_VICTIM';
    return { status, identifiedOn, exploitationType: EXPLOITATION[s.sex === 'F' ? 'F' : 'M'].draw(dice) };
  }
  return dice.chance(0.015) ? { status: 'NOT_A_VICTIM', identifiedOn, exploitationType: null } : null;
}

/** ~30% have a health record; likelier for victims, unaccompanied minors and the elderly. */
function health(dice: Dice, s: Subject, victimStatus: WorldVictimStatus | null, unaccompanied: boolean): WorldHealthRecord | null {
  const trafficked = victimStatus !== null && victimStatus.status !== 'NOT_A_VICTIM';
  const p = unaccompanied ? 1 : trafficked ? 0.7 : s.age >= 60 ? 0.6 : 0.24;
  if (!dice.chance(p)) return null;
  const conditions: string[] = [];
  const n = dice.chance(0.6) ? dice.int(1, 2) : 0;
  while (conditions.length < n) {
    const condition = dice.pick(CONDITIONS);
    if (!conditions.includes(condition)) conditions.push(condition);
  }
  const vulnerabilities: Vulnerability[] = [];
  if (unaccompanied) vulnerabilities.push('UNACCOMPANIED_MINOR');
  if (trafficked && dice.chance(0.6)) vulnerabilities.push('SURVIVOR_OF_TRAFFICKING');
  if (s.sex === 'F' && s.age >= 18 && s.age <= 42 && dice.chance(0.12)) vulnerabilities.push('PREGNANT');
  if (s.age >= 60) vulnerabilities.push('ELDERLY');
  if (dice.chance(0.12)) vulnerabilities.push('SURVIVOR_OF_VIOLENCE');
  if (dice.chance(0.04)) vulnerabilities.push('DISABILITY');
  if (dice.chance(0.04)) vulnerabilities.push('SERIOUS_ILLNESS');
  return { conditions, vulnerabilities };
}

/**
 * ~3% of adults (men more often) have 1-2 convictions, each in a year between their 18th
 * birthday and today, in the host state, their own country or a transit country.
 */
function criminalRecord(dice: Dice, today: Day, s: Subject): WorldCriminalRecord | null {
  if (s.age < 18 || !dice.chance(s.sex === 'M' ? 0.04 : 0.012)) return null;
  const first = yearOf(s.birth) + 18;
  const last = yearOf(today);
  const convictions = Array.from({ length: dice.chance(0.75) ? 1 : 2 }, () => {
    const roll = dice.float();
    const country = roll < 0.55 ? s.household.hostCountry : roll < 0.85 ? s.household.nationality : dice.pick(TRANSIT_COUNTRIES);
    return { offence: OFFENCES.draw(dice), year: dice.int(first, last), country };
  });
  convictions.sort((a, b) => a.year - b.year);
  return { convictions };
}

// ---------------------------------------------------------------------------------------
// Consents

const CONSENT_PURPOSES: readonly Purpose[] = ['SERVICE_DELIVERY', 'ANTI_TRAFFICKING', 'ASYLUM_PROCESSING'];
/** Victims of trafficking consent to anti-trafficking support far more often than others. */
const CONSENT_PURPOSE = {
  victim: weighted<Purpose>({ SERVICE_DELIVERY: 50, ANTI_TRAFFICKING: 45, ASYLUM_PROCESSING: 25 }),
  other: weighted<Purpose>({ SERVICE_DELIVERY: 50, ANTI_TRAFFICKING: 8, ASYLUM_PROCESSING: 25 }),
};

/**
 * ~25% of migrants (more of those with a health record, whose health data needs consent)
 * gave 1-2 consents for distinct purposes, on or after their record date; ~20% of
 * consents were withdrawn since.
 */
function generateConsents(dice: Dice, migrants: readonly WorldMigrant[], today: Day): WorldConsent[] {
  const out: WorldConsent[] = [];
  for (const m of migrants) {
    if (!dice.chance(m.health ? 0.45 : 0.17)) continue;
    const victim = m.victimStatus !== null && m.victimStatus.status !== 'NOT_A_VICTIM';
    const purposes = victim ? CONSENT_PURPOSE.victim : CONSENT_PURPOSE.other;
    const chosen: Purpose[] = [];
    const n = dice.chance(0.3) ? 2 : 1;
    while (chosen.length < n) {
      const purpose = purposes.draw(dice);
      if (!chosen.includes(purpose)) chosen.push(purpose);
    }
    chosen.sort((a, b) => CONSENT_PURPOSES.indexOf(a) - CONSENT_PURPOSES.indexOf(b));
    const recorded = dayOfIso(m.recordedAt);
    for (const purpose of chosen) {
      const given = recorded + dice.int(0, Math.min(60, today - recorded));
      const withdrawnAt = dice.chance(0.2) ? iso(given + dice.int(0, today - given)) : null;
      out.push({ migrantId: m.id, purpose, givenAt: iso(given), withdrawnAt, evidence: `form:CONSENT-${out.length + 1}` });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Data requests

/**
 * How often each purpose is the subject of a request. STATISTICS is never requested:
 * requests widen access to named individuals, which aggregate statistics never need.
 */
const REQUEST_PURPOSE_WEIGHTS: Readonly<Record<Purpose, number>> = {
  ANTI_TRAFFICKING: 30,
  RETURN_AND_READMISSION: 20,
  LAW_ENFORCEMENT: 15,
  SERVICE_DELIVERY: 15,
  BORDER_CONTROL: 10,
  FAMILY_REUNIFICATION: 10,
  ASYLUM_PROCESSING: 10,
  STATISTICS: 0,
};

/** After the first four (one of each), statuses follow these weights. */
const REQUEST_STATUSES_IN_TURN: readonly RequestStatus[] = ['PENDING', 'APPROVED', 'DENIED', 'WITHDRAWN'];
const REQUEST_STATUS = weighted({ APPROVED: 40, PENDING: 25, DENIED: 20, WITHDRAWN: 15 });

const DENIAL_NOTES = [
  'Denied: the justification does not establish necessity for the categories requested.',
  'Denied: the subject is outside the scope of the agreement for this purpose.',
  'Denied: the request is disproportionate; resubmit with fewer categories.',
];

const JUSTIFICATIONS: Readonly<Record<Purpose, string>> = {
  ANTI_TRAFFICKING: 'Presumed victim referred to the national referral mechanism; identity and history needed for protection measures',
  SERVICE_DELIVERY: 'Continuity of reception and health services after transfer between reception centres',
  RETURN_AND_READMISSION: 'Identity and nationality verification ahead of a readmission decision',
  LAW_ENFORCEMENT: 'Investigation into a migrant smuggling network',
  BORDER_CONTROL: 'Verification of identity and travel documents at the external border',
  FAMILY_REUNIFICATION: 'Tracing of family members separated in transit',
  ASYLUM_PROCESSING: 'Examination of an application for international protection',
  STATISTICS: 'Statistical reporting',
};

/** One agreement and one of its grants: a way a request can be made. */
interface Channel {
  agreement: WorldAgreement;
  grant: WorldGrant;
}

/**
 * Requests under the fixture's agreements: between two distinct parties of the agreement,
 * for a purpose it grants, about 1-3 migrants held by the requested party, for categories
 * of that grant. Subjects are chosen, where possible, so the request makes sense and is
 * visible: within the agreement's retention period, and victims for anti-trafficking,
 * nationals of a party for readmission and law enforcement, families for family tracing.
 */
function generateRequests(dice: Dice, migrants: readonly WorldMigrant[], today: Day, count: number): WorldDataRequest[] {
  const pools = new SubjectPools(migrants, today);
  const channels = usableChannels(pools);
  if (channels.length === 0) return [];
  const pickChannel = new Weighted(channels.map((c) => [c, REQUEST_PURPOSE_WEIGHTS[c.grant.purpose]] as const));
  const out: WorldDataRequest[] = [];
  for (let i = 0; i < count; i++) {
    const status = i < REQUEST_STATUSES_IN_TURN.length ? REQUEST_STATUSES_IN_TURN[i]! : REQUEST_STATUS.draw(dice);
    out.push(request(dice, today, pools, pickChannel.draw(dice), status, `req-${String(i + 1).padStart(6, '0')}`));
  }
  return out;
}

/** Channels with a positive weight and at least one party that holds records. */
function usableChannels(pools: SubjectPools): Channel[] {
  const channels: Channel[] = [];
  for (const agreement of FIXTURE_AGREEMENTS) {
    if (!agreement.parties.some((party) => pools.holds(party))) continue;
    for (const grant of agreement.grants) if (REQUEST_PURPOSE_WEIGHTS[grant.purpose] > 0) channels.push({ agreement, grant });
  }
  return channels;
}

function request(dice: Dice, today: Day, pools: SubjectPools, channel: Channel, status: RequestStatus, id: string): WorldDataRequest {
  const { agreement, grant } = channel;
  const requestedParty = dice.pick(agreement.parties.filter((party) => pools.holds(party)));
  const requestingParty = dice.pick(agreement.parties.filter((party) => party !== requestedParty));
  const subjects = pools.subjects(dice, channel, requestedParty);
  const submitted = submittedDay(dice, today, agreement, subjects, status);
  const decided = status === 'PENDING' ? null : Math.min(today, submitted + dice.int(0, 21));
  const validUntil = status === 'APPROVED' ? validUntilDay(dice, today, decided!) : null;
  return {
    id,
    agreementId: agreement.id,
    requestingParty,
    requestedParty,
    purpose: grant.purpose,
    subjectIds: subjects.map((m) => m.id),
    categories: requestedCategories(dice, grant),
    justification: `${JUSTIFICATIONS[grant.purpose]} (case ${requestingParty}-${yearOf(submitted)}-${String(dice.int(1, 9999)).padStart(4, '0')}).`,
    status,
    submittedAt: iso(submitted),
    decidedAt: decided === null ? null : iso(decided),
    validUntil: validUntil === null ? null : iso(validUntil),
    decisionNote: status === 'APPROVED' ? 'Approved as requested.' : status === 'DENIED' ? dice.pick(DENIAL_NOTES) : null,
  };
}

/**
 * Submitted within the last three years while the agreement was in effect (pending ones
 * within the last quarter), and never before its subjects were recorded. When those
 * windows don't meet, the request is dated the day its last subject was recorded.
 */
function submittedDay(dice: Dice, today: Day, agreement: WorldAgreement, subjects: readonly WorldMigrant[], status: RequestStatus): Day {
  const lastRecorded = Math.max(...subjects.map((m) => dayOfIso(m.recordedAt)));
  const from = Math.max(dayOfIso(agreement.effectiveFrom), today - (status === 'PENDING' ? 90 : 3 * YEAR), lastRecorded);
  const until = Math.min(agreement.expiresOn === null ? today : dayOfIso(agreement.expiresOn), today);
  return from <= until ? dice.int(from, until) : lastRecorded;
}

/** Mostly in the future; about one in five already passed (the request reads as EXPIRED). */
function validUntilDay(dice: Dice, today: Day, decided: Day): Day {
  if (decided < today - 1 && dice.chance(0.2)) return dice.int(decided + 1, today - 1);
  return today + dice.int(30, 540);
}

/** 1-3 of the grant's categories, in the grant's order. */
function requestedCategories(dice: Dice, grant: WorldGrant): DataCategory[] {
  const offered = Object.keys(grant.categories) as DataCategory[];
  const wanted = dice.int(1, Math.min(3, offered.length));
  const chosen = new Set<DataCategory>();
  while (chosen.size < wanted) chosen.add(dice.pick(offered));
  return offered.filter((category) => chosen.has(category));
}

/**
 * Candidate subjects: each holder's records, and per channel and holder the records that
 * fit the channel. Each filtered pool is built once, on first use, so the cost is linear in
 * the number of migrants times the (few) channels, whatever the number of requests.
 */
class SubjectPools {
  private readonly byHolder = new Map<string, WorldMigrant[]>();
  private readonly byId = new Map<string, WorldMigrant>();
  private readonly fitting = new Map<string, WorldMigrant[]>();
  private readonly recorded = new Map<WorldMigrant, Day>();

  constructor(
    migrants: readonly WorldMigrant[],
    private readonly today: Day,
  ) {
    for (const m of migrants) {
      this.byId.set(m.id, m);
      this.recorded.set(m, dayOfIso(m.recordedAt));
      const list = this.byHolder.get(m.holder);
      if (list) list.push(m);
      else this.byHolder.set(m.holder, [m]);
    }
  }

  holds(party: string): boolean {
    return this.byHolder.has(party);
  }

  /** 1-3 distinct subjects held by `holder`; for family tracing, one migrant and relatives. */
  subjects(dice: Dice, channel: Channel, holder: string): WorldMigrant[] {
    const fitting = this.pool(channel, holder);
    const pool = fitting.length > 0 ? fitting : this.byHolder.get(holder)!;
    const first = dice.pick(pool);
    if (channel.grant.purpose === 'FAMILY_REUNIFICATION' && first.familyIds.length > 0) {
      return [first, ...first.familyIds.slice(0, 2).map((id) => this.byId.get(id)!)];
    }
    const wanted = Math.min(dice.int(1, 3), pool.length);
    const chosen = [first];
    for (let tries = 0; chosen.length < wanted && tries < 20; tries++) {
      const next = dice.pick(pool);
      if (!chosen.includes(next)) chosen.push(next);
    }
    return chosen;
  }

  private pool(channel: Channel, holder: string): WorldMigrant[] {
    const key = `${channel.agreement.id}|${channel.grant.purpose}|${holder}`;
    let pool = this.fitting.get(key);
    if (!pool) {
      const fits = this.fits(channel);
      pool = (this.byHolder.get(holder) ?? []).filter(fits);
      this.fitting.set(key, pool);
    }
    return pool;
  }

  private fits({ agreement, grant }: Channel): (m: WorldMigrant) => boolean {
    const oldest = this.today - agreement.retentionDays;
    const until = agreement.expiresOn === null ? this.today : dayOfIso(agreement.expiresOn);
    const retained = (m: WorldMigrant): boolean => {
      const recorded = this.recorded.get(m)!;
      return recorded >= oldest && recorded <= until;
    };
    switch (grant.purpose) {
      case 'ANTI_TRAFFICKING':
        return (m) => retained(m) && m.victimStatus !== null && m.victimStatus.status !== 'NOT_A_VICTIM';
      case 'RETURN_AND_READMISSION':
      case 'LAW_ENFORCEMENT':
        return (m) => retained(m) && m.nationality !== null && agreement.parties.includes(m.nationality);
      case 'FAMILY_REUNIFICATION':
        return (m) => retained(m) && m.familyIds.length > 0;
      default:
        return retained;
    }
  }
}
