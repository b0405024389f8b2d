/**
 * The DataLoaders of one request. Built in the context factory and closed over the
 * request's row scope and projection, so a batched read can neither forget the scope
 * nor read a field this request may not disclose. Each loader issues one `$in` query
 * per batch: a nested query costs round trips by depth, not by record count.
 *
 * Keys are strings (internal ids and party codes are strings in this database), so the
 * default cache key is exact; results are reordered by key with a Map.
 */
import DataLoader from 'dataloader';
import type { RowScope } from '../policy/scope';
import type { Purpose } from '../policy/taxonomy';
import { activeConsentFromSummary, subjectsWithActiveConsent } from './consents';
import { findAgreementsByIds, findPartiesByCodes } from './agreements';
import type { Collections } from './database';
import { findRequestsByIds, findRequestsBySubjects, type RequestScope } from './dataRequests';
import type { AgreementDoc, DataRequestDoc, MigrantDoc, PartyDoc } from './documents';
import { findMigrantsByIds, type MigrantProjection } from './migrants';

export interface Loaders {
  readonly party: DataLoader<string, PartyDoc | null>;
  readonly agreement: DataLoader<string, AgreementDoc | null>;
  /** Scoped: an id out of scope (or erased, or expired by retention) loads as null. */
  readonly migrant: DataLoader<string, MigrantDoc | null>;
  readonly request: DataLoader<string, DataRequestDoc | null>;
  /** Requests naming a subject (internal id), visible to the caller, under the agreement. */
  readonly requestsBySubject: DataLoader<string, DataRequestDoc[]>;
  /** Whether a subject (internal id) has an active consent for the request's purpose. */
  readonly consent: DataLoader<string, boolean>;
}

export interface LoaderScope {
  readonly rows: RowScope;
  readonly requests: RequestScope;
  /** Asked at each batch: the projection in force when the batch runs. */
  readonly migrantProjection: () => MigrantProjection;
  readonly purpose: Purpose;
  readonly today: Date;
}

/** One set of loaders for one request. */
export function createLoaders(collections: Collections, scope: LoaderScope): Loaders {
  const migrant = new DataLoader((ids: readonly string[]) =>
    findMigrantsByIds(collections, scope.rows, ids, scope.migrantProjection()).then((docs) => byKey(ids, docs, (d) => d._id)),
  );
  return {
    party: new DataLoader((codes) => findPartiesByCodes(collections, codes).then((docs) => byKey(codes, docs, (d) => d._id))),
    agreement: new DataLoader((ids) => findAgreementsByIds(collections, ids).then((docs) => byKey(ids, docs, (d) => d._id))),
    migrant,
    request: new DataLoader((ids) =>
      findRequestsByIds(collections, scope.requests, ids).then((docs) => byKey(ids, docs, (d) => d._id)),
    ),
    requestsBySubject: new DataLoader((subjectIds) =>
      findRequestsBySubjects(collections, scope.requests, subjectIds).then((docs) => groupBySubject(subjectIds, docs)),
    ),
    consent: new DataLoader((subjectIds) => consentsOf(collections, migrant, scope, subjectIds)),
  };
}

/**
 * Whether each subject has an active consent for the request's purpose, from the
 * consents kept with its record (src/data/consents.ts), which the request has already
 * read (the migrant loader's cache: no round trip); a subject whose record has no
 * summary, or is not in the cache or the scope, is decided from the consents collection.
 */
async function consentsOf(
  collections: Collections,
  migrant: DataLoader<string, MigrantDoc | null>,
  scope: Pick<LoaderScope, 'purpose' | 'today'>,
  subjectIds: readonly string[],
): Promise<(boolean | Error)[]> {
  const docs = await migrant.loadMany(subjectIds);
  const answers: (boolean | Error | null)[] = docs.map((doc) => (doc instanceof Error ? doc : doc === null ? null : activeConsentFromSummary(doc, scope.purpose, scope.today)));
  const unknown = subjectIds.filter((_, i) => answers[i] === null);
  const active = new Set(unknown.length === 0 ? [] : await subjectsWithActiveConsent(collections, unknown, scope.purpose, scope.today));
  return answers.map((answer, i) => answer ?? active.has(subjectIds[i]!));
}

function byKey<T>(keys: readonly string[], docs: readonly T[], keyOf: (doc: T) => string): (T | null)[] {
  const found = new Map(docs.map((doc) => [keyOf(doc), doc]));
  return keys.map((key) => found.get(key) ?? null);
}

function groupBySubject(subjectIds: readonly string[], docs: readonly DataRequestDoc[]): DataRequestDoc[][] {
  const groups = new Map<string, DataRequestDoc[]>(subjectIds.map((id) => [id, []]));
  for (const doc of docs) {
    for (const id of doc.subjectIds) groups.get(id)?.push(doc);
  }
  return subjectIds.map((id) => groups.get(id) ?? []);
}
