/**
 * `Query.statistics` (contract section 5): validates the dimensions and the filter,
 * checks each against the grant (FILTER_NOT_PERMITTED), counts in the database over the
 * row scope, and applies disclosure control before anything leaves the gateway. The
 * released table is noted for the privacy report and the audit trail.
 */
import { migrantsVersion } from '../data/dataVersion';
import { forEachGroup } from '../data/statistics';
import { startOfUtcDay } from '../policy/calendar';
import { LatticeBuilder, TooManyValuesError } from '../policy/disclosure/accumulate';
import { ProtectionCache } from '../policy/disclosure/cache';
import { Protection, UnprotectableTableError } from '../policy/disclosure/protect';
import {
  ageBandRange,
  DIMENSION_FIELDS,
  FILTER_DIMENSIONS,
  latticeDimensions,
  MAX_STAT_DIMENSIONS,
  MAX_TABLE_CELLS,
  publishTable,
  refusalText,
  TableTooLargeError,
  UNKNOWN_VALUE,
  type ProtectedTable,
  type StatFilterName,
} from '../policy/statistics';
import type { StatDimension } from '../policy/taxonomy';
import type { QueryResolvers, StatisticsFilter } from '../generated/resolvers-types';
import { gatewayError } from '../context/errors';
import { requireTreaty, type GatewayContext } from '../context/GatewayContext';

const CODE = /^[A-Z]{3}$/;
const PARTY_CODE = /^[A-Za-z0-9_-]{1,32}$/;
const FIRST_YEAR = 1900;
const LAST_YEAR = 2200;

/** The filter as dimension values in cell-key form; refuses values that cannot be keys. */
function filterValues(filter: StatisticsFilter | null | undefined): Map<StatDimension, string> {
  const values = new Map<StatDimension, string>();
  if (!filter) return values;
  for (const name of Object.keys(FILTER_DIMENSIONS) as StatFilterName[]) {
    const raw = filter[name];
    if (raw === null || raw === undefined) continue;
    const dimension = FILTER_DIMENSIONS[name];
    let value: string;
    switch (name) {
      case 'nationality':
        if (typeof raw !== 'string' || !CODE.test(raw)) throw gatewayError('BAD_USER_INPUT', '`filter.nationality` must be an ISO 3166-1 alpha-3 code such as "NGA".');
        value = raw;
        break;
      case 'holder':
        if (typeof raw !== 'string' || !PARTY_CODE.test(raw)) throw gatewayError('BAD_USER_INPUT', '`filter.holder` must be a party code such as "ITA".');
        value = raw;
        break;
      case 'ageBand':
        if (typeof raw !== 'string' || ageBandRange(raw) === null) throw gatewayError('BAD_USER_INPUT', '`filter.ageBand` must be a ten-year band such as "30-39", or "90+".');
        value = raw;
        break;
      case 'arrivalYear':
        if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < FIRST_YEAR || raw > LAST_YEAR) {
          throw gatewayError('BAD_USER_INPUT', `\`filter.arrivalYear\` must be a year from ${FIRST_YEAR} to ${LAST_YEAR}.`);
        }
        value = String(raw);
        break;
      default:
        // Enums (sex, legalStatus, victimStatus) were validated by GraphQL.
        value = String(raw);
    }
    values.set(dimension, value);
  }
  return values;
}

function groupByOf(groupBy: readonly StatDimension[]): StatDimension[] {
  const seen = new Set<StatDimension>();
  for (const dimension of groupBy) {
    if (seen.has(dimension)) throw gatewayError('BAD_USER_INPUT', `\`groupBy\` names ${dimension} twice.`);
    seen.add(dimension);
  }
  return [...groupBy];
}

/** Protected lattices by context and data version (see src/policy/disclosure/cache.ts). */
const protections = new ProtectionCache();

/**
 * The protection of this context's lattice: every table over its permitted dimensions.
 * Kept per database, context, scope (which moves with the day: retention), day (ages),
 * dimensions and version of the migrant records (src/data/dataVersion.ts); on a miss, counted in one
 * aggregation over the row scope whose groups stream into the lattice's tables and are
 * not kept. Concurrent requests for the same key share one count and one protection.
 */
async function protectionFor(context: GatewayContext, permitted: readonly StatDimension[]): Promise<Protection> {
  const { treaty } = requireTreaty(context);
  const today = startOfUtcDay(context.now);
  const minCellSize = treaty.agreement.minCellSize;
  const version = await migrantsVersion(context.collections);
  const key = JSON.stringify([context.collections.migrants.dbName, treaty.agreement._id, treaty.purpose, context.caller.party, minCellSize, treaty.scope, today, permitted, version]);
  return protections.get(key, async () => {
    const builder = new LatticeBuilder(permitted);
    await forEachGroup(context.collections, treaty.scope, permitted, today, (group) =>
      builder.add(group.key.map((value) => value ?? UNKNOWN_VALUE), group.count),
    );
    return new Protection(builder.build().lattice, minCellSize);
  });
}

export const statistics: NonNullable<QueryResolvers['statistics']> = async (_parent, args, context: GatewayContext) => {
  const { treaty, decisions, ledger } = requireTreaty(context);
  const groupBy = groupByOf(args.groupBy);
  const filter = filterValues(args.filter);
  // The table: the dimensions asked for, then those only filtered on (a slice of it).
  const dimensions = [...groupBy, ...[...filter.keys()].filter((d) => !groupBy.includes(d))];
  if (dimensions.length > MAX_STAT_DIMENSIONS) {
    throw gatewayError('BAD_USER_INPUT', `A table has at most ${MAX_STAT_DIMENSIONS} dimensions, counting filtered ones; this one has ${dimensions.length}.`);
  }
  for (const dimension of dimensions) {
    const refusal = decisions.dimensionRefusal(dimension);
    if (refusal !== null) {
      const use = groupBy.includes(dimension) ? 'Counting by' : 'Filtering on';
      throw gatewayError('FILTER_NOT_PERMITTED', `${use} ${dimension} is not permitted in this context: ${refusalText(refusal)}.`);
    }
  }

  let table: ProtectedTable;
  try {
    const protection = await protectionFor(context, latticeDimensions((d) => decisions.dimensionRefusal(d) === null));
    table = await publishTable(protection, groupBy, filter);
  } catch (error) {
    if (error instanceof TableTooLargeError) {
      const asked = error.dimensions.length === dimensions.length && dimensions.every((d) => error.dimensions.includes(d));
      throw gatewayError(
        'BAD_USER_INPUT',
        asked
          ? `The table would have ${error.cells} cells, more than ${MAX_TABLE_CELLS}: use fewer or coarser dimensions.`
          : `Protecting this table needs the table over ${error.dimensions.join(' × ')}, which would have ${error.cells} cells, more than ${MAX_TABLE_CELLS}: use fewer or coarser dimensions.`,
      );
    }
    if (error instanceof TooManyValuesError) {
      throw gatewayError('BAD_USER_INPUT', `${error.dimension} has too many distinct values in this scope to be counted.`);
    }
    if (error instanceof UnprotectableTableError) {
      throw gatewayError(
        'FILTER_NOT_PERMITTED',
        `The table over ${error.dimensions.join(' × ')} cannot be published without letting a withheld count be narrowed below ${treaty.agreement.minCellSize}: ask for other dimensions.`,
      );
    }
    throw error;
  }
  ledger.noteAggregate({
    groupBy,
    filter: Object.fromEntries(filter),
    coordinates: [...new Set(dimensions.map((d) => DIMENSION_FIELDS[d] ?? 'Migrant.holder'))].sort(),
    cells: table.cells.length,
    primary: table.primary,
    complementary: table.complementary,
    totalWithheld: table.total === null,
  });
  return {
    groupBy,
    cells: table.cells.map((cell) => ({ key: [...cell.key], count: cell.count, suppressed: cell.suppressed })),
    total: table.total,
    suppressedCells: table.suppressedCells,
    minCellSize: treaty.agreement.minCellSize,
  };
};
