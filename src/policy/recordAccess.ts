/**
 * Aggregate-only grants (contract section 5): a grant none of whose data categories is
 * above AGGREGATE answers statistics and entitlements only. Every read that returns a
 * record or a pseudonym is refused with RECORD_ACCESS_NOT_GRANTED before anything is read.
 *
 * The contract adds "and that lists no special category". This gateway does not: a
 * special category listed in a grant whose categories are all at AGGREGATE or below is
 * granted at AGGREGATE too (it may be counted in statistics, e.g. the VICTIM_STATUS
 * dimension), never read record by record. Otherwise a statistics grant that lists
 * VICTIM_STATUS would let its caller read each person's victim status next to their
 * pseudonym, which is the very disclosure statistics exist to avoid (fail closed).
 *
 * Pure: no `graphql`, no `mongodb`.
 */
import { accessRank, type AccessLevel } from './taxonomy';
import type { GrantPolicy } from './treaty';

/**
 * Whether `grant` is aggregate-only: no data category above AGGREGATE, whatever special
 * categories it lists. Deny by default: a level this code does not know counts as no
 * record access (it ranks below NONE).
 */
export function isAggregateOnly(grant: GrantPolicy): boolean {
  return Object.values(grant.categories).every((level: AccessLevel | undefined) => level === undefined || accessRank(level) <= accessRank('AGGREGATE'));
}

/** Why a context has no record access, in words for the caller; null when it has. */
export function recordAccessRefusal(agreementId: string, grant: GrantPolicy): string | null {
  if (!isAggregateOnly(grant)) return null;
  return (
    `The grant of agreement ${agreementId} for purpose ${grant.purpose} is aggregate-only (no data category above AGGREGATE): ` +
    'it answers statistics and entitlements, never individual records or their pseudonyms' +
    (grant.specialCategories.length > 0 ? `; its special categories (${grant.specialCategories.join(', ')}) may only be counted` : '') +
    '.'
  );
}

/** The message of a refused record read: what was refused, why, and what to ask instead. */
export function recordAccessRefusalMessage(agreementId: string, grant: GrantPolicy, refused: readonly string[]): string {
  const why = recordAccessRefusal(agreementId, grant) ?? `The grant of agreement ${agreementId} for purpose ${grant.purpose} does not allow this read.`;
  const what = refused.length > 0 ? ` Refused: ${refused.join(', ')}; nothing was read.` : ' Nothing was read.';
  return `${why}${what} Ask \`statistics\` for counts with disclosure control, or \`entitlements\` for what this context allows.`;
}
