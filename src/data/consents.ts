/** Reads of consents: which subjects have an active consent for a purpose. */
import type { Purpose } from '../policy/taxonomy';
import type { Collections } from './database';
import type { ConsentDoc } from './documents';

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
