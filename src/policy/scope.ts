/**
 * Row-level scope (contract section 3): which records a grant covers at all. Records
 * outside it are never returned; the data layer turns this into part of every
 * database filter. Pure: `now` is an argument.
 */
import { addDays, startOfUtcDay } from './calendar';
import type { AgreementPolicy, GrantPolicy } from './treaty';

export interface RowScope {
  /** Only records held by one of these parties. */
  readonly holders: readonly string[];
  /** When set, only records whose subject has one of these nationalities. */
  readonly nationalities: readonly string[] | null;
  /** When set, only these records (internal ids): REQUESTED_ONLY. */
  readonly subjectIds: readonly string[] | null;
  /** Retention: only records recorded on or after this day. */
  readonly recordedOnOrAfter: Date;
}

/**
 * The scope of `grant` under `agreement` today. `requestedSubjectIds` are the subjects
 * of the caller's party's approved, unexpired data requests under this agreement and
 * purpose; they matter only for REQUESTED_ONLY.
 */
export function rowScopeFor(
  agreement: AgreementPolicy,
  grant: GrantPolicy,
  now: Date,
  requestedSubjectIds: readonly string[],
): RowScope {
  const holders = [...agreement.parties];
  const recordedOnOrAfter = addDays(startOfUtcDay(now), -agreement.retentionDays);
  switch (grant.subjectScope) {
    case 'ALL_HELD_BY_PARTIES':
      return { holders, nationalities: null, subjectIds: null, recordedOnOrAfter };
    case 'NATIONALS_OF_PARTIES':
      return { holders, nationalities: holders, subjectIds: null, recordedOnOrAfter };
    case 'REQUESTED_ONLY':
      return { holders, nationalities: null, subjectIds: [...new Set(requestedSubjectIds)], recordedOnOrAfter };
    default: {
      const unreachable: never = grant.subjectScope;
      throw new TypeError(`unknown subject scope ${String(unreachable)}`);
    }
  }
}
