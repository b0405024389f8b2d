/**
 * Import of a world file (contract section 6). Validates every record first and writes
 * nothing if any is bad; otherwise replaces each record by id (idempotent: importing
 * the same file twice leaves the same documents).
 *
 * Atomicity: on a replica set or sharded cluster the whole import is one transaction.
 * On a standalone server (and the CI fallback, which has no transactions) collections
 * are written in dependency order (parties, agreements, migrants, requests, consents,
 * trust),
 * each document replaced atomically; if the database fails mid-way, re-running the
 * same import completes it, and nothing that was stored before is lost.
 *
 * Never silent: a write the database fails, or acknowledges for fewer records than were
 * sent, stops the import with an ImportInterruptedError that says which collection was
 * being written, what may be incomplete and that re-running the file completes it.
 */
import { readFile } from 'node:fs/promises';
import type { AnyBulkWriteOperation, ClientSession, Collection, Db, Filter, MongoClient, WithoutId } from 'mongodb';
import { parseIsoDate, toIsoDate } from '../policy/calendar';
import { collectionsOf, supportsTransactions, type Collections } from '../data/database';
import { bumpMigrantsVersion } from '../data/dataVersion';
import { refreshConsentSummaries } from '../data/consents';
import type { AgreementDoc, ConsentDoc, DataRequestDoc, MigrantDoc, PartyDoc } from '../data/documents';
import { toTrustDoc } from '../data/trustRegistry';
import { formatProblems, printable, validateWorld, type ImportProblem } from './validateWorld';
import type { World, WorldAgreement, WorldConsent, WorldDataRequest, WorldMigrant, WorldParty } from '../data/world';

export interface ImportSummary {
  parties: number;
  agreements: number;
  migrants: number;
  dataRequests: number;
  consents: number;
  /** Trust registry entries written (one per party in the file's `trust`). */
  trust: number;
  /** Whether the import ran as one transaction. */
  transactional: boolean;
  /**
   * Records of the file that were erased before and stay erased: not written, nor their
   * consents (`migrants` and `consents` count what was written).
   */
  erasedNotRestored: readonly { readonly id: string; readonly erasedAt: Date }[];
}

/** The line an import prints for a record it did not restore. */
export function erasedNotRestoredLine(record: { readonly id: string; readonly erasedAt: Date }): string {
  return `${record.id}: erased on ${toIsoDate(record.erasedAt)}, not restored`;
}

/** Raised when a file is unreadable or invalid; nothing was written. */
export class ImportRejectedError extends Error {
  constructor(
    message: string,
    readonly problems: readonly ImportProblem[],
  ) {
    super(message);
    this.name = 'ImportRejectedError';
  }
}

/**
 * Raised when the database failed (or acknowledged fewer records than were sent) while a
 * validated file was being written. Without a transaction the collections before
 * `collection` are complete, `collection` and those after it may be incomplete, and
 * nothing stored before the import was removed: re-running the same file completes it.
 * With a transaction nothing was written (or, if the commit's outcome is unknown, all or
 * nothing). The database's error is `cause`.
 */
export class ImportInterruptedError extends Error {
  constructor(
    message: string,
    readonly collection: string,
    readonly transactional: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ImportInterruptedError';
  }
}

/** Reads, validates and imports the world in `file`. */
export async function importWorldFile(client: MongoClient, db: Db, file: string): Promise<ImportSummary> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new ImportRejectedError(`${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`, []);
  }
  let text: string;
  try {
    // Strict: invalid UTF-8 is refused, never stored as replacement characters.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ImportRejectedError(`${file}: not valid UTF-8`, []);
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    // The parser's message quotes the file: printed with control characters escaped.
    throw new ImportRejectedError(`${file}: not valid JSON (${printable((error as Error).message)})`, []);
  }
  return importWorld(client, db, input, file);
}

/** Validates `input` (an unparsed world) against the import format and the stored data, then writes it. */
export async function importWorld(client: MongoClient, db: Db, input: unknown, file: string): Promise<ImportSummary> {
  const collections = collectionsOf(db);
  const existing = await existingIds(collections);
  const result = validateWorld(input, file, { existing });
  if (!result.ok) {
    const count = result.problems.length;
    throw new ImportRejectedError(
      `${file}: rejected, nothing was written (${count} problem${count === 1 ? '' : 's'}):\n${formatProblems(result.problems)}`,
      result.problems,
    );
  }
  return writeWorld(client, db, result.world, new Date(), file);
}

/**
 * Writes an already validated world, replacing records by id. `source` names it in an
 * ImportInterruptedError (raised when the database fails part-way).
 */
export async function writeWorld(client: MongoClient, db: Db, world: World, now: Date = new Date(), source = 'the world'): Promise<ImportSummary> {
  const collections = collectionsOf(db);
  const transactional = await supportsTransactions(db);
  // An erased record stays erased: the file's copy of it, and its consents, are skipped.
  const erased = await erasedAmong(collections, world.migrants.map((m) => m.id));
  const migrants = world.migrants.filter((m) => !erased.has(m.id));
  const consents = world.consents.filter((c) => !erased.has(c.migrantId));
  /** The collection being written, for the error if the database fails. */
  let writing: string = collections.parties.collectionName;
  const write = async (session?: ClientSession): Promise<void> => {
    const options = session ? { session, ordered: false } : { ordered: false };
    const replace = async <T extends { _id: string }>(collection: Collection<T>, docs: T[]): Promise<void> => {
      writing = collection.collectionName;
      await bulkReplace(collection, docs, options);
    };
    await replace(collections.parties, world.parties.map(toPartyDoc));
    await replace(collections.agreements, world.agreements.map((a) => toAgreementDoc(a, now)));
    // The filter also skips a tombstone written since `erasedAmong` looked (an erasure in
    // between): the upsert then collides with it and the import stops, the record erased.
    writing = collections.migrants.collectionName;
    await bulkReplace(collections.migrants, migrants.map(toMigrantDoc), options, { erasedAt: null });
    await replace(collections.dataRequests, world.dataRequests.map(toDataRequestDoc));
    await replace(collections.consents, consents.map(toConsentDoc));
    // Last, like the file's order: an entry replaces the party's stored one whole; the
    // entries of parties not in the file are left as they are.
    await replace(collections.trust, world.trust.map((t) => toTrustDoc(t, now)));
  };
  try {
    if (transactional) {
      await client.withSession((session) => session.withTransaction(() => write(session)));
    } else {
      await write();
    }
    // The consents kept with each record written (src/data/consents.ts): the records were
    // replaced whole, so until this runs they are decided from the consents collection.
    writing = collections.migrants.collectionName;
    await refreshConsentSummaries(collections, migrants.map((m) => m.id));
  } catch (error) {
    throw interrupted(source, writing, transactional, error);
  } finally {
    // Statistics count again from the next request (src/data/dataVersion.ts); best effort
    // when the database has just failed (the day's change bounds how long it could matter).
    await bumpMigrantsVersion(collections).catch(() => undefined);
  }
  return {
    parties: world.parties.length,
    agreements: world.agreements.length,
    migrants: migrants.length,
    dataRequests: world.dataRequests.length,
    consents: consents.length,
    trust: world.trust.length,
    transactional,
    erasedNotRestored: [...erased].map(([id, erasedAt]) => ({ id, erasedAt })).sort((a, b) => (a.id < b.id ? -1 : 1)),
  };
}

const BATCH = 1_000;

async function bulkReplace<T extends { _id: string }>(
  collection: Collection<T>,
  docs: T[],
  options: { session?: ClientSession; ordered: boolean },
  only: Filter<T> = {},
): Promise<void> {
  for (let i = 0; i < docs.length; i += BATCH) {
    const ops: AnyBulkWriteOperation<T>[] = docs.slice(i, i + BATCH).map((doc) => ({
      replaceOne: { filter: { ...only, _id: doc._id } as Filter<T>, replacement: doc as WithoutId<T>, upsert: true },
    }));
    const result = await collection.bulkWrite(ops, options);
    // Each replacement matches its record or inserts it: anything less was not stored.
    const stored = result.matchedCount + result.upsertedCount;
    if (stored !== ops.length) throw new UnacknowledgedWriteError(stored, ops.length);
  }
}

/** A bulk write the database acknowledged for fewer records than it was sent. */
class UnacknowledgedWriteError extends Error {
  constructor(stored: number, sent: number) {
    super(`the database acknowledged ${stored} of ${sent} records sent`);
    this.name = 'UnacknowledgedWriteError';
  }
}

function interrupted(source: string, collection: string, transactional: boolean, error: unknown): ImportInterruptedError {
  const cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const commitUnknown = (error as { hasErrorLabel?: (label: string) => boolean }).hasErrorLabel?.('UnknownTransactionCommitResult') === true;
  const state = !transactional
    ? `the collections before ${collection} are complete, ${collection} and those after it may be incomplete, nothing stored before was removed`
    : commitUnknown
      ? 'whether its transaction was committed is unknown (all of it or nothing was written)'
      : 'its transaction was not committed: nothing was written';
  return new ImportInterruptedError(
    `${source}: import interrupted while writing ${collection} (${cause}): ${state}. Run the same import again to complete it.`,
    collection,
    transactional,
    { cause: error },
  );
}

/** The records among `ids` that are erased (tombstones), with the time of their erasure. */
async function erasedAmong(collections: Collections, ids: readonly string[]): Promise<Map<string, Date>> {
  const erased = new Map<string, Date>();
  for (let i = 0; i < ids.length; i += BATCH) {
    const tombstones = collections.migrants.find({ _id: { $in: ids.slice(i, i + BATCH) }, erasedAt: { $ne: null } }, { projection: { _id: 1, erasedAt: 1 } });
    for await (const doc of tombstones) erased.set(doc._id, doc.erasedAt instanceof Date ? doc.erasedAt : new Date(String(doc.erasedAt)));
  }
  return erased;
}

async function existingIds(collections: Collections): Promise<{ parties: Set<string>; agreements: Set<string>; migrants: Set<string> }> {
  const ids = async (c: { find(filter: object, options: object): { toArray(): Promise<{ _id: string }[]> } }): Promise<Set<string>> =>
    new Set((await c.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
  const [parties, agreements, migrants] = await Promise.all([
    ids(collections.parties),
    ids(collections.agreements),
    ids(collections.migrants),
  ]);
  return { parties, agreements, migrants };
}

/** A validated ISO date as a BSON date; validation guarantees it parses. */
function date(value: string): Date {
  const parsed = parseIsoDate(value);
  if (!parsed) throw new TypeError(`validated date does not parse: ${value}`);
  return parsed;
}

function optionalDate(value: string | null): Date | null {
  return value === null ? null : date(value);
}

export function toPartyDoc(p: WorldParty): PartyDoc {
  return { _id: p.code, name: p.name, kind: p.kind };
}

export function toAgreementDoc(a: WorldAgreement, now: Date): AgreementDoc {
  return {
    _id: a.id,
    title: a.title,
    kind: a.kind,
    parties: [...a.parties],
    status: a.status,
    effectiveFrom: date(a.effectiveFrom),
    expiresOn: optionalDate(a.expiresOn),
    minCellSize: a.minCellSize,
    retentionDays: a.retentionDays,
    grants: a.grants.map((g) => ({
      purpose: g.purpose,
      subjectScope: g.subjectScope,
      categories: { ...g.categories },
      specialCategories: [...g.specialCategories],
    })),
    updatedAt: now,
  };
}

export function toMigrantDoc(m: WorldMigrant): MigrantDoc {
  return {
    _id: m.id,
    holder: m.holder,
    recordedAt: date(m.recordedAt),
    givenName: m.givenName,
    familyName: m.familyName,
    dateOfBirth: optionalDate(m.dateOfBirth),
    sex: m.sex,
    nationality: m.nationality,
    placeOfBirth: m.placeOfBirth,
    address: m.address && { ...m.address },
    documents: m.documents.map((d) => ({ ...d, expiresOn: optionalDate(d.expiresOn) })),
    legalStatus: m.legalStatus,
    arrivalDate: optionalDate(m.arrivalDate),
    familyIds: [...m.familyIds],
    biometrics: m.biometrics && { ...m.biometrics },
    health: m.health && { conditions: [...m.health.conditions], vulnerabilities: [...m.health.vulnerabilities] },
    ethnicOrigin: m.ethnicOrigin,
    religion: m.religion,
    criminalRecord: m.criminalRecord && { convictions: m.criminalRecord.convictions.map((c) => ({ ...c })) },
    victimStatus: m.victimStatus && { ...m.victimStatus, identifiedOn: optionalDate(m.victimStatus.identifiedOn) },
    erasedAt: null,
  };
}

/** A stored record back in the import format (the inverse of `toMigrantDoc`). */
export function fromMigrantDoc(doc: MigrantDoc): WorldMigrant {
  const day = (d: Date | null | undefined): string | null => (d ? toIsoDate(d) : null);
  return {
    id: doc._id,
    holder: doc.holder,
    recordedAt: day(doc.recordedAt) ?? '',
    givenName: doc.givenName ?? null,
    familyName: doc.familyName ?? null,
    dateOfBirth: day(doc.dateOfBirth),
    sex: doc.sex ?? null,
    nationality: doc.nationality ?? null,
    placeOfBirth: doc.placeOfBirth ?? null,
    address: doc.address ? { ...doc.address } : null,
    documents: (doc.documents ?? []).map((d) => ({ type: d.type, number: d.number, issuingCountry: d.issuingCountry, expiresOn: day(d.expiresOn) })),
    legalStatus: doc.legalStatus ?? null,
    arrivalDate: day(doc.arrivalDate),
    familyIds: [...(doc.familyIds ?? [])],
    biometrics: doc.biometrics ? { ...doc.biometrics } : null,
    health: doc.health ? { conditions: [...doc.health.conditions], vulnerabilities: [...doc.health.vulnerabilities] } : null,
    ethnicOrigin: doc.ethnicOrigin ?? null,
    religion: doc.religion ?? null,
    criminalRecord: doc.criminalRecord ? { convictions: doc.criminalRecord.convictions.map((c) => ({ ...c })) } : null,
    victimStatus: doc.victimStatus ? { ...doc.victimStatus, identifiedOn: day(doc.victimStatus.identifiedOn) } : null,
  };
}

export function toDataRequestDoc(r: WorldDataRequest): DataRequestDoc {
  return {
    _id: r.id,
    agreementId: r.agreementId,
    requestingParty: r.requestingParty,
    requestedParty: r.requestedParty,
    purpose: r.purpose,
    subjectIds: [...r.subjectIds],
    categories: [...r.categories],
    justification: r.justification,
    // An EXPIRED status in a file is stored as the APPROVED request it was; it reads as
    // EXPIRED from its validUntil.
    status: r.status === 'EXPIRED' ? 'APPROVED' : r.status,
    submittedAt: date(r.submittedAt),
    decidedAt: optionalDate(r.decidedAt),
    validUntil: optionalDate(r.validUntil),
    decisionNote: r.decisionNote ?? null,
  };
}

export function consentId(migrantId: string, purpose: string, givenAt: string): string {
  return `${migrantId}|${purpose}|${givenAt}`;
}

export function toConsentDoc(c: WorldConsent): ConsentDoc {
  return {
    _id: consentId(c.migrantId, c.purpose, c.givenAt),
    migrantId: c.migrantId,
    purpose: c.purpose,
    givenAt: date(c.givenAt),
    withdrawnAt: optionalDate(c.withdrawnAt),
    evidence: c.evidence ?? null,
  };
}

