/**
 * The treaty context of one request (contract sections 1 and 3, rule 1): the agreement
 * the caller invokes must exist, list the caller's party, be in force today and grant
 * the purpose. Pure: the agreement is passed in, `now` is an argument.
 */
import { startOfUtcDay } from './calendar';
import {
  PURPOSES,
  isOneOf,
  type AccessLevel,
  type AgreementStatus,
  type DataCategory,
  type Purpose,
  type SpecialCategory,
  type SubjectScope,
} from './taxonomy';

export interface GrantPolicy {
  readonly purpose: Purpose;
  readonly subjectScope: SubjectScope;
  readonly categories: Readonly<Partial<Record<DataCategory, AccessLevel>>>;
  readonly specialCategories: readonly SpecialCategory[];
}

export interface AgreementPolicy {
  readonly id: string;
  readonly parties: readonly string[];
  readonly status: AgreementStatus;
  readonly effectiveFrom: Date;
  readonly expiresOn: Date | null;
  readonly minCellSize: number;
  readonly retentionDays: number;
  readonly grants: readonly GrantPolicy[];
}

/** The codes of contract section 5 that a treaty context can fail with. */
export type TreatyErrorCode =
  | 'AGREEMENT_NOT_FOUND'
  | 'AGREEMENT_NOT_IN_FORCE'
  | 'NOT_A_PARTY'
  | 'PURPOSE_NOT_GRANTED'
  | 'PURPOSE_MISSING'
  | 'BAD_USER_INPUT';

export interface TreatyFailure {
  readonly ok: false;
  readonly code: TreatyErrorCode;
  readonly message: string;
}

export interface TreatyGranted {
  readonly ok: true;
  readonly agreement: AgreementPolicy;
  readonly purpose: Purpose;
  readonly grant: GrantPolicy;
}

export type TreatyCheck = TreatyGranted | TreatyFailure;

/** Checks of the headers alone, before anything is read. */
export function checkTreatyHeaders(agreementId: string | undefined, purpose: string | undefined): TreatyFailure | { ok: true; agreementId: string; purpose: Purpose } {
  if (!agreementId) return fail('AGREEMENT_NOT_FOUND', 'The X-Agreement-Id header is required for this operation.');
  if (!purpose) return fail('PURPOSE_MISSING', 'The X-Purpose header is required for this operation.');
  if (!isOneOf(PURPOSES, purpose)) return fail('BAD_USER_INPUT', `X-Purpose must be one of ${PURPOSES.join(', ')}.`);
  return { ok: true, agreementId, purpose };
}

/**
 * Whether `callerParty` may use `agreement` for `purpose` today. The order matters: a
 * non-party learns nothing about the agreement's status or grants.
 */
export function checkTreaty(agreement: AgreementPolicy | null, callerParty: string, purpose: Purpose, now: Date): TreatyCheck {
  if (!agreement) return fail('AGREEMENT_NOT_FOUND', 'No such agreement.');
  if (!agreement.parties.includes(callerParty)) return fail('NOT_A_PARTY', 'The caller\'s party is not a party to this agreement.');
  if (!isInForce(agreement, now)) return fail('AGREEMENT_NOT_IN_FORCE', 'The agreement is not in force today.');
  const grant = agreement.grants.find((g) => g.purpose === purpose);
  if (!grant) return fail('PURPOSE_NOT_GRANTED', 'The agreement grants nothing for this purpose.');
  return { ok: true, agreement, purpose, grant };
}

/** In force: status IN_FORCE and today within [effectiveFrom, expiresOn], both inclusive. */
export function isInForce(agreement: AgreementPolicy, now: Date): boolean {
  const today = startOfUtcDay(now).getTime();
  if (agreement.status !== 'IN_FORCE') return false;
  if (today < startOfUtcDay(agreement.effectiveFrom).getTime()) return false;
  return agreement.expiresOn === null || today <= startOfUtcDay(agreement.expiresOn).getTime();
}

function fail(code: TreatyErrorCode, message: string): TreatyFailure {
  return { ok: false, code, message };
}
