/**
 * Mutations: data requests (a state machine enforced by atomic conditional updates) and
 * consent. Permissions follow contract section 7; every input is validated; a refused
 * mutation changes nothing. Every one names or returns records (pseudonyms, request
 * subjects, consents): none runs under an aggregate-only grant (`requireRecordAccess`).
 */
import { randomUUID } from 'node:crypto';
import { activeConsents, forgetConsentPurpose, insertConsent, refreshConsentSummary, withdrawConsents } from '../data/consents';
import { insertRequest, transitionPending } from '../data/dataRequests';
import type { ConsentDoc, DataRequestDoc } from '../data/documents';
import { consentId, fromMigrantDoc, toMigrantDoc } from '../world/importWorld';
import { eraseMigrantRecord, findLiveMigrant, findLiveMigrants, rectifyMigrantRecord, type MigrantCorrection } from '../data/migrants';
import { changedCoordinates, recordedCoordinates } from '../data/recordChanges';
import { validateMigrant, type FieldProblem } from '../world/validateWorld';
import type { WorldMigrant } from '../data/world';
import { TRANSITIONS } from '../policy/dataRequests';
import { PERMISSIONS, mayAttempt, permitted, type GuardedOperation } from '../policy/permissions';
import { addDays, parseIsoDate, startOfUtcDay, toIsoDate } from '../policy/calendar';
import type { DataCategory } from '../policy/taxonomy';
import type { MigrantPatch, MutationResolvers } from '../generated/resolvers-types';
import { gatewayError } from '../context/errors';
import { requireRecordAccess, type GatewayContext, type TreatyRequestContext } from '../context/GatewayContext';

const MAX_SUBJECTS = 100;
const DEFAULT_VALID_DAYS = 90;

export const Mutation: MutationResolvers = {
  submitDataRequest: async (_parent, { input }, context) => {
    const { treaty, ledger } = requireRecordAccess(context, 'submitDataRequest');
    const { agreement } = treaty;
    const party = context.caller.party;
    if (input.agreementId !== agreement._id) throw bad('`agreementId` must be the agreement in X-Agreement-Id.');
    if (!agreement.parties.includes(input.requestedParty) || input.requestedParty === party) {
      throw bad('`requestedParty` must be another party to the agreement.');
    }
    const grant = agreement.grants.find((g) => g.purpose === input.purpose);
    if (!grant) throw gatewayError('PURPOSE_NOT_GRANTED', 'The agreement grants nothing for this purpose.');
    const categories = uniqueCategories(input.categories);
    const notGranted = categories.filter((c) => (grant.categories[c] ?? 'NONE') === 'NONE');
    if (notGranted.length > 0) throw bad(`The grant for ${input.purpose} does not list: ${notGranted.join(', ')}.`);
    const justification = text(input.justification, 'justification', 2_000);
    const validDays = input.validDays ?? DEFAULT_VALID_DAYS;
    if (!Number.isInteger(validDays) || validDays < 1 || validDays > 3_650) throw bad('`validDays` must be from 1 to 3650.');
    const subjectIds = await subjectsOf(input.subjectIds, input.requestedParty, context);
    const request: DataRequestDoc = {
      _id: `req-${randomUUID()}`,
      agreementId: agreement._id,
      requestingParty: party,
      requestedParty: input.requestedParty,
      purpose: input.purpose,
      subjectIds,
      categories,
      justification,
      status: 'PENDING',
      submittedAt: startOfUtcDay(context.now),
      decidedAt: null,
      validUntil: null,
      decisionNote: null,
      requestedValidDays: validDays,
    };
    await insertRequest(context.collections, request);
    ledger.noteSubjects(subjectIds);
    return request;
  },

  decideDataRequest: async (_parent, { id, decision, categories, validUntil, note }, context) => {
    const granted = requireRecordAccess(context, 'decideDataRequest');
    const { loaders } = granted;
    const verdict = permitted('decideDataRequest', context.caller.roles);
    if (!verdict.ok) throw gatewayError('FORBIDDEN', verdict.message);
    const request = await loaders.request.load(id);
    if (!request) throw bad('No such data request under this agreement.');
    if (request.requestedParty !== context.caller.party) throw gatewayError('FORBIDDEN', 'Only the requested party decides.');
    const today = startOfUtcDay(context.now);
    const decisionNote = note == null ? null : text(note, 'note', 2_000);
    let change: Parameters<typeof transitionPending>[3];
    if (decision === 'APPROVE') {
      const approved = categories == null ? request.categories : uniqueCategories(categories);
      const extra = approved.filter((c) => !request.categories.includes(c));
      if (extra.length > 0) throw bad(`An approval may grant only categories asked for; not asked: ${extra.join(', ')}.`);
      const until = validUntil == null ? addDays(today, request.requestedValidDays ?? DEFAULT_VALID_DAYS) : parseIsoDate(validUntil);
      if (!until || until.getTime() < today.getTime()) throw bad('`validUntil` must be a date YYYY-MM-DD, today or later.');
      change = { status: TRANSITIONS.APPROVE, categories: approved, validUntil: until, decidedAt: today, decisionNote };
    } else {
      if (categories != null || validUntil != null) throw bad('A denial takes no `categories` or `validUntil`.');
      change = { status: TRANSITIONS.DENY, decidedAt: today, decisionNote };
    }
    return settle(granted, request, change, { requestedParty: context.caller.party });
  },

  withdrawDataRequest: async (_parent, { id }, context) => {
    const granted = requireRecordAccess(context, 'withdrawDataRequest');
    const request = await granted.loaders.request.load(id);
    if (!request) throw bad('No such data request under this agreement.');
    if (request.requestingParty !== context.caller.party) throw gatewayError('FORBIDDEN', 'Only the requesting party withdraws.');
    return settle(granted, request, { status: TRANSITIONS.WITHDRAW, decidedAt: startOfUtcDay(context.now) }, { requestingParty: context.caller.party });
  },

  recordConsent: async (_parent, { migrantId, purpose, evidence }, context) => {
    const { id, ledger } = await ownRecord(migrantId, context, 'recordConsent');
    const reference = text(evidence, 'evidence', 500);
    const today = startOfUtcDay(context.now);
    ledger.noteSubjects([id]);
    const stored = await storeConsent(context, { migrantId: id, purpose, givenAt: today, withdrawnAt: null, evidence: reference });
    // Stored first, then summarised with the record (src/data/consents.ts): in between, the
    // consent is not yet taken into account (withheld, never disclosed too early).
    await refreshConsentSummary(context.collections, id);
    return stored;
  },

  rectifyMigrant: async (_parent, { id, patch }, context) => {
    const { id: internalId, ledger, loaders } = await ownRecord(id, context, 'rectifyMigrant');
    if (Object.keys(patch).length === 0) throw bad('`patch` changes nothing.');
    const current = await findLiveMigrant(context.collections, internalId, {});
    if (!current || current.holder !== context.caller.party) throw bad('No such record under this agreement.');
    const before = fromMigrantDoc(current);
    const after = await correctedRecord(before, patch, context);
    const changed = changedCoordinates(before, after);
    const next = toMigrantDoc(after);
    const correction: MigrantCorrection = {};
    for (const field of Object.keys(patch) as (keyof MigrantPatch)[]) Object.assign(correction, { [field]: next[field] });
    if (!(await rectifyMigrantRecord(context.collections, internalId, context.caller.party, correction, current))) {
      const still = await findLiveMigrant(context.collections, internalId, { _id: 1 });
      throw bad(still ? 'The record changed while it was being corrected; read it and correct it again.' : 'No such record under this agreement.');
    }
    ledger.noteChange({ subjectId: internalId, kind: 'RECTIFIED', coordinates: changed });
    loaders.migrant.clear(internalId);
    const corrected = await loaders.migrant.load(internalId);
    // The record as this context may see it: returned (and so disclosed) only when in scope.
    ledger.noteRecords(corrected ? [corrected._id] : []);
    return corrected;
  },

  eraseMigrant: async (_parent, { id, reason }, context) => {
    const { id: internalId, ledger, loaders } = await ownRecord(id, context, 'eraseMigrant');
    const why = text(reason, 'reason', 500);
    const current = await findLiveMigrant(context.collections, internalId, {});
    if (!current || !(await eraseMigrantRecord(context.collections, internalId, context.caller.party, why, context.now))) {
      throw bad('No such record under this agreement.');
    }
    ledger.noteChange({ subjectId: internalId, kind: 'ERASED', coordinates: recordedCoordinates(fromMigrantDoc(current)) });
    loaders.migrant.clear(internalId);
    return true;
  },

  withdrawConsent: async (_parent, { migrantId, purpose }, context) => {
    const { id, ledger } = await ownRecord(migrantId, context, 'withdrawConsent');
    ledger.noteSubjects([id]);
    // Out of the record's summary first: from now on the purpose is withheld, whatever
    // happens to the writes after this one.
    await forgetConsentPurpose(context.collections, id, purpose);
    const [withdrawn] = await withdrawConsents(context.collections, id, purpose, startOfUtcDay(context.now));
    await refreshConsentSummary(context.collections, id);
    if (!withdrawn) throw bad('The subject has no active consent for this purpose.');
    return withdrawn;
  },
};

/**
 * The subject's active consent for the purpose, or a new one given today. A consent given
 * and withdrawn earlier the same day keeps its record (the evidence of that withdrawal);
 * the new consent is a record of its own.
 */
async function storeConsent(context: GatewayContext, consent: Omit<ConsentDoc, '_id'>): Promise<ConsentDoc> {
  const [active] = await activeConsents(context.collections, consent.migrantId, consent.purpose);
  if (active) return active;
  const base = consentId(consent.migrantId, consent.purpose, toIsoDate(consent.givenAt));
  const stored = await insertConsent(context.collections, { _id: base, ...consent });
  if (stored.withdrawnAt === null) return stored;
  return insertConsent(context.collections, { _id: `${base}~${randomUUID()}`, ...consent });
}

/**
 * The record with `patch` applied, validated exactly as an import validates a record
 * (every problem named by its path, `patch.<field>`), and its family named by pseudonyms
 * of this agreement resolved to records that are not erased. Strings are trimmed first.
 */
async function correctedRecord(before: WorldMigrant, patch: MigrantPatch, context: GatewayContext): Promise<WorldMigrant> {
  const candidate: Record<string, unknown> = { ...before };
  const problems: FieldProblem[] = [];
  for (const [field, value] of Object.entries(trimmed(patch) as Record<string, unknown>)) {
    if (field === 'familyIds') continue;
    // A list given as null is emptied: the import format has no null list.
    candidate[field] = value === null && field === 'documents' ? [] : withNulls(field, value);
  }
  if (patch.familyIds !== undefined) candidate['familyIds'] = await familyOf(patch.familyIds ?? [], context, problems);
  const checked = validateMigrant(candidate, { now: context.now });
  if (!checked.ok) problems.push(...checked.problems);
  if (problems.length > 0 || !checked.ok) {
    const listed = problems.slice(0, 20).map((p) => `patch.${p.field}: ${p.message}`);
    throw bad(`The correction is not valid: ${listed.join('; ')}${problems.length > 20 ? `; and ${problems.length - 20} more` : ''}.`);
  }
  return checked.migrant;
}

/** Internal ids of the family named by pseudonyms; unknown or erased ones are problems. */
async function familyOf(pseudonyms: readonly string[], context: GatewayContext, problems: FieldProblem[]): Promise<string[]> {
  const { treaty } = requireRecordAccess(context, 'rectifyMigrant');
  if (pseudonyms.length > MAX_FAMILY) {
    problems.push({ field: 'familyIds', message: `must have at most ${MAX_FAMILY} entries, got ${pseudonyms.length}` });
    return [];
  }
  const ids = pseudonyms.map((p) => treaty.pseudonyms.decode(p));
  const live = new Set((await findLiveMigrants(context.collections, ids.filter((id): id is string => id !== null))).map((d) => d._id));
  return ids.flatMap((id, i) => {
    if (id === null || !live.has(id)) {
      problems.push({ field: `familyIds[${i}]`, message: 'is not a record under this agreement' });
      return [];
    }
    // The validator names a link to the record itself and a repeated one.
    return [id];
  });
}

/** Optional fields of the patch's input objects: left out means null, as the import format writes it. */
const OPTIONAL_INPUT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  address: ['line1', 'city', 'region', 'postalCode', 'country'],
  documents: ['expiresOn'],
  biometrics: ['fingerprintTemplate', 'faceTemplate'],
  victimStatus: ['identifiedOn', 'exploitationType'],
};

/** A patch field's value with its input objects' left-out optional fields set to null. */
function withNulls(field: string, value: unknown): unknown {
  const optional = OPTIONAL_INPUT_FIELDS[field];
  if (!optional || value === null || typeof value !== 'object') return value;
  const complete = (object: object): object => ({ ...Object.fromEntries(optional.map((key) => [key, null])), ...object });
  return Array.isArray(value) ? value.map((entry: object) => complete(entry)) : complete(value);
}

/** `value` with every string trimmed (input objects of GraphQL are plain data). */
function trimmed(value: unknown): unknown {
  if (typeof value === 'string') return value.trim();
  if (Array.isArray(value)) return value.map(trimmed);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, trimmed(v)]));
  return value;
}

const MAX_FAMILY = 200;

function bad(message: string): Error {
  return gatewayError('BAD_USER_INPUT', message);
}

function text(value: string, name: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > max || trimmed.includes('\u0000')) throw bad(`\`${name}\` must be 1 to ${max} characters.`);
  return trimmed;
}

function uniqueCategories(categories: readonly DataCategory[]): DataCategory[] {
  const unique = [...new Set(categories)];
  if (unique.length === 0 || unique.length !== categories.length) throw bad('`categories` must be a non-empty list without repeats.');
  return unique;
}

/** Internal ids of the subjects, each a live record held by `holder`, named by this agreement's pseudonyms. */
async function subjectsOf(pseudonyms: readonly string[], holder: string, context: GatewayContext): Promise<string[]> {
  const { treaty } = requireRecordAccess(context, 'submitDataRequest');
  if (pseudonyms.length === 0 || pseudonyms.length > MAX_SUBJECTS || new Set(pseudonyms).size !== pseudonyms.length) {
    throw bad(`\`subjectIds\` must name 1 to ${MAX_SUBJECTS} different subjects.`);
  }
  const ids: string[] = [];
  for (const [index, pseudonym] of pseudonyms.entries()) {
    const id = treaty.pseudonyms.decode(pseudonym);
    const record = id === null ? null : await findLiveMigrant(context.collections, id, { holder: 1 });
    // One message for unknown and for another holder's record: nothing is revealed.
    if (!record || record.holder !== holder) throw bad(`\`subjectIds[${index}]\` is not a record the requested party holds.`);
    ids.push(record._id);
  }
  return ids;
}

/**
 * The internal id of a record the caller's party holds, for its data controller, with the
 * request's treaty context; `what` names the mutation.
 */
async function ownRecord(pseudonym: string, context: GatewayContext, what: GuardedOperation): Promise<TreatyRequestContext & { id: string }> {
  const granted = requireRecordAccess(context, what);
  const { treaty } = granted;
  if (!mayAttempt(what, context.caller.roles)) throw gatewayError('FORBIDDEN', PERMISSIONS[what].message);
  const id = treaty.pseudonyms.decode(pseudonym);
  const record = id === null ? null : await findLiveMigrant(context.collections, id, { holder: 1 });
  if (!record) throw bad('No such record under this agreement.');
  if (!permitted(what, context.caller.roles, record.holder === context.caller.party).ok) throw gatewayError('FORBIDDEN', 'Only the data controller of the record\'s holder may do this.');
  return { ...granted, id: record._id };
}

/** Applies a transition of a PENDING request atomically; a lost race or a settled request changes nothing. */
async function settle(
  context: TreatyRequestContext,
  request: DataRequestDoc,
  change: Parameters<typeof transitionPending>[3],
  guard: Parameters<typeof transitionPending>[2],
): Promise<DataRequestDoc> {
  const updated = await transitionPending(context.collections, request._id, { agreementId: request.agreementId, ...guard }, change);
  if (!updated) throw bad('The data request is no longer PENDING; nothing was changed.');
  context.loaders.request.clear(request._id);
  context.ledger.noteSubjects(request.subjectIds);
  return updated;
}
