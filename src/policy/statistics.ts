/**
 * Statistics with disclosure control (contract section 5), the pure part: which
 * dimensions a context may count by, how filters and dimensions are validated, how ages
 * fold into bands, and which cells of a table are suppressed. The database aggregation
 * is in src/data/statistics.ts; the resolver only joins the two.
 *
 * Suppression, in the terms of statistical disclosure control:
 * - primary: a cell whose count is below the agreement's `minCellSize` is withheld;
 * - complementary: a withheld count must not be recoverable by subtraction from any
 *   published sum. The table's total is one such sum; the margins of the table (the
 *   sums over one or more of its dimensions) are others, because a caller can ask for
 *   them with fewer dimensions, or as a filtered slice. So every group of cells that
 *   shares the values of some dimensions (all cells; the cells of one row; of one
 *   column; ...) that holds exactly one withheld cell gets its next smallest cell
 *   withheld too, repeated until no group has exactly one. Ties are broken by key, so the
 *   same question always gets the same answer.
 * A filtered table is computed as the slice of the table grouped by the filter's
 * dimensions as well, with suppression decided on that whole table, so a slice never
 * shows a count the whole table withholds.
 */
import type { FieldPolicy } from './decide';
import { accessRank, type Purpose, type StatDimension } from './taxonomy';
import type { GrantPolicy } from './treaty';

/** The most dimensions one table may have, counting filtered dimensions. */
export const MAX_STAT_DIMENSIONS = 3;

/** The key value of a cell where no value is on record. */
export const UNKNOWN_VALUE = 'UNKNOWN';

/** Age bands are ten years wide; from this age on there is one open band, `90+`. */
export const TOP_AGE_BAND = 90;

/**
 * The field each dimension reveals in aggregate, whose directives decide whether this
 * context may count by it. `null`: not personal data (the holding party of a record).
 */
export const DIMENSION_FIELDS: Readonly<Record<StatDimension, string | null>> = {
  NATIONALITY: 'Migrant.nationality',
  SEX: 'Migrant.sex',
  AGE_BAND: 'Migrant.dateOfBirth',
  LEGAL_STATUS: 'Migrant.legalStatus',
  ARRIVAL_YEAR: 'Migrant.arrivalDate',
  HOLDER: null,
  VICTIM_STATUS: 'Migrant.victimStatus',
};

/** Filter arguments and the dimension each one fixes. */
export const FILTER_DIMENSIONS = {
  nationality: 'NATIONALITY',
  sex: 'SEX',
  ageBand: 'AGE_BAND',
  legalStatus: 'LEGAL_STATUS',
  arrivalYear: 'ARRIVAL_YEAR',
  holder: 'HOLDER',
  victimStatus: 'VICTIM_STATUS',
} as const satisfies Record<string, StatDimension>;

export type StatFilterName = keyof typeof FILTER_DIMENSIONS;

/** Why a context may not count by a dimension. */
export type DimensionRefusal =
  | 'PURPOSE_NOT_ALLOWED_FOR_FIELD'
  | 'SPECIAL_CATEGORY_NOT_COVERED'
  | 'CONSENT_REQUIRED'
  | 'CATEGORY_NOT_GRANTED'
  | 'FIELD_NOT_ANNOTATED';

/**
 * Whether this grant and purpose allow counting by `dimension` (contract section 5): the
 * grant's level for the field's category at least AGGREGATE; a special category listed in
 * the grant; a purpose the field allows. Deny by default: a personal dimension whose field
 * has no policy is refused, and a consent-dependent field (whose counts would depend on
 * who consented) is never a dimension.
 */
export function dimensionRefusal(
  dimension: StatDimension,
  policyOf: (coordinate: string) => FieldPolicy | undefined,
  grant: GrantPolicy,
  purpose: Purpose,
): DimensionRefusal | null {
  const coordinate = DIMENSION_FIELDS[dimension];
  if (coordinate === null) return null;
  const policy = policyOf(coordinate);
  if (!policy) return 'FIELD_NOT_ANNOTATED';
  if (policy.allow && !policy.allow.includes(purpose)) return 'PURPOSE_NOT_ALLOWED_FOR_FIELD';
  if (policy.sensitive) {
    if (!grant.specialCategories.includes(policy.sensitive.category)) return 'SPECIAL_CATEGORY_NOT_COVERED';
    return policy.sensitive.consent ? 'CONSENT_REQUIRED' : null;
  }
  if (policy.category) {
    return accessRank(grant.categories[policy.category] ?? 'NONE') >= accessRank('AGGREGATE') ? null : 'CATEGORY_NOT_GRANTED';
  }
  // Only `@purpose(allow:)`, and the purpose is allowed.
  return policy.allow ? null : 'FIELD_NOT_ANNOTATED';
}

/** A plain sentence for a refusal (the error message names the dimension). */
export function refusalText(reason: DimensionRefusal): string {
  switch (reason) {
    case 'PURPOSE_NOT_ALLOWED_FOR_FIELD':
      return 'the field may not be used for this purpose';
    case 'SPECIAL_CATEGORY_NOT_COVERED':
      return "the grant does not list the field's special category";
    case 'CONSENT_REQUIRED':
      return 'the field is disclosed only with each subject\'s consent, so it cannot be counted';
    case 'CATEGORY_NOT_GRANTED':
      return "the grant's level for the field's category is below AGGREGATE";
    case 'FIELD_NOT_ANNOTATED':
      return 'the field has no privacy policy';
    default: {
      const unreachable: never = reason;
      return String(unreachable);
    }
  }
}

/** The ten-year band of an age (`30-39`), `90+` from 90, UNKNOWN for no or a negative age. */
export function ageBandOf(age: number | null | undefined): string {
  if (typeof age !== 'number' || !Number.isInteger(age) || age < 0) return UNKNOWN_VALUE;
  if (age >= TOP_AGE_BAND) return `${TOP_AGE_BAND}+`;
  const low = age - (age % 10);
  return `${low}-${low + 9}`;
}

/** The ages of a band label, or null when the label is not a band. */
export function ageBandRange(label: string): { readonly min: number; readonly max: number | null } | null {
  if (label === `${TOP_AGE_BAND}+`) return { min: TOP_AGE_BAND, max: null };
  const match = /^(\d{1,2})-(\d{1,2})$/.exec(label);
  if (!match) return null;
  const min = Number(match[1]);
  const max = Number(match[2]);
  if (min % 10 !== 0 || max !== min + 9 || min >= TOP_AGE_BAND) return null;
  return { min, max };
}

/** One group the database counted: a value per dimension (null: none on record). */
export interface CountedGroup {
  readonly key: readonly (string | null)[];
  readonly count: number;
}

export interface ProtectedCell {
  readonly key: readonly string[];
  readonly count: number | null;
  readonly suppressed: boolean;
}

export interface ProtectedTable {
  readonly cells: readonly ProtectedCell[];
  readonly total: number | null;
  readonly suppressedCells: number;
  /** Cells withheld for being below the threshold. */
  readonly primary: number;
  /** Cells withheld so that a withheld count cannot be recovered. */
  readonly complementary: number;
}

/**
 * Merges counted groups into cells (keys as strings; groups that fold into the same key,
 * such as ages of one band, are added up), sorted by key.
 */
export function mergeGroups(groups: Iterable<CountedGroup>): Array<{ key: string[]; count: number }> {
  const cells = new Map<string, { key: string[]; count: number }>();
  for (const group of groups) {
    if (!Number.isSafeInteger(group.count) || group.count <= 0) continue;
    const key = group.key.map((value) => (value === null ? UNKNOWN_VALUE : value));
    const id = JSON.stringify(key);
    const found = cells.get(id);
    if (found) found.count += group.count;
    else cells.set(id, { key, count: group.count });
  }
  return [...cells.values()].sort((a, b) => compareKeys(a.key, b.key));
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** The most cells a table may have (the product of its dimensions' distinct values). */
export const MAX_TABLE_CELLS = 50_000;

export class TableTooLargeError extends Error {
  constructor(readonly cells: number) {
    super(`the table would have ${cells} cells, more than ${MAX_TABLE_CELLS}`);
    this.name = 'TableTooLargeError';
  }
}

/**
 * Applies primary and complementary suppression to a table of `dimensions` dimensions,
 * then returns its slice: the cells whose key has `slice[i]` at every position `i` where
 * that is defined, each keyed by its first `keep` positions (the dimensions asked for;
 * the dimensions only filtered on come after them).
 *
 * The table is completed first: every combination of the values each dimension takes in
 * `cells` is a cell, those no record has count zero, and a zero is below any threshold,
 * so it is withheld like any small count. Otherwise an unlisted combination would
 * disclose a zero ("nobody of this nationality is a recognised victim") and leave groups
 * of one cell, whose margin is the cell itself.
 */
export function protectTable(
  observed: ReadonlyArray<{ readonly key: readonly string[]; readonly count: number }>,
  dimensions: number,
  minCellSize: number,
  options: { readonly keep?: number; readonly slice?: ReadonlyArray<string | undefined> } = {},
): ProtectedTable {
  const keep = options.keep ?? dimensions;
  const slice = options.slice ?? [];
  const cells = completeTable(observed, dimensions);
  const suppressed = cells.map((cell) => cell.count < minCellSize);

  // Every group of cells that share their values at a subset of the positions: the table
  // itself (the empty subset) and all its margins. Members sorted by count, then key.
  const groups: { members: number[]; withheld: number; next: number }[] = [];
  const groupsOfCell: number[][] = cells.map(() => []);
  for (let mask = 0; mask < (1 << dimensions) - 1; mask++) {
    const fixed = [...Array(dimensions).keys()].filter((i) => (mask & (1 << i)) !== 0);
    const byValues = new Map<string, number[]>();
    cells.forEach((cell, index) => {
      const id = JSON.stringify(fixed.map((i) => cell.key[i]));
      const members = byValues.get(id);
      if (members) members.push(index);
      else byValues.set(id, [index]);
    });
    for (const members of byValues.values()) {
      members.sort((a, b) => cells[a]!.count - cells[b]!.count || a - b);
      const id = groups.length;
      groups.push({ members, withheld: members.filter((m) => suppressed[m]).length, next: 0 });
      for (const m of members) groupsOfCell[m]!.push(id);
    }
  }
  // A group with exactly one withheld cell gets its smallest shown cell withheld too;
  // that may leave another group with exactly one, so the groups of each newly withheld
  // cell are looked at again, until no group has exactly one.
  const pending = groups.map((_, id) => id);
  while (pending.length > 0) {
    const group = groups[pending.pop()!]!;
    if (group.withheld !== 1) continue;
    while (group.next < group.members.length && suppressed[group.members[group.next]!]) group.next++;
    if (group.next >= group.members.length) continue;
    const cell = group.members[group.next]!;
    suppressed[cell] = true;
    for (const id of groupsOfCell[cell]!) {
      groups[id]!.withheld++;
      pending.push(id);
    }
  }

  const out: ProtectedCell[] = [];
  let total = 0;
  let suppressedCells = 0;
  let primary = 0;
  cells.forEach((cell, index) => {
    if (!slice.every((value, i) => value === undefined || cell.key[i] === value)) return;
    total += cell.count;
    const withheld = suppressed[index]!;
    if (withheld) {
      suppressedCells++;
      if (cell.count < minCellSize) primary++;
    }
    out.push({ key: cell.key.slice(0, keep), count: withheld ? null : cell.count, suppressed: withheld });
  });
  // When the filter fixes every dimension, the total is one cell of the whole table and
  // is withheld with it.
  const everyPositionFixed = [...Array(dimensions).keys()].every((i) => slice[i] !== undefined);
  const totalWithheld = total < minCellSize || (everyPositionFixed && suppressedCells > 0);
  return {
    cells: out,
    total: totalWithheld ? null : total,
    suppressedCells,
    primary,
    complementary: suppressedCells - primary,
  };
}

/** Every combination of the values each position takes in `observed`, sorted by key; absent ones count zero. */
function completeTable(
  observed: ReadonlyArray<{ readonly key: readonly string[]; readonly count: number }>,
  dimensions: number,
): Array<{ key: string[]; count: number }> {
  if (observed.length === 0) return [];
  const domains = [...Array(dimensions).keys()].map((i) => [...new Set(observed.map((c) => c.key[i]!))].sort());
  const size = domains.reduce((product, domain) => product * domain.length, 1);
  if (size > MAX_TABLE_CELLS) throw new TableTooLargeError(size);
  const counts = new Map(observed.map((c) => [JSON.stringify(c.key), c.count]));
  let keys: string[][] = [[]];
  for (const domain of domains) keys = keys.flatMap((prefix) => domain.map((value) => [...prefix, value]));
  return keys.map((key) => ({ key, count: counts.get(JSON.stringify(key)) ?? 0 }));
}
