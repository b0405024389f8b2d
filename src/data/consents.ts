/** Reads of consents: which subjects have an active consent for a purpose. */
import type { Purpose } from '../policy/taxonomy';
import type { Collections } from './database';
import type { ConsentDoc, MigrantDoc } from './documents';

/**
 * Internal ids, among `subjectIds`, of subjects with an active consent for `purpose` on
 * `today`: given on or before today and never withdrawn. A recorded withdrawal ends the
 * consent whatever its date (fail closed).
 */
export async function subjectsWithActiveConsent(
  collections: Collections,
  subjectIds: readonly string[],
  purpose: Purpose,
  today: Date,
): Promise<string[]> {
  const docs = await collections.consents
    .find({ migrantId: { $in: [...subjectIds] }, purpose, givenAt: { $lte: today }, withdrawnAt: null }, { projection: { _id: 0, migrantId: 1 } })
    .toArray();
  return [...new Set(docs.map((d) => d.migrantId))];
}

/** The active consents of a subject for a purpose (given, not withdrawn), oldest first. */
export async function activeConsents(collections: Collections, migrantId: string, purpose: Purpose): Promise<ConsentDoc[]> {
  return collections.consents.find({ migrantId, purpose, withdrawnAt: null }, { sort: { givenAt: 1 } }).toArray();
}

/** Stores a consent given on `today`; an identical one given the same day is kept as it is. */
export async function insertConsent(collections: Collections, consent: ConsentDoc): Promise<ConsentDoc> {
  await collections.consents.updateOne({ _id: consent._id }, { $setOnInsert: consent }, { upsert: true });
  return (await collections.consents.findOne({ _id: consent._id })) ?? consent;
}

/** Withdraws, as of `today`, every active consent of a subject for a purpose; returns them as withdrawn. */
export async function withdrawConsents(collections: Collections, migrantId: string, purpose: Purpose, today: Date): Promise<ConsentDoc[]> {
  const active = await activeConsents(collections, migrantId, purpose);
  if (active.length === 0) return [];
  await collections.consents.updateMany({ _id: { $in: active.map((c) => c._id) }, withdrawnAt: null }, { $set: { withdrawnAt: today } });
  return active.map((c) => ({ ...c, withdrawnAt: today }));
}

// ---------------------------------------------------------------------------------------
// The consents kept with the record (MigrantDoc.activeConsentSince)
//
// The consents collection is the record of every consent and withdrawal. Each migrant
// document also keeps a summary of it: by purpose, the earliest `givenAt` of a consent
// never withdrawn, so a request reads a subject's consents with the subject (no round
// trip of its own). The summary is derived, and every write keeps it so that it never
// says more than the collection:
//
// - a consent is stored first, then the summary recomputed (a failure in between leaves
//   the consent out of the summary: withheld, not disclosed);
// - a withdrawal first takes the purpose out of the summary, then marks the consents
//   withdrawn, then recomputes;
// - a recomputation reads the collection after reading the summary's version and writes
//   only if the version is unchanged (else it reads again), so of concurrent writers the
//   last summary written was computed from a reading that followed every write before it.
//
// A record without a summary (written before summaries existed) is decided from the
// collection, as before.

/** How often a recomputation reads again when another write moved the summary meanwhile. */
const MAX_SUMMARY_ATTEMPTS = 20;

/** The summary of a subject's consents: by purpose, the earliest `givenAt` of one never withdrawn. */
export function consentSummaryOf(consents: readonly Pick<ConsentDoc, 'purpose' | 'givenAt' | 'withdrawnAt'>[]): Partial<Record<Purpose, Date>> {
  const since: Partial<Record<Purpose, Date>> = {};
  for (const consent of consents) {
    if (consent.withdrawnAt !== null) continue;
    const earliest = since[consent.purpose];
    if (earliest === undefined || consent.givenAt.getTime() < earliest.getTime()) since[consent.purpose] = consent.givenAt;
  }
  return since;
}

/**
 * Whether the record's summary shows an active consent for `purpose` on `today` (given on
 * or before today, never withdrawn); null when the record has no summary.
 */
export function activeConsentFromSummary(doc: Pick<MigrantDoc, 'activeConsentSince' | 'consentsVersion'>, purpose: Purpose, today: Date): boolean | null {
  if (doc.consentsVersion === undefined || doc.activeConsentSince === undefined) return null;
  const since = doc.activeConsentSince[purpose];
  return since !== undefined && since.getTime() <= today.getTime();
}

/** Recomputes the summary of one record from the consents collection (compare-and-set on its version). */
export async function refreshConsentSummary(collections: Collections, migrantId: string): Promise<void> {
  for (let attempt = 1; attempt <= MAX_SUMMARY_ATTEMPTS; attempt++) {
    const current = await collections.migrants.findOne({ _id: migrantId }, { projection: { consentsVersion: 1 } });
    if (!current) return;
    const consents = await collections.consents.find({ migrantId }, { projection: { purpose: 1, givenAt: 1, withdrawnAt: 1 } }).toArray();
    const version = current.consentsVersion;
    const written = await collections.migrants.updateOne(
      { _id: migrantId, consentsVersion: version === undefined ? { $exists: false } : version },
      { $set: { activeConsentSince: consentSummaryOf(consents), consentsVersion: (version ?? 0) + 1 } },
    );
    if (written.matchedCount === 1) return;
  }
  throw new Error(`the consents of ${migrantId} kept changing: their summary was not written`);
}

/** Takes `purpose` out of the record's summary at once (before a withdrawal is written: withheld from then on). */
export async function forgetConsentPurpose(collections: Collections, migrantId: string, purpose: Purpose): Promise<void> {
  await collections.migrants.updateOne({ _id: migrantId, consentsVersion: { $exists: true } }, { $unset: { [`activeConsentSince.${purpose}`]: '' }, $inc: { consentsVersion: 1 } });
}

/**
 * Recomputes the summaries of many records (after an import): one read of their
 * consents, then one compare-and-set per record in one bulk write; a record another
 * write moved meanwhile is recomputed alone.
 */
export async function refreshConsentSummaries(collections: Collections, migrantIds: readonly string[], batch = 1_000): Promise<void> {
  for (let start = 0; start < migrantIds.length; start += batch) {
    const ids = migrantIds.slice(start, start + batch);
    const versions = new Map(
      (await collections.migrants.find({ _id: { $in: ids } }, { projection: { consentsVersion: 1 } }).toArray()).map((doc) => [doc._id, doc.consentsVersion]),
    );
    const byMigrant = new Map<string, ConsentDoc[]>();
    for (const consent of await collections.consents.find({ migrantId: { $in: ids } }).toArray()) {
      const list = byMigrant.get(consent.migrantId);
      if (list) list.push(consent);
      else byMigrant.set(consent.migrantId, [consent]);
    }
    const present = ids.filter((id) => versions.has(id));
    if (present.length === 0) continue;
    const result = await collections.migrants.bulkWrite(
      present.map((id) => {
        const version = versions.get(id);
        return {
          updateOne: {
            filter: { _id: id, consentsVersion: version === undefined ? { $exists: false } : version },
            update: { $set: { activeConsentSince: consentSummaryOf(byMigrant.get(id) ?? []), consentsVersion: (version ?? 0) + 1 } },
          },
        };
      }),
      { ordered: false },
    );
    if (result.matchedCount < present.length) {
      for (const id of present) await refreshConsentSummary(collections, id);
    }
  }
}
