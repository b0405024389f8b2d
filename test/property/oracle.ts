/**
 * An independent oracle of what the gateway must disclose, written from the public
 * contract (docs/api.md, the contract: sections 1, 3, 4 and 5) and nothing else: it imports
 * none of the project's code (no src/policy, src/context, directives), reads the world
 * from the fixture JSON itself and encodes the annotation table of section 4 as data.
 *
 * Given a caller context (party, clearance, agreement, purpose, optional
 * X-Data-Request-Id, today) it answers:
 *   - whether the request is refused, and with which code (rule 1, section 5);
 *   - which records are returned (row scope, retention), by internal id;
 *   - for each returned record and each selected field, the exact expected JSON value:
 *     the disclosed value, its minimised form, or null.
 *
 * Where the contract leaves something open, the choice made here is stated next to it.
 */
import { readFileSync } from 'node:fs';

// ---------------------------------------------------------------------------------
// The world (import format of contract section 6)
// ---------------------------------------------------------------------------------

export type Purpose =
  | 'BORDER_CONTROL'
  | 'LAW_ENFORCEMENT'
  | 'ANTI_TRAFFICKING'
  | 'ASYLUM_PROCESSING'
  | 'FAMILY_REUNIFICATION'
  | 'SERVICE_DELIVERY'
  | 'RETURN_AND_READMISSION'
  | 'STATISTICS';
export type DataCategory = 'IDENTITY' | 'NATIONALITY' | 'CONTACT_LOCATION' | 'TRAVEL_DOCUMENT' | 'IMMIGRATION_STATUS' | 'FAMILY' | 'CASE_HISTORY';
export type SpecialCategory = 'BIOMETRIC' | 'HEALTH' | 'ETHNIC_ORIGIN' | 'RELIGION' | 'CRIMINAL_RECORD' | 'VICTIM_STATUS';
export type AccessLevel = 'NONE' | 'AGGREGATE' | 'MINIMISED' | 'FULL';
export type Clearance = 'STANDARD' | 'ELEVATED' | 'SPECIAL';
export type MinimiseStrategy = 'YEAR' | 'YEAR_MONTH' | 'INITIAL' | 'LAST_FOUR';
export type SubjectScope = 'ALL_HELD_BY_PARTIES' | 'NATIONALS_OF_PARTIES' | 'REQUESTED_ONLY';

export const PURPOSES: readonly Purpose[] = [
  'BORDER_CONTROL',
  'LAW_ENFORCEMENT',
  'ANTI_TRAFFICKING',
  'ASYLUM_PROCESSING',
  'FAMILY_REUNIFICATION',
  'SERVICE_DELIVERY',
  'RETURN_AND_READMISSION',
  'STATISTICS',
];
export const CLEARANCES: readonly Clearance[] = ['STANDARD', 'ELEVATED', 'SPECIAL'];

export interface WorldParty {
  code: string;
  name: string;
  kind: string;
}
export interface WorldGrant {
  purpose: Purpose;
  subjectScope: SubjectScope;
  categories: Partial<Record<DataCategory, AccessLevel>>;
  specialCategories: SpecialCategory[];
}
export interface WorldAgreement {
  id: string;
  parties: string[];
  status: string;
  effectiveFrom: string;
  expiresOn: string | null;
  retentionDays: number;
  grants: WorldGrant[];
}
/** A migrant record: the keys of the import format, values as JSON. */
export type WorldMigrant = { id: string; holder: string; recordedAt: string; nationality: string | null; familyIds: string[] } & Record<string, unknown>;
export interface WorldDataRequest {
  id: string;
  agreementId: string;
  requestingParty: string;
  requestedParty: string;
  purpose: Purpose;
  subjectIds: string[];
  categories: DataCategory[];
  status: string;
  validUntil: string | null;
}
export interface WorldConsent {
  migrantId: string;
  purpose: Purpose;
  givenAt: string;
  withdrawnAt: string | null;
}
export interface World {
  parties: WorldParty[];
  agreements: WorldAgreement[];
  migrants: WorldMigrant[];
  dataRequests: WorldDataRequest[];
  consents: WorldConsent[];
}

/** Reads a world file (contract section 6) as it is. */
export function loadWorld(path: string): World {
  return JSON.parse(readFileSync(path, 'utf8')) as World;
}

// ---------------------------------------------------------------------------------
// The annotation table (contract section 4, schema/migrant.graphql)
// ---------------------------------------------------------------------------------

/** The privacy directives of one field; an empty object is an unannotated field. */
export interface Annotation {
  /** `@purpose(category:)` */
  category?: DataCategory;
  /** `@purpose(allow:)` */
  allow?: readonly Purpose[];
  /** `@minimise(strategy:)` */
  minimise?: MinimiseStrategy;
  /** `@sensitive(category:, clearance: = SPECIAL, consent: = false)` */
  sensitive?: { category: SpecialCategory; clearance: Clearance; consent: boolean };
}

/** How a field's value is shaped: a leaf, or objects of a named type (one or a list). */
export interface FieldSpec {
  annotation: Annotation;
  /** Leaf when absent. */
  type?: 'Migrant' | 'Party' | 'Address' | 'TravelDocument' | 'Biometrics' | 'HealthRecord' | 'CriminalRecord' | 'Conviction' | 'VictimStatus' | 'DataRequest';
}

const sensitive = (category: SpecialCategory, clearance: Clearance = 'SPECIAL', consent = false): Annotation['sensitive'] => ({ category, clearance, consent });

/** Field specs by type name. Fields not listed here are not selected by the property. */
export const TYPES: Readonly<Record<NonNullable<FieldSpec['type']>, Readonly<Record<string, FieldSpec>>>> = {
  Migrant: {
    holder: { annotation: {}, type: 'Party' },
    givenName: { annotation: { category: 'IDENTITY', minimise: 'INITIAL' } },
    familyName: { annotation: { category: 'IDENTITY', minimise: 'INITIAL' } },
    dateOfBirth: { annotation: { category: 'IDENTITY', minimise: 'YEAR' } },
    sex: { annotation: { category: 'IDENTITY' } },
    placeOfBirth: { annotation: { category: 'IDENTITY' } },
    nationality: { annotation: { category: 'NATIONALITY' } },
    address: { annotation: { category: 'CONTACT_LOCATION' }, type: 'Address' },
    documents: { annotation: { category: 'TRAVEL_DOCUMENT' }, type: 'TravelDocument' },
    legalStatus: { annotation: { category: 'IMMIGRATION_STATUS' } },
    arrivalDate: { annotation: { category: 'IMMIGRATION_STATUS', minimise: 'YEAR_MONTH' } },
    family: { annotation: { category: 'FAMILY' }, type: 'Migrant' },
    requests: { annotation: { category: 'CASE_HISTORY' }, type: 'DataRequest' },
    biometrics: { annotation: { sensitive: sensitive('BIOMETRIC') }, type: 'Biometrics' },
    health: { annotation: { sensitive: sensitive('HEALTH', 'ELEVATED', true) }, type: 'HealthRecord' },
    ethnicOrigin: { annotation: { sensitive: sensitive('ETHNIC_ORIGIN') } },
    religion: { annotation: { sensitive: sensitive('RELIGION') } },
    criminalRecord: { annotation: { sensitive: sensitive('CRIMINAL_RECORD', 'ELEVATED') }, type: 'CriminalRecord' },
    victimStatus: {
      annotation: { sensitive: sensitive('VICTIM_STATUS'), allow: ['ANTI_TRAFFICKING', 'SERVICE_DELIVERY', 'STATISTICS'] },
      type: 'VictimStatus',
    },
  },
  Party: { code: { annotation: {} }, name: { annotation: {} }, kind: { annotation: {} } },
  Address: {
    line1: { annotation: { category: 'CONTACT_LOCATION' } },
    city: { annotation: { category: 'CONTACT_LOCATION' } },
    region: { annotation: { category: 'CONTACT_LOCATION' } },
    postalCode: { annotation: { category: 'CONTACT_LOCATION' } },
    country: { annotation: {} },
  },
  TravelDocument: {
    type: { annotation: {} },
    number: { annotation: { category: 'TRAVEL_DOCUMENT', minimise: 'LAST_FOUR' } },
    issuingCountry: { annotation: {} },
    expiresOn: { annotation: { category: 'TRAVEL_DOCUMENT', minimise: 'YEAR_MONTH' } },
  },
  Biometrics: { fingerprintTemplate: { annotation: {} }, faceTemplate: { annotation: {} } },
  HealthRecord: { conditions: { annotation: {} }, vulnerabilities: { annotation: {} } },
  CriminalRecord: { convictions: { annotation: {}, type: 'Conviction' } },
  Conviction: { offence: { annotation: {} }, year: { annotation: {} }, country: { annotation: {} } },
  VictimStatus: { status: { annotation: {} }, identifiedOn: { annotation: {} }, exploitationType: { annotation: {} } },
  DataRequest: { id: { annotation: {} } },
};

/** A selection set: a leaf field maps to `true`, an object field to its own selection. */
export interface Selection {
  [field: string]: true | Selection;
}

// ---------------------------------------------------------------------------------
// Rule 1: the treaty context
// ---------------------------------------------------------------------------------

export interface CallerContext {
  party: string;
  clearance: Clearance;
  agreementId: string;
  purpose: Purpose;
  dataRequestId?: string | undefined;
  /** `YYYY-MM-DD`, the gateway's UTC calendar day. */
  today: string;
}

export type RefusalCode = 'AGREEMENT_NOT_FOUND' | 'NOT_A_PARTY' | 'AGREEMENT_NOT_IN_FORCE' | 'PURPOSE_NOT_GRANTED' | 'DATA_REQUEST_INVALID' | 'RECORD_ACCESS_NOT_GRANTED';

export interface Granted {
  refused: false;
  caller: CallerContext;
  agreement: WorldAgreement;
  grant: WorldGrant;
  /** The valid request named in X-Data-Request-Id, or null when none is named. */
  dataRequest: WorldDataRequest | null;
  /** Internal ids of the records returned, in fixture order. */
  scope: string[];
}
export type Verdict = { refused: true; code: RefusalCode } | Granted;

/**
 * Rule 1 and the header checks of sections 1 and 5, for a read of records (`migrants`).
 * The contract lists the reasons but not their precedence; the order here is: unknown
 * agreement, caller not a party (a non-party learns nothing about the agreement's status
 * or grants), not in force, purpose without a grant, then a named data request that is
 * not usable (unknown, not under this agreement, purpose or caller's party, not APPROVED,
 * or expired: the README's "an approved data request of the caller's party under this
 * agreement and purpose"), then an aggregate-only grant (section 5: "every read that
 * returns a record or a pseudonym is refused with RECORD_ACCESS_NOT_GRANTED").
 */
export function decideContext(world: World, caller: CallerContext): Verdict {
  const agreement = world.agreements.find((a) => a.id === caller.agreementId);
  if (!agreement) return { refused: true, code: 'AGREEMENT_NOT_FOUND' };
  if (!agreement.parties.includes(caller.party)) return { refused: true, code: 'NOT_A_PARTY' };
  if (!inForce(agreement, caller.today)) return { refused: true, code: 'AGREEMENT_NOT_IN_FORCE' };
  const grant = agreement.grants.find((g) => g.purpose === caller.purpose);
  if (!grant) return { refused: true, code: 'PURPOSE_NOT_GRANTED' };
  let dataRequest: WorldDataRequest | null = null;
  if (caller.dataRequestId !== undefined) {
    const named = world.dataRequests.find((r) => r.id === caller.dataRequestId);
    if (!named || !requestWidens(named, agreement.id, caller.purpose, caller.party, caller.today)) return { refused: true, code: 'DATA_REQUEST_INVALID' };
    dataRequest = named;
  }
  if (aggregateOnly(grant)) return { refused: true, code: 'RECORD_ACCESS_NOT_GRANTED' };
  const scope = world.migrants.filter((m) => inRowScope(world, agreement, grant, caller, m)).map((m) => m.id);
  return { refused: false, caller, agreement, grant, dataRequest, scope };
}

/**
 * Section 5: an aggregate-only grant has no category above AGGREGATE. The contract adds
 * "no special category"; the API reference (docs/api.md, "Aggregate-only grants") drops
 * that condition, failing closed: a special category listed in such a grant is for
 * counting only. So here: every listed category at NONE or AGGREGATE (a category not
 * listed is NONE), whatever the special categories.
 */
export function aggregateOnly(grant: WorldGrant): boolean {
  return Object.values(grant.categories).every((level) => level === 'NONE' || level === 'AGGREGATE');
}

/** In force: status IN_FORCE and effectiveFrom <= today <= expiresOn (both inclusive, null open-ended). */
export function inForce(agreement: WorldAgreement, today: string): boolean {
  return agreement.status === 'IN_FORCE' && agreement.effectiveFrom <= today && (agreement.expiresOn === null || today <= agreement.expiresOn);
}

/** An APPROVED, unexpired (validUntil not passed) request of `party` under this agreement and purpose. */
function requestWidens(request: WorldDataRequest, agreementId: string, purpose: Purpose, party: string, today: string): boolean {
  return (
    request.agreementId === agreementId &&
    request.purpose === purpose &&
    request.requestingParty === party &&
    request.status === 'APPROVED' &&
    request.validUntil !== null &&
    today <= request.validUntil
  );
}

// ---------------------------------------------------------------------------------
// Row scope (section 3, last paragraph)
// ---------------------------------------------------------------------------------

function inRowScope(world: World, agreement: WorldAgreement, grant: WorldGrant, caller: CallerContext, migrant: WorldMigrant): boolean {
  if (!agreement.parties.includes(migrant.holder)) return false;
  // "older than its retentionDays (counted from the record's recordedAt to today)": a
  // record exactly retentionDays old is not older, so it is kept; a record dated after
  // today is not old at all.
  if (daysBetween(migrant.recordedAt, caller.today) > agreement.retentionDays) return false;
  switch (grant.subjectScope) {
    case 'ALL_HELD_BY_PARTIES':
      return true;
    case 'NATIONALS_OF_PARTIES':
      return migrant.nationality !== null && agreement.parties.includes(migrant.nationality);
    case 'REQUESTED_ONLY':
      // Named in X-Data-Request-Id or not.
      return world.dataRequests.some(
        (r) => requestWidens(r, agreement.id, grant.purpose, caller.party, caller.today) && r.subjectIds.includes(migrant.id),
      );
    default: {
      const never: never = grant.subjectScope;
      throw new Error(`unknown subject scope ${String(never)}`);
    }
  }
}

/** Whole days from `from` to `to` (ISO dates, UTC). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

// ---------------------------------------------------------------------------------
// Rules 2 to 4: one field of one record
// ---------------------------------------------------------------------------------

export type FieldDecision =
  | { action: 'DISCLOSE' }
  | { action: 'MINIMISE'; strategy: MinimiseStrategy }
  | { action: 'REDACT'; reason: 'PURPOSE_NOT_ALLOWED_FOR_FIELD' | 'SPECIAL_CATEGORY_NOT_COVERED' | 'INSUFFICIENT_CLEARANCE' | 'CONSENT_MISSING' | 'MINIMISATION_UNAVAILABLE' | 'CATEGORY_NOT_GRANTED' };

const LEVELS: readonly AccessLevel[] = ['NONE', 'AGGREGATE', 'MINIMISED', 'FULL'];

/**
 * The decision for one field of the record `subjectId` (the Migrant the field belongs to,
 * or that the nested object belongs to). For an object-typed field, DISCLOSE means "resolve
 * the object(s)", and MINIMISE cannot occur: at MINIMISED the objects resolve too, and
 * each field inside is decided by its own annotation.
 */
export function decideField(world: World, ctx: Granted, annotation: Annotation, subjectId: string, objectTyped: boolean): FieldDecision {
  const { caller, grant } = ctx;
  // Rule 2.
  if (annotation.allow && !annotation.allow.includes(caller.purpose)) return { action: 'REDACT', reason: 'PURPOSE_NOT_ALLOWED_FOR_FIELD' };
  // Rule 3: whole or nothing, never minimised, never widened by a data request.
  if (annotation.sensitive) {
    const s = annotation.sensitive;
    if (!grant.specialCategories.includes(s.category)) return { action: 'REDACT', reason: 'SPECIAL_CATEGORY_NOT_COVERED' };
    if (CLEARANCES.indexOf(caller.clearance) < CLEARANCES.indexOf(s.clearance)) return { action: 'REDACT', reason: 'INSUFFICIENT_CLEARANCE' };
    if (s.consent && !hasActiveConsent(world, subjectId, caller.purpose, caller.today)) return { action: 'REDACT', reason: 'CONSENT_MISSING' };
    return { action: 'DISCLOSE' };
  }
  // Rule 4.
  if (annotation.category) {
    let level: AccessLevel = grant.categories[annotation.category] ?? 'NONE';
    const request = ctx.dataRequest;
    if (request && request.subjectIds.includes(subjectId) && request.categories.includes(annotation.category)) level = 'FULL';
    if (level === 'FULL') return { action: 'DISCLOSE' };
    if (level === 'MINIMISED') {
      if (objectTyped) return { action: 'DISCLOSE' };
      return annotation.minimise ? { action: 'MINIMISE', strategy: annotation.minimise } : { action: 'REDACT', reason: 'MINIMISATION_UNAVAILABLE' };
    }
    if (!LEVELS.includes(level)) throw new Error(`unknown access level ${level}`);
    return { action: 'REDACT', reason: 'CATEGORY_NOT_GRANTED' };
  }
  // `@purpose(allow:)` alone, or unannotated: disclosed.
  return { action: 'DISCLOSE' };
}

/** Given on or before today and not withdrawn on or before today, for this purpose. */
function hasActiveConsent(world: World, migrantId: string, purpose: Purpose, today: string): boolean {
  return world.consents.some((c) => c.migrantId === migrantId && c.purpose === purpose && c.givenAt <= today && (c.withdrawnAt === null || c.withdrawnAt > today));
}

/** The minimised forms of section 3. */
export function minimise(strategy: MinimiseStrategy, value: string): string {
  switch (strategy) {
    case 'YEAR':
      return value.slice(0, 4);
    case 'YEAR_MONTH':
      return value.slice(0, 7);
    case 'INITIAL':
      return `${[...value][0] ?? ''}.`;
    case 'LAST_FOUR':
      return `****${value.slice(-4)}`;
    default: {
      const never: never = strategy;
      throw new Error(`unknown strategy ${String(never)}`);
    }
  }
}

// ---------------------------------------------------------------------------------
// Expected values
// ---------------------------------------------------------------------------------

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Counts of decisions taken while computing expectations (for coverage statistics). */
export type DecisionTally = Record<string, number>;

/**
 * The expected JSON of one returned record for `selection` (without `id`, a pseudonym
 * the oracle does not know).
 */
export function expectedMigrant(world: World, ctx: Granted, migrantId: string, selection: Selection, tally?: DecisionTally): { [key: string]: Json } {
  const migrant = world.migrants.find((m) => m.id === migrantId);
  if (!migrant) throw new Error(`no migrant ${migrantId}`);
  return expectedObject(world, ctx, 'Migrant', migrant, migrantId, selection, tally);
}

function expectedObject(
  world: World,
  ctx: Granted,
  typeName: NonNullable<FieldSpec['type']>,
  source: Record<string, unknown>,
  subjectId: string,
  selection: Selection,
  tally: DecisionTally | undefined,
): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const [field, sub] of Object.entries(selection)) {
    const spec = TYPES[typeName][field];
    if (!spec) throw new Error(`oracle: ${typeName}.${field} is not modelled`);
    const decision = decideField(world, ctx, spec.annotation, subjectId, spec.type !== undefined);
    if (tally) {
      const key = `${typeName}.${field}:${decision.action}${decision.action === 'REDACT' ? `:${decision.reason}` : ''}`;
      tally[key] = (tally[key] ?? 0) + 1;
    }
    if (decision.action === 'REDACT') {
      out[field] = null;
      continue;
    }
    const raw = rawValue(world, ctx, typeName, source, field);
    if (decision.action === 'MINIMISE') {
      out[field] = raw === null || raw === undefined ? null : minimise(decision.strategy, String(raw));
      continue;
    }
    if (spec.type === undefined) {
      if (sub !== true) throw new Error(`oracle: ${typeName}.${field} is a leaf`);
      out[field] = (raw ?? null) as Json;
      continue;
    }
    if (sub === true) throw new Error(`oracle: ${typeName}.${field} needs a selection`);
    const objectType = spec.type;
    // Nested objects belong to the same subject, except family members: their own fields
    // are decided for them (consent, data-request subjects).
    const subjectOf = (value: Record<string, unknown>): string => (objectType === 'Migrant' ? String(value['id']) : subjectId);
    if (raw === null || raw === undefined) out[field] = null;
    else if (Array.isArray(raw)) out[field] = raw.map((item: Record<string, unknown>) => expectedObject(world, ctx, objectType, item, subjectOf(item), sub, tally));
    else out[field] = expectedObject(world, ctx, objectType, raw as Record<string, unknown>, subjectOf(raw as Record<string, unknown>), sub, tally);
  }
  return out;
}

/** The stored value of a field, with references resolved as the schema presents them. */
function rawValue(world: World, ctx: Granted, typeName: string, source: Record<string, unknown>, field: string): unknown {
  if (typeName === 'Migrant') {
    if (field === 'holder') return world.parties.find((p) => p.code === source['holder']) ?? null;
    // "Family members on record, each within the same agreement's scope": the members of
    // familyIds that are in this context's row scope, in familyIds order.
    if (field === 'family') return (source['familyIds'] as string[]).filter((id) => ctx.scope.includes(id)).map((id) => world.migrants.find((m) => m.id === id)!);
    // "Data requests that name this person under the current agreement", as far as the
    // caller's party made or received them (Query.dataRequest's rule).
    if (field === 'requests') {
      return world.dataRequests.filter(
        (r) =>
          r.agreementId === ctx.agreement.id &&
          r.subjectIds.includes(String(source['id'])) &&
          (r.requestingParty === ctx.caller.party || r.requestedParty === ctx.caller.party),
      );
    }
  }
  return source[field];
}

/**
 * Every string value held anywhere in a migrant record (all fields but the internal id,
 * holder, recordedAt and familyIds): the candidates for the leak scan.
 */
export function stringLeaves(migrant: WorldMigrant): string[] {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  for (const [key, value] of Object.entries(migrant)) {
    if (key === 'id' || key === 'holder' || key === 'recordedAt' || key === 'familyIds') continue;
    walk(value);
  }
  return out;
}

/** Every string inside a JSON value. */
export function jsonStrings(value: Json | undefined, into: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) value.forEach((v) => jsonStrings(v, into));
  else if (value !== null && typeof value === 'object') Object.values(value).forEach((v) => jsonStrings(v, into));
  return into;
}
