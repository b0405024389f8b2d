/**
 * Reads of migrant records. Every function takes the row scope as an argument, so no
 * read can forget it: scope, retention and erasure are part of every filter.
 */
import type { Document, Filter } from 'mongodb';
import { FILTER_COORDINATES, type FilterName } from '../policy/filters';
import type { RowScope } from '../policy/scope';
import type { Collections } from './database';
import { bumpMigrantsVersion } from './dataVersion';
import type { MigrantDoc } from './documents';
import { HOLDER_PATH, storedPathOf } from './migrantFields';

/** Filter arguments of `Query.migrants`, already validated and decoded. */
export interface MigrantCriteria {
  nationality?: string;
  legalStatus?: string;
  holder?: string;
  familyName?: string;
  documentNumber?: string;
  arrivedOnOrAfter?: Date;
  arrivedOnOrBefore?: Date;
}

/** Fields to read: a MongoDB inclusion projection (`_id` is always read). */
export type MigrantProjection = Readonly<Record<string, 1>>;

/** The part of every migrant filter that enforces the row scope. */
export function scopeFilter(scope: RowScope): Filter<MigrantDoc> {
  const filter: Filter<MigrantDoc> = {
    holder: { $in: [...scope.holders] },
    recordedAt: { $gte: scope.recordedOnOrAfter },
    erasedAt: null,
  };
  if (scope.nationalities) filter.nationality = { $in: [...scope.nationalities] };
  if (scope.subjectIds) filter._id = { $in: [...scope.subjectIds] };
  return filter;
}

/** The stored path each filter argument matches: the field it reveals (src/policy/filters.ts), or the record's holder. */
const pathOf = (filter: FilterName): string => {
  const coordinate = FILTER_COORDINATES[filter];
  return coordinate === null ? HOLDER_PATH : storedPathOf(coordinate);
};

function criteriaFilter(criteria: MigrantCriteria): Filter<MigrantDoc> {
  const and: Document[] = [];
  const match = (filter: FilterName, condition: unknown): void => {
    if (condition !== undefined) and.push({ [pathOf(filter)]: condition });
  };
  match('nationality', criteria.nationality);
  match('legalStatus', criteria.legalStatus);
  match('holder', criteria.holder);
  match('familyName', criteria.familyName);
  match('documentNumber', criteria.documentNumber);
  match('arrivedAfter', criteria.arrivedOnOrAfter === undefined ? undefined : { $gte: criteria.arrivedOnOrAfter });
  match('arrivedBefore', criteria.arrivedOnOrBefore === undefined ? undefined : { $lte: criteria.arrivedOnOrBefore });
  return and.length > 0 ? { $and: and } : {};
}

/** Scoped records with these internal ids (any order; unknown or out-of-scope ids are absent). */
export async function findMigrantsByIds(
  collections: Collections,
  scope: RowScope,
  ids: readonly string[],
  projection: MigrantProjection,
): Promise<MigrantDoc[]> {
  return collections.migrants
    .find({ $and: [scopeFilter(scope), { _id: { $in: [...ids] } }] }, { projection })
    .toArray() as Promise<MigrantDoc[]>;
}

/** One page of scoped records matching `criteria`, in `_id` order, after `afterId`. */
export async function findMigrantPage(
  collections: Collections,
  scope: RowScope,
  criteria: MigrantCriteria,
  first: number,
  afterId: string | null,
  projection: MigrantProjection,
): Promise<{ docs: MigrantDoc[]; hasNextPage: boolean }> {
  const parts: Filter<MigrantDoc>[] = [scopeFilter(scope), criteriaFilter(criteria)];
  if (afterId !== null) parts.push({ _id: { $gt: afterId } });
  const docs = (await collections.migrants
    .find({ $and: parts }, { projection, sort: { _id: 1 }, limit: first + 1 })
    .toArray()) as MigrantDoc[];
  return { docs: docs.slice(0, first), hasNextPage: docs.length > first };
}

/** Number of scoped records matching `criteria`. */
export async function countMigrants(collections: Collections, scope: RowScope, criteria: MigrantCriteria): Promise<number> {
  return collections.migrants.countDocuments({ $and: [scopeFilter(scope), criteriaFilter(criteria)] });
}

/** A record by internal id that is not erased, whatever the scope: for its holder's own management. */
export async function findLiveMigrant(collections: Collections, id: string, projection: MigrantProjection): Promise<MigrantDoc | null> {
  return collections.migrants.findOne({ _id: id, erasedAt: null }, { projection }) as Promise<MigrantDoc | null>;
}

/** The records among `ids` that are not erased (ids only). */
export async function findLiveMigrants(collections: Collections, ids: readonly string[]): Promise<Pick<MigrantDoc, '_id'>[]> {
  if (ids.length === 0) return [];
  return collections.migrants.find({ _id: { $in: [...new Set(ids)] }, erasedAt: null }, { projection: { _id: 1 } }).toArray();
}

/** Fields a rectification may set, already validated: every stored field but the record's identity. */
export type MigrantCorrection = Partial<Omit<MigrantDoc, '_id' | 'holder' | 'recordedAt' | 'erasedAt'>>;

/** The values a correction was validated against, which must still be stored when it is written. */
export type RectificationBasis = Pick<MigrantDoc, 'dateOfBirth' | 'arrivalDate'>;

/**
 * Applies a correction to a live record of `holder`. With `basis`, only while the record
 * still has the dates the correction was checked against (arrival not before birth), so
 * two concurrent corrections cannot together store what neither would alone. Returns
 * false when no such record matched.
 */
export async function rectifyMigrantRecord(
  collections: Collections,
  id: string,
  holder: string,
  correction: MigrantCorrection,
  basis?: RectificationBasis,
): Promise<boolean> {
  try {
    const filter: Filter<MigrantDoc> = { _id: id, holder, erasedAt: null };
    if (basis) Object.assign(filter, { dateOfBirth: basis.dateOfBirth ?? null, arrivalDate: basis.arrivalDate ?? null });
    const result = await collections.migrants.updateOne(filter, { $set: correction });
    return result.matchedCount === 1;
  } finally {
    // Statistics count again from the next request; a failure here leaves them a day old at most.
    await bumpMigrantsVersion(collections).catch(() => undefined);
  }
}

/**
 * Erases a record: the document is replaced by a tombstone (internal id, holder, time,
 * reason) and the subject's consents are deleted. Returns false when there was no live
 * record of `holder` with that id. An erased record is never returned again: every read
 * filters on `erasedAt: null`.
 */
export async function eraseMigrantRecord(collections: Collections, id: string, holder: string, reason: string, at: Date): Promise<boolean> {
  const tombstone = { _id: id, holder, erasedAt: at, erasureReason: reason } as unknown as MigrantDoc;
  let result;
  try {
    result = await collections.migrants.replaceOne({ _id: id, holder, erasedAt: null }, tombstone);
  } finally {
    await bumpMigrantsVersion(collections).catch(() => undefined);
  }
  if (result.matchedCount !== 1) return false;
  await collections.consents.deleteMany({ migrantId: id });
  return true;
}
