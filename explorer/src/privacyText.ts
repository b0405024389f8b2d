/**
 * Plain-language texts for the privacy report (`extensions.privacy`, contract section 5)
 * and the error codes of refused requests. Pure functions without DOM or React, so the
 * wording is unit-tested (test/explorer/privacyText.test.ts).
 */
import type { GraphQLErrorLike, PrivacyEntry, PrivacyReport } from './api';

/** Why a field was withheld (REDACTED), as a sentence. */
export const REASONS: Readonly<Record<string, string>> = {
  PURPOSE_NOT_ALLOWED_FOR_FIELD: 'This field may be used only for certain purposes, and the purpose of this request is not one of them.',
  SPECIAL_CATEGORY_NOT_COVERED: "Special-category data: the agreement's grant for this purpose does not list this special category.",
  INSUFFICIENT_CLEARANCE: "Special-category data that needs a higher clearance than the caller's.",
  CONSENT_MISSING: "Disclosed only with the subject's active consent for this purpose, and there is none on record.",
  CATEGORY_NOT_GRANTED: "The agreement grants this data category for this purpose only as statistics, or not at all.",
  MINIMISATION_UNAVAILABLE: 'The grant allows only a minimised form of this category, and this field has no minimised form.',
};

/** Why statistics cells were withheld (SUPPRESSED), completing "N cells withheld: …". */
export const SUPPRESSION_REASONS: Readonly<Record<string, string>> = {
  BELOW_MIN_CELL_SIZE: "fewer than the agreement's minCellSize records",
  COMPLEMENTARY_SUPPRESSION: 'withheld as well, so that the small cells cannot be worked out by subtraction from the total',
};

/** What a minimisation strategy keeps. */
export const STRATEGIES: Readonly<Record<string, string>> = {
  YEAR: 'the year (e.g. "1987")',
  YEAR_MONTH: 'the year and month (e.g. "1987-05")',
  INITIAL: 'the initial (e.g. "M.")',
  LAST_FOUR: 'the last four characters (e.g. "****5678")',
};

/** The public error codes (contract section 5), as a sentence for the user. */
export const ERROR_CODES: Readonly<Record<string, string>> = {
  UNAUTHENTICATED: 'No valid token: pick a persona, or put "Authorization": "Bearer <token>" in the Headers tab.',
  FORBIDDEN: "The caller's roles or party do not permit this operation.",
  AGREEMENT_NOT_FOUND: 'No agreement with this id for this caller, or no X-Agreement-Id header.',
  AGREEMENT_NOT_IN_FORCE: 'The agreement is not in force today (draft, suspended, terminated, or outside its dates).',
  NOT_A_PARTY: "The caller's party is not a party to this agreement.",
  PURPOSE_NOT_GRANTED: 'The agreement has no grant for this purpose.',
  PURPOSE_MISSING: 'No X-Purpose header: personal data is read only for a stated purpose.',
  DATA_REQUEST_INVALID: 'The data request in X-Data-Request-Id is unknown, not approved, expired, or not for this agreement, purpose and party.',
  FILTER_NOT_PERMITTED: 'A filter or grouping uses data this context may not see in full, so it could reveal masked values.',
  BAD_USER_INPUT: 'The operation or its arguments are not valid.',
  QUERY_TOO_COMPLEX: "The operation is deeper, has more aliases or costs more than the gateway's limits.",
  AUDIT_UNAVAILABLE: 'The audit trail could not be written, so no data was returned.',
  OPERATION_NOT_TRUSTED: 'This gateway runs only trusted (persisted) operations.',
  RATE_LIMITED: 'Too many requests from this caller: wait a moment and try again.',
  RECORD_ACCESS_NOT_GRANTED: 'The grant for this purpose is aggregate-only: it answers statistics and entitlements, never individual records. Ask for statistics instead.',
  SERVICE_UNAVAILABLE: 'The database is unreachable: try again later.',
  INTERNAL_SERVER_ERROR: 'An internal error: the gateway logs have the details.',
};

export type EntryGroup = 'withheld' | 'minimised' | 'statistics' | 'disclosed' | 'other';

export interface DescribedEntry {
  readonly group: EntryGroup;
  readonly coordinate: string;
  /** A short statement of what happened, e.g. "withheld (null) in 11 values". */
  readonly headline: string;
  /** Why, as a sentence. */
  readonly reason: string;
  /** The machine code it was translated from (reason or strategy), if any. */
  readonly code?: string;
  readonly count: number;
}

const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;

/** A readable form of one report entry. Unknown actions and reasons are shown as given. */
export function describeEntry(entry: PrivacyEntry): DescribedEntry {
  const count = typeof entry.count === 'number' ? entry.count : 0;
  const base = { coordinate: entry.coordinate, count };
  switch (entry.action) {
    case 'REDACTED':
      return {
        ...base,
        group: 'withheld',
        headline: `withheld (null) in ${plural(count, 'value')}`,
        reason: (entry.reason && REASONS[entry.reason]) ?? `Withheld (${entry.reason ?? 'no reason given'}).`,
        ...(entry.reason ? { code: entry.reason } : {}),
      };
    case 'MINIMISED':
      return {
        ...base,
        group: 'minimised',
        headline: `minimised in ${plural(count, 'value')}`,
        reason: `Only ${(entry.strategy && STRATEGIES[entry.strategy]) ?? `a minimised form (${entry.strategy ?? 'unknown'})`} is disclosed: the agreement grants this category in minimised form only for this purpose.`,
        ...(entry.strategy ? { code: entry.strategy } : {}),
      };
    case 'DISCLOSED':
      return { ...base, group: 'disclosed', headline: `disclosed in ${plural(count, 'value')}`, reason: 'Disclosed in full.' };
    case 'AGGREGATED':
      return {
        ...base,
        group: 'statistics',
        headline: `counted as a dimension in ${plural(count, 'cell')}`,
        reason: 'Used only as a dimension of the statistics table: records are counted, no value of a person is disclosed.',
      };
    case 'SUPPRESSED': {
      const why = (entry.reason && SUPPRESSION_REASONS[entry.reason]) ?? `suppressed (${entry.reason ?? 'no reason given'})`;
      const total = entry.coordinate === 'Statistics.total';
      return {
        ...base,
        group: 'statistics',
        headline: total ? 'total withheld' : 'disclosure control',
        reason: total ? `The total is withheld: ${why}.` : `${plural(count, 'cell')} withheld: ${why}.`,
        ...(entry.reason ? { code: entry.reason } : {}),
      };
    }
    default:
      return { ...base, group: 'other', headline: `${entry.action.toLowerCase()} in ${plural(count, 'value')}`, reason: `Action ${entry.action}.` };
  }
}

export interface ReportSummary {
  readonly withheld: number;
  readonly minimised: number;
  readonly disclosed: number;
  readonly statistics: number;
  /** One line, e.g. "3 fields withheld, 2 minimised, 9 disclosed in full". */
  readonly line: string;
}

/** Counts of distinct coordinates per group, and one summary line. */
export function summarise(report: PrivacyReport): ReportSummary {
  const fields = (report.fields ?? []).map(describeEntry);
  const distinct = (group: EntryGroup): number => new Set(fields.filter((f) => f.group === group).map((f) => f.coordinate)).size;
  const withheld = distinct('withheld');
  const minimised = distinct('minimised');
  const disclosed = distinct('disclosed');
  const statistics = fields.filter((f) => f.group === 'statistics').length;
  const parts: string[] = [];
  if (withheld > 0) parts.push(`${plural(withheld, 'field')} withheld`);
  if (minimised > 0) parts.push(`${parts.length > 0 ? minimised : plural(minimised, 'field')} minimised`);
  if (disclosed > 0) parts.push(`${parts.length > 0 ? disclosed : plural(disclosed, 'field')} disclosed in full`);
  const suppressed = fields.filter((f) => f.group === 'statistics' && f.code !== undefined && f.coordinate !== 'Statistics.total').reduce((n, f) => n + f.count, 0);
  if (statistics > 0) parts.push(suppressed > 0 ? `${plural(suppressed, 'statistics cell')} withheld` : 'statistics released');
  return { withheld, minimised, disclosed, statistics, line: parts.length > 0 ? parts.join(', ') : 'no personal fields decided' };
}

export interface DescribedError {
  readonly code: string;
  readonly sentence: string;
  readonly message: string;
}

/** The errors of a response with their codes in plain language. */
export function describeErrors(errors: readonly GraphQLErrorLike[]): DescribedError[] {
  return errors.map((error) => {
    const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'ERROR';
    return { code, sentence: ERROR_CODES[code] ?? 'The request failed.', message: error.message ?? '' };
  });
}

/** "ANTI_TRAFFICKING" → "anti-trafficking". */
export function humanise(code: string): string {
  return code.toLowerCase().replace(/_/g, ' ').replace(/^anti /, 'anti-');
}

/** The "Privacy: …" line of a field description (the schema's privacy lines), if any. */
export function privacyLineOf(description: string | null | undefined): string | null {
  if (!description) return null;
  const at = description.lastIndexOf('Privacy:');
  return at < 0 ? null : description.slice(at).trim();
}
