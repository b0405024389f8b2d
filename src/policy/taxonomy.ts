/**
 * The contract's enumerations (docs/api.md section 2), as runtime lists and types.
 *
 * Pure: imports neither `graphql` nor `mongodb`. Every other layer takes its
 * vocabulary from here, so a value that is not listed here cannot enter the system.
 */

export const PURPOSES = [
  'BORDER_CONTROL',
  'LAW_ENFORCEMENT',
  'ANTI_TRAFFICKING',
  'ASYLUM_PROCESSING',
  'FAMILY_REUNIFICATION',
  'SERVICE_DELIVERY',
  'RETURN_AND_READMISSION',
  'STATISTICS',
] as const;
export type Purpose = (typeof PURPOSES)[number];

export const DATA_CATEGORIES = [
  'IDENTITY',
  'NATIONALITY',
  'CONTACT_LOCATION',
  'TRAVEL_DOCUMENT',
  'IMMIGRATION_STATUS',
  'FAMILY',
  'CASE_HISTORY',
] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

export const SPECIAL_CATEGORIES = [
  'BIOMETRIC',
  'HEALTH',
  'ETHNIC_ORIGIN',
  'RELIGION',
  'CRIMINAL_RECORD',
  'VICTIM_STATUS',
] as const;
export type SpecialCategory = (typeof SPECIAL_CATEGORIES)[number];

/** Ordered: a later entry grants everything an earlier one does. */
export const ACCESS_LEVELS = ['NONE', 'AGGREGATE', 'MINIMISED', 'FULL'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** Ordered: a later entry is cleared for everything an earlier one is. */
export const CLEARANCES = ['STANDARD', 'ELEVATED', 'SPECIAL'] as const;
export type Clearance = (typeof CLEARANCES)[number];

export const ROLES = ['CASEWORKER', 'ANALYST', 'DATA_CONTROLLER', 'OVERSIGHT'] as const;
export type Role = (typeof ROLES)[number];

export const AGREEMENT_STATUSES = ['DRAFT', 'IN_FORCE', 'SUSPENDED', 'TERMINATED'] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

export const REQUEST_STATUSES = ['PENDING', 'APPROVED', 'DENIED', 'WITHDRAWN', 'EXPIRED'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const SUBJECT_SCOPES = ['ALL_HELD_BY_PARTIES', 'NATIONALS_OF_PARTIES', 'REQUESTED_ONLY'] as const;
export type SubjectScope = (typeof SUBJECT_SCOPES)[number];

export const MINIMISE_STRATEGIES = ['YEAR', 'YEAR_MONTH', 'INITIAL', 'LAST_FOUR'] as const;
export type MinimiseStrategy = (typeof MINIMISE_STRATEGIES)[number];

export const STAT_DIMENSIONS = [
  'NATIONALITY',
  'SEX',
  'AGE_BAND',
  'LEGAL_STATUS',
  'ARRIVAL_YEAR',
  'HOLDER',
  'VICTIM_STATUS',
] as const;
export type StatDimension = (typeof STAT_DIMENSIONS)[number];

/** True when `value` is one of `list`; narrows the type. */
export function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

/** Position of `level` in the ordered list; higher grants more. */
export function accessRank(level: AccessLevel): number {
  return ACCESS_LEVELS.indexOf(level);
}

/** Position of `clearance` in the ordered list; higher is cleared for more. */
export function clearanceRank(clearance: Clearance): number {
  return CLEARANCES.indexOf(clearance);
}
