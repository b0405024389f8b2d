/**
 * Statistics with disclosure control (docs/api.md section 5), the pure part: which
 * dimensions a context may count by, how filters and dimensions are validated, how ages
 * fold into bands, and how one answer is cut from the protected lattice of tables.
 *
 * Which cells are withheld is decided in src/policy/disclosure/ over every table the
 * context can ask for (the lattice of its permitted dimensions), so that answers agree
 * with each other and no withheld count can be narrowed below `minCellSize` from the
 * published ones. A filtered table is the slice of the table that also groups by the
 * filtered dimensions. The database aggregation is in src/data/statistics.ts; the
 * resolver only joins the two.
 */
import type { FieldPolicy } from './decide';
import { bitsOf } from './disclosure/lattice';
import { MAX_AUDITED_CELLS, TableTooLargeError, type Protection } from './disclosure/protect';
import { accessRank, STAT_DIMENSIONS, type Purpose, type StatDimension } from './taxonomy';

export { TableTooLargeError } from './disclosure/protect';
import type { GrantPolicy } from './treaty';

/** The most dimensions one table may have, counting filtered dimensions. */
export const MAX_STAT_DIMENSIONS = 3;

/** The dimensions of a context's lattice: those it may count by, in canonical order. */
export function latticeDimensions(permitted: (dimension: StatDimension) => boolean): StatDimension[] {
  return STAT_DIMENSIONS.filter(permitted);
}

/** The key value of a cell where no value is on record. */
export const UNKNOWN_VALUE = 'UNKNOWN';

/** Age bands are ten years wide; from this age on there is one open band, `90+`. */
export const TOP_AGE_BAND = 90;

/**
 * The field each dimension reveals in aggregate, whose directives decide whether this
 * context may count by it. `null`: not personal data (the holding party of a record).
 */
export const DIMENSION_FIELDS = {
  NATIONALITY: 'Migrant.nationality',
  SEX: 'Migrant.sex',
  AGE_BAND: 'Migrant.dateOfBirth',
  LEGAL_STATUS: 'Migrant.legalStatus',
  ARRIVAL_YEAR: 'Migrant.arrivalDate',
  HOLDER: null,
  VICTIM_STATUS: 'Migrant.victimStatus',
} as const satisfies Readonly<Record<StatDimension, string | null>>;

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

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** The most cells a table may have (the product of its dimensions' distinct values). */
export const MAX_TABLE_CELLS = MAX_AUDITED_CELLS;

/**
 * One answer of `statistics`: the table over the dimensions asked for and those only
 * filtered on, as `protection` withholds it, sliced to the filter's values, each cell
 * keyed by the dimensions asked for in their order. The total of a slice is the cell of
 * the table over the filtered dimensions at the filter's values (the grand total without
 * a filter), published or withheld as that table has it, so every answer of the lattice
 * agrees with every other. A filter value no record has gives no cell and a withheld
 * total (a zero is withheld like any small count).
 */
export async function publishTable(
  protection: Protection,
  groupBy: readonly StatDimension[],
  filter: ReadonlyMap<StatDimension, string>,
): Promise<ProtectedTable> {
  const { lattice, minCellSize } = protection;
  const bit = (dimension: StatDimension): number => {
    const index = lattice.dimensions.indexOf(dimension);
    if (index < 0) throw new RangeError(`${dimension} is not a dimension of this lattice`);
    return index;
  };
  const filterBits = new Map([...filter].map(([dimension, value]) => [bit(dimension), lattice.domains[bit(dimension)]!.indexOf(value)]));
  const filterMask = [...filterBits.keys()].reduce((mask, b) => mask | (1 << b), 0);
  const mask = groupBy.reduce((m, dimension) => m | (1 << bit(dimension)), filterMask);
  const size = lattice.size(mask);
  if (size > MAX_TABLE_CELLS) throw new TableTooLargeError(size, groupBy.concat([...filter.keys()]));

  const unobserved = [...filterBits.values()].some((position) => position < 0);
  const bits = bitsOf(mask);
  const position = (dimension: StatDimension): number => bits.indexOf(bit(dimension));
  const counts = lattice.table(mask);
  const withheld = await protection.pattern(mask);
  const cells: ProtectedCell[] = [];
  let primary = 0;
  let suppressedCells = 0;
  if (!unobserved) {
    for (let cell = 0; cell < counts.length; cell++) {
      const values = lattice.decode(mask, cell);
      if (![...filterBits].every(([b, value]) => values[bits.indexOf(b)] === value)) continue;
      const count = counts[cell]!;
      const suppressed = withheld[cell] === 1;
      if (suppressed) {
        suppressedCells++;
        if (count < minCellSize) primary++;
      }
      const key = groupBy.map((dimension) => lattice.domains[bit(dimension)]![values[position(dimension)]!]!);
      cells.push({ key, count: suppressed ? null : count, suppressed });
    }
  }
  cells.sort((a, b) => compareKeys(a.key, b.key));

  let total: number | null = null;
  if (!unobserved) {
    const totalCell = lattice.encode(filterMask, bitsOf(filterMask).map((b) => filterBits.get(b)!));
    const totalWithheld = (await protection.pattern(filterMask))[totalCell] === 1;
    total = totalWithheld ? null : lattice.table(filterMask)[totalCell]!;
  }
  return { cells, total, suppressedCells, primary, complementary: suppressedCells - primary };
}
