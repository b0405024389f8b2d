/** Reads of consents: which subjects have an active consent for a purpose. */
import type { Purpose } from '../policy/taxonomy';
import type { Collections } from './database';

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
