/**
 * Validation of an import file (docs/api.md section 6).
 *
 * Contract:
 * - Pure: no I/O, no database, no GraphQL, no network; the only outside input is the
 *   clock for the latest allowed conviction year, and `options.now` replaces it. Pinned
 *   keys of the trust registry are parsed in memory (`crypto.createPublicKey`).
 * - Checks every record and collects every problem; it never stops at the first.
 * - Every problem names the file, the collection, the record's index in the file, the
 *   record's id (when it has a well-formed one) and the field (a path such as
 *   `documents[0].expiresOn`).
 * - On success it returns a `World` built only from checked fields, copied into fresh
 *   objects: unknown keys, including `__proto__`, `constructor` and `prototype`, are
 *   problems and are never copied.
 * - Problems come sorted: top-level problems first, then by collection in file order
 *   (parties, agreements, migrants, dataRequests, consents, trust), then by record index.
 * - No message quotes key material: a pinned key is named by its path only.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  ACCESS_LEVELS,
  AGREEMENT_STATUSES,
  DATA_CATEGORIES,
  PURPOSES,
  REQUEST_STATUSES,
  SPECIAL_CATEGORIES,
  SUBJECT_SCOPES,
  isOneOf,
  type AccessLevel,
  type DataCategory,
  type Purpose,
} from '../policy/taxonomy';
import { parseIsoDate } from '../policy/calendar';
import {
  AGREEMENT_KINDS,
  DOCUMENT_TYPES,
  EXPLOITATION_TYPES,
  LEGAL_STATUSES,
  PARTY_KINDS,
  SEXES,
  TRUST_ALGORITHMS,
  VICTIM_STATUS_VALUES,
  VULNERABILITIES,
  type World,
  type WorldAddress,
  type WorldAgreement,
  type WorldBiometrics,
  type WorldConsent,
  type WorldConviction,
  type WorldCriminalRecord,
  type WorldDataRequest,
  type WorldGrant,
  type WorldHealthRecord,
  type WorldIdentityProvider,
  type WorldMigrant,
  type WorldParty,
  type TrustAlgorithm,
  type WorldTravelDocument,
  type WorldTrust,
  type WorldVictimStatus,
} from '../data/world';

export interface ImportProblem {
  file: string;
  /** A collection name, or `(root)` for a problem with the file as a whole. */
  collection: string;
  /** The record's index in its collection; null for a problem with the collection or file. */
  index: number | null;
  /** The record's id (party code; `migrantId|purpose|givenAt` for a consent), when well formed. */
  id: string | null;
  /** Path of the field inside the record, e.g. `address.country`; `(record)` for the record itself. */
  field: string;
  message: string;
}

export type ValidationResult = { ok: true; world: World } | { ok: false; problems: ImportProblem[] };

/** Ids already stored in the database, so a file may reference them without containing them. */
export interface ExistingIds {
  parties: ReadonlySet<string>;
  agreements: ReadonlySet<string>;
  migrants: ReadonlySet<string>;
}

export interface ValidateOptions {
  existing?: ExistingIds;
  /** The current time, for the latest allowed conviction year; defaults to the clock. */
  now?: Date;
}

const COLLECTIONS = ['parties', 'agreements', 'migrants', 'dataRequests', 'consents', 'trust'] as const;
type CollectionName = (typeof COLLECTIONS)[number];

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const PARTY_CODE = /^[A-Z0-9]{2,10}$/;
const COUNTRY = /^[A-Z]{3}$/;

/** Longest accepted string, by kind of content. */
const MAX = { name: 200, text: 500, longText: 2_000, documentNumber: 40, postalCode: 20, template: 20_000, pem: 20_000 } as const;
const EARLIEST_CONVICTION_YEAR = 1900;

/** How a string field is checked. */
interface StringRule {
  max: number;
  pattern?: RegExp;
  /** What the pattern means, for the message. */
  patternText?: string;
}

const NAME: StringRule = { max: MAX.name };
const TEXT: StringRule = { max: MAX.text };
const LONG_TEXT: StringRule = { max: MAX.longText };
const ID_RULE: StringRule = { max: 128, pattern: ID, patternText: 'an id (a letter or digit, then up to 127 letters, digits or . _ : -)' };
const PARTY_RULE: StringRule = { max: 10, pattern: PARTY_CODE, patternText: 'a party code (2-10 capital letters or digits)' };
const COUNTRY_RULE: StringRule = { max: 3, pattern: COUNTRY, patternText: 'an ISO 3166-1 alpha-3 country code' };

// ---------------------------------------------------------------------------
// Small value helpers

/**
 * A plain object as JSON makes: not an array, Date, Map or class instance. Realm-independent
 * (an object from `structuredClone` or another vm context counts), so the prototype is
 * checked by shape: none, or one that is itself a root prototype.
 */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Object.prototype.toString.call(value) !== '[object Object]') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * What may be key material (PEM armour, or a run of base64 as long as a key's): a
 * message never quotes such a string, in any collection.
 */
const KEY_MATERIAL = /-----|[A-Za-z0-9+/=]{20,}/;

/** A short, safe rendering of a bad value for a message. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string' && KEY_MATERIAL.test(value)) return `a string of ${value.length} characters (not quoted)`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a ${typeof value}`;
}

/**
 * True for a real calendar date written `YYYY-MM-DD` (rejects 2023-02-30). The same test
 * the importer uses to convert dates, so every accepted date converts.
 */
function isIsoCalendarDate(value: string): boolean {
  return parseIsoDate(value) !== null;
}

function consentKey(migrantId: string, purpose: string, givenAt: string): string {
  return `${migrantId}|${purpose}|${givenAt}`;
}

// ---------------------------------------------------------------------------
// Field reader: checks one object's fields, reports problems, never throws

type Report = (field: string, message: string) => void;

/** A checked array entry with its path in the record, e.g. `familyIds[2]`. */
interface Pathed<T> {
  value: T;
  path: string;
}

/** A value an array must not contain, and the message when it does. */
interface ExcludedValue {
  value: string | null;
  message: string;
}

/**
 * Reads the fields of one record (or nested object). Each getter returns the checked
 * value, or null when the field is bad (after reporting it) or is a legitimate null.
 * Callers tell the two apart only through the problem count, which is enough: a world
 * is returned only when there are no problems at all.
 */
class FieldReader {
  constructor(
    private readonly source: Record<string, unknown>,
    private readonly report: Report,
    private readonly prefix = '',
  ) {}

  /** Reports every key not in `allowed` (so `__proto__`, `constructor`, `prototype` too). */
  allowOnly(allowed: readonly string[]): void {
    for (const key of Object.keys(this.source)) {
      if (!allowed.includes(key)) this.fail(key, 'unknown field');
    }
  }

  /** The field's own value; undefined when absent (inherited properties never count). */
  raw(field: string): unknown {
    return Object.hasOwn(this.source, field) ? this.source[field] : undefined;
  }

  /** Keys of the source, in file order. */
  keys(): string[] {
    return Object.keys(this.source);
  }

  fail(field: string, message: string): null {
    this.report(this.prefix + field, message);
    return null;
  }

  /** A required field: reports absence and returns false. */
  private present(field: string, nullable: boolean): boolean {
    if (this.raw(field) !== undefined) return true;
    this.fail(field, nullable ? 'is required (null when there is no value)' : 'is required');
    return false;
  }

  /** A required string, or null where `nullable`. */
  string(field: string, rule: StringRule, nullable = false): string | null {
    if (!this.present(field, nullable)) return null;
    const value = this.raw(field);
    if (value === null && nullable) return null;
    return this.stringAt(field, value, rule, nullable);
  }

  /** An optional string: absent and null are both fine (`has` tells whether it was given). */
  optionalString(field: string, rule: StringRule): string | null {
    const value = this.raw(field);
    if (value === undefined || value === null) return null;
    return this.stringAt(field, value, rule, true);
  }

  /** Whether the field is given at all (null counts as given). */
  has(field: string): boolean {
    return this.raw(field) !== undefined;
  }

  /** A required member of `list`, or null where `nullable`. */
  enumValue<T extends string>(field: string, list: readonly T[], nullable = false): T | null {
    if (!this.present(field, nullable)) return null;
    const value = this.raw(field);
    if (value === null && nullable) return null;
    if (isOneOf(list, value)) return value;
    return this.fail(field, `must be one of ${list.join(', ')}${nullable ? ' or null' : ''}, got ${describe(value)}`);
  }

  /** A required ISO calendar date, or null where `nullable`. */
  date(field: string, nullable = false): string | null {
    if (!this.present(field, nullable)) return null;
    const value = this.raw(field);
    if (value === null && nullable) return null;
    if (typeof value === 'string' && isIsoCalendarDate(value)) return value;
    const orNull = nullable && typeof value !== 'string' ? ' or null' : '';
    return this.fail(field, `must be an ISO 8601 date YYYY-MM-DD${orNull}, got ${describe(value)}`);
  }

  /** A required integer in [min, max]. */
  integer(field: string, min: number, max: number): number | null {
    if (!this.present(field, false)) return null;
    const value = this.raw(field);
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    return this.fail(field, `must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }

  /** An optional boolean: `fallback` when absent; anything but true or false (null too) is a problem. */
  optionalBoolean(field: string, fallback: boolean): boolean {
    const value = this.raw(field);
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;
    this.fail(field, `must be true or false (or left out), got ${describe(value)}`);
    return fallback;
  }

  /** A required array of at most `max` entries (at least one when `nonEmpty`). */
  array(field: string, max: number, nonEmpty = false): unknown[] | null {
    if (!this.present(field, false)) return null;
    const value = this.raw(field);
    if (!Array.isArray(value)) return this.fail(field, `must be an array, got ${describe(value)}`);
    if (nonEmpty && value.length === 0) return this.fail(field, 'must not be empty');
    if (value.length > max) return this.fail(field, `must have at most ${max} entries, got ${value.length}`);
    return Array.from(value); // holes become undefined, and are reported as such
  }

  /**
   * An array whose entries are checked by `entry` (given the entry's value and path);
   * entries that fail are left out. Each checked entry keeps its path in the file.
   */
  pathedEntries<T>(field: string, max: number, entry: (value: unknown, path: string) => T | null, nonEmpty = false): Pathed<T>[] {
    const out: Pathed<T>[] = [];
    this.array(field, max, nonEmpty)?.forEach((value, i) => {
      const path = `${field}[${i}]`;
      const checked = entry(value, path);
      if (checked !== null) out.push({ value: checked, path });
    });
    return out;
  }

  /** Like `pathedEntries`, values only. */
  entries<T>(field: string, max: number, entry: (value: unknown, path: string) => T | null, nonEmpty = false): T[] {
    return this.pathedEntries(field, max, entry, nonEmpty).map((e) => e.value);
  }

  /** Array entries that are strings under `rule`, each unique and none equal to `exclude`. */
  uniqueStrings(field: string, max: number, rule: StringRule, options: { nonEmpty?: boolean; exclude?: ExcludedValue } = {}): Pathed<string>[] {
    const check = (value: unknown, path: string): string | null => {
      const checked = this.stringAt(path, value, rule);
      if (checked !== null && options.exclude && checked === options.exclude.value) return this.fail(path, options.exclude.message);
      return checked;
    };
    return this.pathedEntries(field, max, this.uniqueEntry(check), options.nonEmpty);
  }

  /** Array entries that are members of `list`, each unique. */
  uniqueEnums<T extends string>(field: string, max: number, list: readonly T[], nonEmpty = false): T[] {
    const member = (value: unknown, path: string): T | null =>
      isOneOf(list, value) ? value : this.fail(path, `must be one of ${list.join(', ')}, got ${describe(value)}`);
    return this.entries(field, max, this.uniqueEntry(member), nonEmpty);
  }

  /** A string value at `path` (a field or array entry), checked under `rule`. */
  stringAt(path: string, value: unknown, rule: StringRule, nullable = false): string | null {
    if (typeof value !== 'string') return this.fail(path, `must be a string${nullable ? ' or null' : ''}, got ${describe(value)}`);
    const problem = stringProblem(value, rule);
    return problem === null ? value : this.fail(path, problem);
  }

  /** Wraps an entry checker so that a repeated value is a problem. */
  private uniqueEntry<T>(check: (value: unknown, path: string) => T | null): (value: unknown, path: string) => T | null {
    const seen = new Set<T>();
    return (value, path) => {
      const checked = check(value, path);
      if (checked === null) return null;
      if (seen.has(checked)) return this.fail(path, `duplicate ${String(checked)}`);
      seen.add(checked);
      return checked;
    };
  }

  /** A required nested object (or null where `nullable`), checked by `read`. */
  object<T>(field: string, nullable: boolean, read: (reader: FieldReader) => T | null): T | null {
    if (!this.present(field, nullable)) return null;
    return this.objectAt(field, this.raw(field), nullable, read);
  }

  /** An object value found at `path` (a field or array entry), checked by `read`. */
  objectAt<T>(path: string, value: unknown, nullable: boolean, read: (reader: FieldReader) => T | null): T | null {
    if (value === null && nullable) return null;
    if (!isPlainObject(value)) return this.fail(path, `must be an object${nullable ? ' or null' : ''}, got ${describe(value)}`);
    return read(new FieldReader(value, this.report, `${this.prefix}${path}.`));
  }
}

/** Why `value` is not acceptable under `rule`, or null when it is. */
function stringProblem(value: string, rule: StringRule): string | null {
  if (value.trim().length === 0) return 'must not be empty or blank';
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  if (value.length > rule.max) return `must be at most ${rule.max} characters, got ${value.length}`;
  if (rule.pattern && !rule.pattern.test(value)) return `must be ${rule.patternText ?? 'well formed'}, got ${describe(value)}`;
  return null;
}

// ---------------------------------------------------------------------------
// Per-record results

/** A reference from one record's field to a record of another collection. */
interface Reference {
  to: 'parties' | 'agreements' | 'migrants';
  field: string;
  id: string;
}

/**
 * What reading one record yields: the checked record (null when a required part is
 * bad), its identity for duplicate detection, and its references. Identity and
 * references are collected even from otherwise bad records, so every problem is named.
 */
interface Checked<T> {
  value: T | null;
  key: string | null;
  keyField: string;
  references: Reference[];
}

interface CheckedAgreement extends Checked<WorldAgreement> {
  parties: string[];
  purposes: Purpose[];
}

interface CheckedRequest extends Checked<WorldDataRequest> {
  agreementId: string | null;
  requestingParty: string | null;
  requestedParty: string | null;
  purpose: Purpose | null;
}

/** References to `to` from the given fields; fields whose value is bad (null) are skipped. */
function referencesTo(to: Reference['to'], fields: Pathed<string | null>[]): Reference[] {
  return fields.flatMap(({ value, path }) => (value === null ? [] : [{ to, field: path, id: value }]));
}

/** Where a record sits in the file, with its result. */
interface Located<C> {
  index: number;
  checked: C;
}

// ---------------------------------------------------------------------------
// Parties

function readParty(r: FieldReader): Checked<WorldParty> {
  r.allowOnly(['code', 'name', 'kind']);
  const code = r.string('code', PARTY_RULE);
  const name = r.string('name', NAME);
  const kind = r.enumValue('kind', PARTY_KINDS);
  const value = code !== null && name !== null && kind !== null ? { code, name, kind } : null;
  return { value, key: code, keyField: 'code', references: [] };
}

// ---------------------------------------------------------------------------
// Agreements

/** `categories` of a grant: DataCategory keys (in file order) with AccessLevel values. */
function readGrantCategories(c: FieldReader): Partial<Record<DataCategory, AccessLevel>> {
  const out: Partial<Record<DataCategory, AccessLevel>> = {};
  for (const key of c.keys()) {
    if (!isOneOf(DATA_CATEGORIES, key)) {
      c.fail(key, `unknown data category (expected one of ${DATA_CATEGORIES.join(', ')})`);
      continue;
    }
    const level = c.enumValue(key, ACCESS_LEVELS);
    if (level !== null) out[key] = level;
  }
  return out;
}

function readGrant(g: FieldReader): WorldGrant | null {
  g.allowOnly(['purpose', 'subjectScope', 'categories', 'specialCategories']);
  const purpose = g.enumValue('purpose', PURPOSES);
  const subjectScope = g.enumValue('subjectScope', SUBJECT_SCOPES);
  const categories = g.object('categories', false, readGrantCategories);
  const specialCategories = g.uniqueEnums('specialCategories', SPECIAL_CATEGORIES.length, SPECIAL_CATEGORIES);
  if (purpose === null || subjectScope === null || categories === null) return null;
  return { purpose, subjectScope, categories, specialCategories };
}

/** The grants of an agreement, at most one per purpose. */
function readGrants(r: FieldReader): WorldGrant[] {
  const purposes = new Set<Purpose>();
  return r.entries('grants', PURPOSES.length * 2, (value, path) => {
    const grant = r.objectAt(path, value, false, readGrant);
    if (grant === null) return null;
    if (purposes.has(grant.purpose)) return r.fail(`${path}.purpose`, `duplicate grant for ${grant.purpose}`);
    purposes.add(grant.purpose);
    return grant;
  });
}

/** At least two distinct party codes. */
function readAgreementParties(r: FieldReader): Pathed<string>[] {
  const parties = r.uniqueStrings('parties', 500, PARTY_RULE);
  const raw = r.raw('parties');
  if (Array.isArray(raw) && raw.length < 2) r.fail('parties', `an agreement needs at least two parties, got ${raw.length}`);
  return parties;
}

function readAgreement(r: FieldReader): CheckedAgreement {
  r.allowOnly(['id', 'title', 'kind', 'parties', 'status', 'effectiveFrom', 'expiresOn', 'minCellSize', 'retentionDays', 'grants']);
  const id = r.string('id', ID_RULE);
  const title = r.string('title', TEXT);
  const kind = r.enumValue('kind', AGREEMENT_KINDS);
  const pathedParties = readAgreementParties(r);
  const parties = pathedParties.map((p) => p.value);
  const status = r.enumValue('status', AGREEMENT_STATUSES);
  const effectiveFrom = r.date('effectiveFrom');
  const expiresOn = r.date('expiresOn', true);
  if (effectiveFrom !== null && expiresOn !== null && expiresOn < effectiveFrom) {
    r.fail('expiresOn', `must not be before effectiveFrom (${effectiveFrom}), got ${expiresOn}`);
  }
  const minCellSize = r.integer('minCellSize', 1, 1_000_000);
  const retentionDays = r.integer('retentionDays', 1, 36_525);
  const grants = readGrants(r);
  const references = referencesTo('parties', pathedParties);
  const complete = id !== null && title !== null && kind !== null && status !== null && effectiveFrom !== null;
  const value: WorldAgreement | null =
    complete && minCellSize !== null && retentionDays !== null
      ? { id, title, kind, parties, status, effectiveFrom, expiresOn, minCellSize, retentionDays, grants }
      : null;
  return { value, key: id, keyField: 'id', references, parties, purposes: grants.map((g) => g.purpose) };
}

// ---------------------------------------------------------------------------
// Migrants

function readAddress(a: FieldReader): WorldAddress {
  a.allowOnly(['line1', 'city', 'region', 'postalCode', 'country']);
  return {
    line1: a.string('line1', NAME, true),
    city: a.string('city', NAME, true),
    region: a.string('region', NAME, true),
    postalCode: a.string('postalCode', { max: MAX.postalCode }, true),
    country: a.string('country', COUNTRY_RULE, true),
  };
}

function readTravelDocument(d: FieldReader): WorldTravelDocument | null {
  d.allowOnly(['type', 'number', 'issuingCountry', 'expiresOn']);
  const type = d.enumValue('type', DOCUMENT_TYPES);
  const number = d.string('number', { max: MAX.documentNumber });
  const issuingCountry = d.string('issuingCountry', COUNTRY_RULE);
  const expiresOn = d.date('expiresOn', true);
  return type !== null && number !== null && issuingCountry !== null ? { type, number, issuingCountry, expiresOn } : null;
}

function readBiometrics(b: FieldReader): WorldBiometrics {
  b.allowOnly(['fingerprintTemplate', 'faceTemplate']);
  return {
    fingerprintTemplate: b.string('fingerprintTemplate', { max: MAX.template }, true),
    faceTemplate: b.string('faceTemplate', { max: MAX.template }, true),
  };
}

function readHealth(h: FieldReader): WorldHealthRecord {
  h.allowOnly(['conditions', 'vulnerabilities']);
  const conditions = h.entries('conditions', 100, (value, path) => h.stringAt(path, value, NAME));
  const vulnerabilities = h.uniqueEnums('vulnerabilities', VULNERABILITIES.length, VULNERABILITIES);
  return { conditions, vulnerabilities };
}

function readConviction(v: FieldReader, latestYear: number): WorldConviction | null {
  v.allowOnly(['offence', 'year', 'country']);
  const offence = v.string('offence', NAME);
  const year = v.integer('year', EARLIEST_CONVICTION_YEAR, latestYear);
  const country = v.string('country', COUNTRY_RULE);
  return offence !== null && year !== null && country !== null ? { offence, year, country } : null;
}

function readCriminalRecord(c: FieldReader, latestYear: number): WorldCriminalRecord {
  c.allowOnly(['convictions']);
  const convictions = c.entries('convictions', 200, (value, path) =>
    c.objectAt(path, value, false, (v) => readConviction(v, latestYear)),
  );
  return { convictions };
}

function readVictimStatus(v: FieldReader): WorldVictimStatus | null {
  v.allowOnly(['status', 'identifiedOn', 'exploitationType']);
  const status = v.enumValue('status', VICTIM_STATUS_VALUES);
  const identifiedOn = v.date('identifiedOn', true);
  const exploitationType = v.enumValue('exploitationType', EXPLOITATION_TYPES, true);
  return status !== null ? { status, identifiedOn, exploitationType } : null;
}

/** familyIds: unique migrant ids other than the migrant's own. */
function readFamilyIds(r: FieldReader, ownId: string | null): Pathed<string>[] {
  return r.uniqueStrings('familyIds', 200, ID_RULE, { exclude: { value: ownId, message: 'a migrant cannot be their own family member' } });
}

const MIGRANT_FIELDS = [
  'id', 'holder', 'recordedAt', 'givenName', 'familyName', 'dateOfBirth', 'sex', 'nationality', 'placeOfBirth',
  'address', 'documents', 'legalStatus', 'arrivalDate', 'familyIds', 'biometrics', 'health', 'ethnicOrigin',
  'religion', 'criminalRecord', 'victimStatus',
] as const;

type MigrantProfile = Pick<
  WorldMigrant,
  'givenName' | 'familyName' | 'dateOfBirth' | 'sex' | 'nationality' | 'placeOfBirth' | 'address' | 'documents' | 'legalStatus' | 'arrivalDate'
>;
type MigrantSpecialCategories = Pick<WorldMigrant, 'biometrics' | 'health' | 'ethnicOrigin' | 'religion' | 'criminalRecord' | 'victimStatus'>;

/** Identity, nationality, contact, documents and status of a migrant (all nullable but documents). */
function readMigrantProfile(r: FieldReader): MigrantProfile {
  const dateOfBirth = r.date('dateOfBirth', true);
  const arrivalDate = r.date('arrivalDate', true);
  if (dateOfBirth !== null && arrivalDate !== null && arrivalDate < dateOfBirth) {
    r.fail('arrivalDate', `must not be before dateOfBirth (${dateOfBirth}), got ${arrivalDate}`);
  }
  return {
    givenName: r.string('givenName', NAME, true),
    familyName: r.string('familyName', NAME, true),
    dateOfBirth,
    sex: r.enumValue('sex', SEXES, true),
    nationality: r.string('nationality', COUNTRY_RULE, true),
    placeOfBirth: r.string('placeOfBirth', NAME, true),
    address: r.object('address', true, readAddress),
    documents: r.entries('documents', 50, (value, path) => r.objectAt(path, value, false, readTravelDocument)),
    legalStatus: r.enumValue('legalStatus', LEGAL_STATUSES, true),
    arrivalDate,
  };
}

/** The special categories of personal data of a migrant, each nullable. */
function readMigrantSpecialCategories(r: FieldReader, latestYear: number): MigrantSpecialCategories {
  return {
    biometrics: r.object('biometrics', true, readBiometrics),
    health: r.object('health', true, readHealth),
    ethnicOrigin: r.string('ethnicOrigin', NAME, true),
    religion: r.string('religion', NAME, true),
    criminalRecord: r.object('criminalRecord', true, (c) => readCriminalRecord(c, latestYear)),
    victimStatus: r.object('victimStatus', true, readVictimStatus),
  };
}

function readMigrant(r: FieldReader, latestYear: number): Checked<WorldMigrant> {
  r.allowOnly(MIGRANT_FIELDS);
  const id = r.string('id', ID_RULE);
  const holder = r.string('holder', PARTY_RULE);
  const recordedAt = r.date('recordedAt');
  const profile = readMigrantProfile(r);
  const special = readMigrantSpecialCategories(r, latestYear);
  const pathedFamilyIds = readFamilyIds(r, id);
  const familyIds = pathedFamilyIds.map((f) => f.value);
  const references = [...referencesTo('parties', [{ value: holder, path: 'holder' }]), ...referencesTo('migrants', pathedFamilyIds)];
  // Keys in the import format's order, so a checked world serialises as it was written.
  const value: WorldMigrant | null =
    id !== null && holder !== null && recordedAt !== null ? { id, holder, recordedAt, ...profile, familyIds, ...special } : null;
  return { value, key: id, keyField: 'id', references };
}

/** A problem with one field of a record checked on its own. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Checks one migrant record in the import format exactly as an import checks it (every
 * problem, by field path), but for its references (holder, family), which the caller
 * checks against the database. Rectification validates the corrected record so.
 */
export function validateMigrant(input: unknown, options: { now?: Date } = {}): { ok: true; migrant: WorldMigrant } | { ok: false; problems: FieldProblem[] } {
  if (!isPlainObject(input)) return { ok: false, problems: [{ field: '(record)', message: `must be an object, got ${describe(input)}` }] };
  const problems: FieldProblem[] = [];
  const latestYear = (options.now ?? new Date()).getUTCFullYear();
  const checked = readMigrant(new FieldReader(input, (field, message) => problems.push({ field, message })), latestYear);
  if (problems.length > 0 || checked.value === null) return { ok: false, problems };
  return { ok: true, migrant: checked.value };
}

// ---------------------------------------------------------------------------
// Data requests

/**
 * Dates against status: a PENDING request has neither decidedAt nor validUntil;
 * APPROVED, DENIED and EXPIRED have decidedAt; APPROVED and EXPIRED have validUntil
 * (WITHDRAWN may or may not have been decided). Order: submittedAt <= decidedAt <= validUntil.
 */
function checkRequestDates(
  r: FieldReader,
  status: WorldDataRequest['status'] | null,
  dates: { submittedAt: string | null; decidedAt: string | null; validUntil: string | null },
): void {
  const { submittedAt, decidedAt, validUntil } = dates;
  const isNull = (field: string): boolean => r.raw(field) === null;
  const isGiven = (field: string): boolean => r.has(field) && !isNull(field);
  if (status === 'PENDING') {
    if (isGiven('decidedAt')) r.fail('decidedAt', 'must be null while the request is PENDING');
    if (isGiven('validUntil')) r.fail('validUntil', 'must be null while the request is PENDING');
  }
  if ((status === 'APPROVED' || status === 'DENIED' || status === 'EXPIRED') && isNull('decidedAt')) {
    r.fail('decidedAt', `is required for a ${status} request`);
  }
  if ((status === 'APPROVED' || status === 'EXPIRED') && isNull('validUntil')) r.fail('validUntil', `is required for a ${status} request`);
  if (submittedAt !== null && decidedAt !== null && decidedAt < submittedAt) {
    r.fail('decidedAt', `must not be before submittedAt (${submittedAt}), got ${decidedAt}`);
  }
  if (decidedAt !== null && validUntil !== null && validUntil < decidedAt) {
    r.fail('validUntil', `must not be before decidedAt (${decidedAt}), got ${validUntil}`);
  }
}

const REQUEST_FIELDS = [
  'id', 'agreementId', 'requestingParty', 'requestedParty', 'purpose', 'subjectIds', 'categories', 'justification',
  'status', 'submittedAt', 'decidedAt', 'validUntil', 'decisionNote',
] as const;


function readDataRequest(r: FieldReader): CheckedRequest {
  r.allowOnly(REQUEST_FIELDS);
  const id = r.string('id', ID_RULE);
  const agreementId = r.string('agreementId', ID_RULE);
  const requestingParty = r.string('requestingParty', PARTY_RULE);
  const requestedParty = r.string('requestedParty', PARTY_RULE);
  if (requestingParty !== null && requestingParty === requestedParty) r.fail('requestedParty', `must differ from requestingParty (${requestingParty})`);
  const purpose = r.enumValue('purpose', PURPOSES);
  const pathedSubjectIds = r.uniqueStrings('subjectIds', 10_000, ID_RULE, { nonEmpty: true });
  const subjectIds = pathedSubjectIds.map((s) => s.value);
  const categories = r.uniqueEnums('categories', DATA_CATEGORIES.length, DATA_CATEGORIES, true);
  const justification = r.string('justification', LONG_TEXT);
  const status = r.enumValue('status', REQUEST_STATUSES);
  const submittedAt = r.date('submittedAt');
  const decidedAt = r.date('decidedAt', true);
  const validUntil = r.date('validUntil', true);
  checkRequestDates(r, status, { submittedAt, decidedAt, validUntil });
  const decisionNote = r.optionalString('decisionNote', LONG_TEXT);
  const references = [
    ...referencesTo('agreements', [{ value: agreementId, path: 'agreementId' }]),
    ...referencesTo('parties', [
      { value: requestingParty, path: 'requestingParty' },
      { value: requestedParty, path: 'requestedParty' },
    ]),
    ...referencesTo('migrants', pathedSubjectIds),
  ];
  const head = id !== null && agreementId !== null && requestingParty !== null && requestedParty !== null && purpose !== null;
  const value: WorldDataRequest | null =
    head && justification !== null && status !== null && submittedAt !== null
      ? {
          id, agreementId, requestingParty, requestedParty, purpose, subjectIds, categories, justification, status,
          submittedAt, decidedAt, validUntil, ...(r.has('decisionNote') ? { decisionNote } : {}),
        }
      : null;
  return { value, key: id, keyField: 'id', references, agreementId, requestingParty, requestedParty, purpose };
}

// ---------------------------------------------------------------------------
// Consents

function readConsent(r: FieldReader): Checked<WorldConsent> {
  r.allowOnly(['migrantId', 'purpose', 'givenAt', 'withdrawnAt', 'evidence']);
  const migrantId = r.string('migrantId', ID_RULE);
  const purpose = r.enumValue('purpose', PURPOSES);
  const givenAt = r.date('givenAt');
  const withdrawnAt = r.date('withdrawnAt', true);
  if (givenAt !== null && withdrawnAt !== null && withdrawnAt < givenAt) {
    r.fail('withdrawnAt', `must not be before givenAt (${givenAt}), got ${withdrawnAt}`);
  }
  const evidence = r.optionalString('evidence', TEXT);
  const complete = migrantId !== null && purpose !== null && givenAt !== null;
  const value: WorldConsent | null = complete
    ? { migrantId, purpose, givenAt, withdrawnAt, ...(r.has('evidence') ? { evidence } : {}) }
    : null;
  const references = referencesTo('migrants', [{ value: migrantId, path: 'migrantId' }]);
  return { value, key: complete ? consentKey(migrantId, purpose, givenAt) : null, keyField: 'givenAt', references };
}

// ---------------------------------------------------------------------------
// Trust registry

const TRUST_FIELDS = ['party', 'requireDpop', 'identityProviders'] as const;
const IDENTITY_PROVIDER_FIELDS = ['issuer', 'audience', 'jwksUrl', 'publicKeys', 'algorithms'] as const;
const MAX_IDENTITY_PROVIDERS = 20;
const MAX_PINNED_KEYS = 10;
const MIN_RSA_BITS = 2048;
/** Hosts a `jwksUrl` may reach over plain `http:` (the URL parser's spelling). */
const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];
const PEM_RULE: StringRule = { max: MAX.pem };
const JWKS_URL_RULE: StringRule = { max: MAX.longText };

/** Why `value` is not an acceptable JWKS address, or null when it is. Never quotes the URL (it may carry credentials). */
function jwksUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') {
    return LOOPBACK_HOSTS.includes(url.hostname) ? null : 'must use https: (http: only for localhost, 127.0.0.1 or [::1])';
  }
  return `must use https: (http: only for localhost, 127.0.0.1 or [::1]), got ${describe(url.protocol)}`;
}

/** A pinned key read from its PEM: the key and the one algorithm it signs with. */
interface PinnedKey {
  /** The PEM as written in the file. */
  pem: string;
  algorithm: TrustAlgorithm;
  /** The key's SPKI DER in base64: the same key in two spellings (or a certificate and its key) compares equal. */
  identity: string;
}

/**
 * Reads one pinned key: exactly one PEM block labelled `PUBLIC KEY` (SPKI) or
 * `CERTIFICATE` (X.509), holding an RSA key of at least 2048 bits (RS256) or a P-256 EC
 * key (ES256). Returns the key, or a problem that quotes nothing of the text.
 */
function readPinnedKey(pem: string): Omit<PinnedKey, 'pem'> | { problem: string } {
  const labels = [...pem.matchAll(/-----BEGIN ([^\r\n-]{1,64})-----/g)].map((m) => m[1]!);
  if (labels.some((label) => label.includes('PRIVATE'))) return { problem: 'is a private key: only public keys belong in the registry' };
  if (labels.length === 0) return { problem: 'must be a PEM public key (label PUBLIC KEY) or certificate (label CERTIFICATE)' };
  if (labels.length > 1) return { problem: `must hold one PEM block, got ${labels.length}` };
  const label = labels[0]!;
  if (label !== 'PUBLIC KEY' && label !== 'CERTIFICATE') {
    return { problem: `must be a PEM labelled PUBLIC KEY or CERTIFICATE, got ${describe(/^[A-Z0-9 ]+$/.test(label) ? label : 'another label')}` };
  }
  const whole = new RegExp(`^-----BEGIN ${label}-----[A-Za-z0-9+/=\\s]+-----END ${label}-----$`);
  if (!whole.test(pem.trim())) return { problem: 'is a PEM that could not be read (one block, nothing before or after it)' };
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    return { problem: 'is a PEM that could not be read' };
  }
  const identity = key.export({ type: 'spki', format: 'der' }).toString('base64');
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0;
    return bits >= MIN_RSA_BITS ? { algorithm: 'RS256', identity } : { problem: `is an RSA key of ${bits} bits: at least ${MIN_RSA_BITS} are required` };
  }
  if (key.asymmetricKeyType === 'ec') {
    if (details.namedCurve === 'prime256v1') return { algorithm: 'ES256', identity };
    return { problem: `is an EC key on ${describe(details.namedCurve ?? 'an unnamed curve')}: only P-256 (ES256) is accepted` };
  }
  return { problem: `is a ${describe(key.asymmetricKeyType ?? 'unknown')} key: only RSA (RS256) and P-256 EC (ES256) keys are accepted` };
}

/** 1 to 10 distinct pinned keys, each with the algorithm it signs with. */
function readPinnedKeys(p: FieldReader): Pathed<PinnedKey>[] {
  const seen = new Map<string, string>();
  return p.pathedEntries(
    'publicKeys',
    MAX_PINNED_KEYS,
    (value, path) => {
      const pem = p.stringAt(path, value, PEM_RULE);
      if (pem === null) return null;
      const read = readPinnedKey(pem);
      if ('problem' in read) return p.fail(path, read.problem);
      const earlier = seen.get(read.identity);
      if (earlier !== undefined) return p.fail(path, `duplicate of ${earlier} (the same key)`);
      seen.set(read.identity, path);
      return { pem, ...read };
    },
    true,
  );
}

/** Whether `value` is a non-empty list of distinct algorithms (`uniqueEnums` reports it otherwise). */
function isAlgorithmList(value: unknown): value is TrustAlgorithm[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.length <= TRUST_ALGORITHMS.length &&
    value.every((a) => isOneOf(TRUST_ALGORITHMS, a)) &&
    new Set(value).size === value.length
  );
}

/** An identity provider with the placement of its key source, for the checks of the whole entry. */
interface CheckedProvider {
  value: WorldIdentityProvider | null;
  issuer: string | null;
  /** How many of jwksUrl and publicKeys were given. */
  keySources: number;
}

/** Given: present, not null and (for a list) not empty; so a validated world written out validates again. */
function isGiven(value: unknown): boolean {
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

function readIdentityProvider(p: FieldReader): CheckedProvider {
  p.allowOnly(IDENTITY_PROVIDER_FIELDS);
  const issuer = p.string('issuer', TEXT);
  const audience = p.string('audience', TEXT);
  const jwksGiven = isGiven(p.raw('jwksUrl'));
  const keysGiven = isGiven(p.raw('publicKeys'));
  let jwksUrl: string | null = null;
  if (jwksGiven) {
    jwksUrl = p.stringAt('jwksUrl', p.raw('jwksUrl'), JWKS_URL_RULE, true);
    const problem = jwksUrl === null ? null : jwksUrlProblem(jwksUrl);
    if (problem !== null) jwksUrl = p.fail('jwksUrl', problem);
  }
  const keys = keysGiven ? readPinnedKeys(p) : [];
  const rawAlgorithms = p.raw('algorithms');
  const algorithms: TrustAlgorithm[] = p.has('algorithms')
    ? p.uniqueEnums('algorithms', TRUST_ALGORITHMS.length, TRUST_ALGORITHMS, true)
    : [...TRUST_ALGORITHMS];
  if (!p.has('algorithms') || isAlgorithmList(rawAlgorithms)) {
    for (const { value, path } of keys) {
      if (!algorithms.includes(value.algorithm)) {
        p.fail(path, `is an ${value.algorithm} key, but algorithms allows only ${algorithms.join(', ')}`);
      }
    }
  }
  const keySources = (jwksGiven ? 1 : 0) + (keysGiven ? 1 : 0);
  const complete = issuer !== null && audience !== null && keySources === 1 && (jwksGiven ? jwksUrl !== null : keys.length > 0);
  const publicKeys = keys.map((k) => k.value.pem);
  const value: WorldIdentityProvider | null = complete ? { issuer, audience, jwksUrl, publicKeys, algorithms } : null;
  return { value, issuer, keySources };
}

/** At most 20 identity providers, each issuer once, each with exactly one source of keys. */
function readIdentityProviders(r: FieldReader): WorldIdentityProvider[] {
  const issuers = new Map<string, string>();
  return r.entries('identityProviders', MAX_IDENTITY_PROVIDERS, (value, path) => {
    const checked = r.objectAt(path, value, false, readIdentityProvider);
    if (checked === null) return null;
    if (checked.keySources !== 1) {
      r.fail(path, `must give exactly one of jwksUrl and publicKeys, got ${checked.keySources === 0 ? 'neither' : 'both'}`);
    }
    if (checked.issuer !== null) {
      const earlier = issuers.get(checked.issuer);
      if (earlier !== undefined) return r.fail(`${path}.issuer`, `duplicate of ${earlier}.issuer (one entry per issuer)`);
      issuers.set(checked.issuer, path);
    }
    return checked.value;
  });
}

function readTrust(r: FieldReader): Checked<WorldTrust> {
  r.allowOnly(TRUST_FIELDS);
  const party = r.string('party', PARTY_RULE);
  const requireDpop = r.optionalBoolean('requireDpop', false);
  const identityProviders = readIdentityProviders(r);
  const value: WorldTrust | null = party !== null ? { party, requireDpop, identityProviders } : null;
  return { value, key: party, keyField: 'party', references: referencesTo('parties', [{ value: party, path: 'party' }]) };
}

// ---------------------------------------------------------------------------
// Collections and the whole file

/** Collects problems, stamping each with the file name. */
class ProblemList {
  readonly items: ImportProblem[] = [];
  constructor(private readonly file: string) {}

  add(collection: string, index: number | null, id: string | null, field: string, message: string): void {
    this.items.push({ file: this.file, collection, index, id, field, message });
  }

  /** Sorted: root first, then collections in file order, then record index; stable otherwise. */
  sorted(): ImportProblem[] {
    const rank = (p: ImportProblem): number => COLLECTIONS.indexOf(p.collection as CollectionName);
    return [...this.items].sort((a, b) => rank(a) - rank(b) || (a.index ?? -1) - (b.index ?? -1));
  }
}

/** The entries of one top-level collection (missing = empty; anything but an array is a problem). */
function collectionEntries(input: Record<string, unknown>, name: CollectionName, problems: ProblemList): unknown[] {
  const value = Object.hasOwn(input, name) ? input[name] : undefined;
  if (value === undefined) return [];
  if (Array.isArray(value)) return Array.from(value);
  problems.add(name, null, null, '(collection)', `must be an array, got ${describe(value)}`);
  return [];
}

/**
 * Reads each record of a collection with `read`. A record's own problems are reported
 * with its index and (once read) its key as id.
 */
function readCollection<C extends Checked<unknown>>(
  entries: unknown[],
  name: CollectionName,
  problems: ProblemList,
  read: (reader: FieldReader) => C,
): Located<C>[] {
  const out: Located<C>[] = [];
  entries.forEach((record, index) => {
    if (!isPlainObject(record)) {
      problems.add(name, index, null, '(record)', `must be an object, got ${describe(record)}`);
      return;
    }
    const own: { field: string; message: string }[] = [];
    const checked = read(new FieldReader(record, (field, message) => own.push({ field, message })));
    for (const p of own) problems.add(name, index, checked.key, p.field, p.message);
    out.push({ index, checked });
  });
  return out;
}

/** Reports every record whose key repeats an earlier record's key. */
function checkDuplicates(name: CollectionName, records: Located<Checked<unknown>>[], problems: ProblemList): void {
  const first = new Map<string, number>();
  for (const { index, checked } of records) {
    if (checked.key === null) continue;
    const earlier = first.get(checked.key);
    if (earlier === undefined) first.set(checked.key, index);
    else problems.add(name, index, checked.key, checked.keyField, `duplicate of ${name}[${earlier}] (${checked.key})`);
  }
}

/** Keys present in the file plus those already stored, per referenced collection. */
type KnownIds = Record<Reference['to'], ReadonlySet<string>>;

function knownIds(records: Record<Reference['to'], Located<Checked<unknown>>[]>, existing: ExistingIds | undefined): KnownIds {
  const ids = (to: Reference['to']): Set<string> => {
    const set = new Set<string>(existing?.[to] ?? []);
    for (const { checked } of records[to]) if (checked.key !== null) set.add(checked.key);
    return set;
  };
  return { parties: ids('parties'), agreements: ids('agreements'), migrants: ids('migrants') };
}

const REFERENCE_NOUN: Record<Reference['to'], string> = { parties: 'party', agreements: 'agreement', migrants: 'migrant' };

/** Reports references to records that are neither in the file nor stored. */
function checkReferences(name: CollectionName, records: Located<Checked<unknown>>[], known: KnownIds, problems: ProblemList): void {
  for (const { index, checked } of records) {
    for (const ref of checked.references) {
      if (!known[ref.to].has(ref.id)) {
        problems.add(name, index, checked.key, ref.field, `unknown ${REFERENCE_NOUN[ref.to]} ${ref.id} (not in this file nor stored)`);
      }
    }
  }
}

/**
 * A request's parties must be parties to its agreement, and its purpose granted there
 * (when the agreement is in the file). A party that is unknown altogether was reported already.
 */
function checkRequestsAgainstAgreements(
  requests: Located<CheckedRequest>[],
  agreements: Located<CheckedAgreement>[],
  known: KnownIds,
  problems: ProblemList,
): void {
  const byId = new Map<string, CheckedAgreement>();
  for (const { checked } of agreements) if (checked.key !== null && !byId.has(checked.key)) byId.set(checked.key, checked);
  for (const { index, checked: r } of requests) {
    const agreement = r.agreementId === null ? undefined : byId.get(r.agreementId);
    if (!agreement) continue;
    for (const field of ['requestingParty', 'requestedParty'] as const) {
      const code = r[field];
      if (code !== null && known.parties.has(code) && !agreement.parties.includes(code)) problems.add('dataRequests', index, r.key, field, `${code} is not a party to ${r.agreementId}`);
    }
    if (r.purpose !== null && !agreement.purposes.includes(r.purpose)) {
      problems.add('dataRequests', index, r.key, 'purpose', `${r.agreementId} has no grant for ${r.purpose}`);
    }
  }
}

/** The checked records, when all of them were complete. */
function valuesOf<T>(records: Located<Checked<T>>[]): T[] {
  return records.flatMap(({ checked }) => (checked.value === null ? [] : [checked.value]));
}

/**
 * Validates `input` (parsed JSON) as a world. `file` names it in every problem.
 * References may point at records in the file or in `options.existing`.
 */
export function validateWorld(input: unknown, file: string, options: ValidateOptions = {}): ValidationResult {
  const problems = new ProblemList(file);
  if (!isPlainObject(input)) {
    problems.add('(root)', null, null, '(root)', `must be an object with ${COLLECTIONS.join(', ')}, got ${describe(input)}`);
    return { ok: false, problems: problems.items };
  }
  for (const key of Object.keys(input)) {
    if (!(COLLECTIONS as readonly string[]).includes(key)) problems.add('(root)', null, null, key, `unknown top-level key (expected ${COLLECTIONS.join(', ')})`);
  }
  const latestYear = (options.now ?? new Date()).getUTCFullYear();
  const entries = (name: CollectionName): unknown[] => collectionEntries(input, name, problems);
  const parties = readCollection(entries('parties'), 'parties', problems, readParty);
  const agreements = readCollection(entries('agreements'), 'agreements', problems, readAgreement);
  const migrants = readCollection(entries('migrants'), 'migrants', problems, (r) => readMigrant(r, latestYear));
  const dataRequests = readCollection(entries('dataRequests'), 'dataRequests', problems, readDataRequest);
  const consents = readCollection(entries('consents'), 'consents', problems, readConsent);
  const trust = readCollection(entries('trust'), 'trust', problems, readTrust);

  const all = { parties, agreements, migrants, dataRequests, consents, trust };
  const known = knownIds(all, options.existing);
  for (const name of COLLECTIONS) {
    checkDuplicates(name, all[name], problems);
    checkReferences(name, all[name], known, problems);
  }
  checkRequestsAgainstAgreements(dataRequests, agreements, known, problems);

  if (problems.items.length > 0) return { ok: false, problems: problems.sorted() };
  return {
    ok: true,
    world: {
      parties: valuesOf(parties),
      agreements: valuesOf(agreements),
      migrants: valuesOf(migrants),
      dataRequests: valuesOf(dataRequests),
      consents: valuesOf(consents),
      trust: valuesOf(trust),
    },
  };
}

/** One line per problem: `<file>: migrants[3] (id m-0004) field dateOfBirth: <message>`. */
export function formatProblems(problems: readonly ImportProblem[]): string {
  return problems.map(formatProblem).join('\n');
}

function formatProblem(p: ImportProblem): string {
  const where = p.index === null ? p.collection : `${p.collection}[${p.index}]`;
  const id = p.id === null ? '' : ` (id ${printable(p.id)})`;
  // Keys, ids and file names come from the file: no control character reaches a terminal.
  return `${printable(p.file)}: ${printable(where)}${id} field ${printable(p.field)}: ${printable(p.message)}`;
}

/** Text for a terminal: control characters (escape sequences, line breaks, NUL) as \\u escapes. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
