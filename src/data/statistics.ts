/**
 * Counts of scoped records by dimensions: one MongoDB aggregation
 * (`$match` row scope → `$project` one value per dimension → `$group` count). The
 * database returns one document per combination of values, never a record, so the
 * gateway's memory depends on the number of distinct combinations, not on the number
 * of records. Ages are computed in the database at today's date and returned as the
 * lower bound of their ten-year band.
 */
import type { Document } from 'mongodb';
import type { RowScope } from '../policy/scope';
import { ageBandOf, TOP_AGE_BAND, type CountedGroup } from '../policy/statistics';
import type { StatDimension } from '../policy/taxonomy';
import type { Collections } from './database';
import { scopeFilter } from './migrants';

/** `$field`, or null where the record has no value. */
const valueOf = (path: string): Document => ({ $ifNull: [`$${path}`, null] });

/** An expression that is null when the date at `path` is absent, else `then`. */
const whenDate = (path: string, then: Document): Document => ({ $cond: [{ $eq: [valueOf(path), null] }, null, then] });

/** Age in whole years at `today` (UTC), counting a birthday on today's month and day as reached. */
function ageExpression(today: Date): Document {
  const monthDayToday = (today.getUTCMonth() + 1) * 100 + today.getUTCDate();
  const monthDayOfBirth = { $add: [{ $multiply: [{ $month: '$dateOfBirth' }, 100] }, { $dayOfMonth: '$dateOfBirth' }] };
  return {
    $subtract: [
      { $subtract: [today.getUTCFullYear(), { $year: '$dateOfBirth' }] },
      { $cond: [{ $gt: [monthDayOfBirth, monthDayToday] }, 1, 0] },
    ],
  };
}

/** The lower bound of the age band (0, 10, …, 90 for `90+`), null without a (plausible) date of birth. */
function ageBandExpression(today: Date): Document {
  const age = ageExpression(today);
  return whenDate(
    'dateOfBirth',
    {
      $cond: [
        { $lt: [age, 0] },
        null,
        { $cond: [{ $gte: [age, TOP_AGE_BAND] }, TOP_AGE_BAND, { $subtract: [age, { $mod: [age, 10] }] }] },
      ],
    },
  );
}

function dimensionExpression(dimension: StatDimension, today: Date): Document {
  switch (dimension) {
    case 'NATIONALITY':
      return valueOf('nationality');
    case 'SEX':
      return valueOf('sex');
    case 'AGE_BAND':
      return ageBandExpression(today);
    case 'LEGAL_STATUS':
      return valueOf('legalStatus');
    case 'ARRIVAL_YEAR':
      return whenDate('arrivalDate', { $year: '$arrivalDate' });
    case 'HOLDER':
      return valueOf('holder');
    case 'VICTIM_STATUS':
      return valueOf('victimStatus.status');
    default: {
      const unreachable: never = dimension;
      throw new TypeError(`unknown dimension ${String(unreachable)}`);
    }
  }
}

/** A counted value as the cell key shows it. */
function keyValue(dimension: StatDimension, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (dimension === 'AGE_BAND') return typeof value === 'number' ? ageBandOf(value) : null;
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' ? value : null;
}

/** Groups per batch from the database: a small batch keeps the groups in flight few. */
const GROUP_BATCH = 1_000;

/**
 * Counts the records in `scope` by `dimensions` (the caller validates them), one group
 * per combination of values that occurs, handed to `onGroup` as the cursor streams them
 * (nothing is kept here). Records with no value for a dimension count under null.
 */
export async function forEachGroup(
  collections: Collections,
  scope: RowScope,
  dimensions: readonly StatDimension[],
  today: Date,
  onGroup: (group: CountedGroup) => void,
): Promise<void> {
  const project: Document = { _id: 0 };
  const groupKey: Document = {};
  dimensions.forEach((dimension, i) => {
    project[`d${i}`] = dimensionExpression(dimension, today);
    groupKey[`d${i}`] = `$d${i}`;
  });
  const pipeline: Document[] = [
    { $match: scopeFilter(scope) },
    ...(dimensions.length > 0 ? [{ $project: project }] : []),
    { $group: { _id: dimensions.length > 0 ? groupKey : null, count: { $sum: 1 } } },
  ];
  // The cursor streams groups; only groups, never records, reach the gateway.
  for await (const doc of collections.migrants.aggregate<{ _id: Record<string, unknown> | null; count: number }>(pipeline, { allowDiskUse: true, batchSize: GROUP_BATCH })) {
    onGroup({ key: dimensions.map((dimension, i) => keyValue(dimension, doc._id?.[`d${i}`])), count: doc.count });
  }
}

/** The groups of `forEachGroup`, collected (small tables, tests). */
export async function countByDimensions(
  collections: Collections,
  scope: RowScope,
  dimensions: readonly StatDimension[],
  today: Date,
): Promise<CountedGroup[]> {
  const groups: CountedGroup[] = [];
  await forEachGroup(collections, scope, dimensions, today, (group) => groups.push(group));
  return groups;
}
