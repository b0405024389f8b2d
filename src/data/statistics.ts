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
import { ageBandOf, DIMENSION_FIELDS, TOP_AGE_BAND, type CountedGroup } from '../policy/statistics';
import type { StatDimension } from '../policy/taxonomy';
import type { Collections } from './database';
import { HOLDER_PATH, storedPathOf } from './migrantFields';
import { scopeFilter } from './migrants';

/** `$field`, or null where the record has no value. */
const valueOf = (path: string): Document => ({ $ifNull: [`$${path}`, null] });

/** An expression that is null when the date at `path` is absent, else `then`. */
const whenDate = (path: string, then: Document): Document => ({ $cond: [{ $eq: [valueOf(path), null] }, null, then] });

/** Age in whole years at `today` (UTC) of the date of birth at `path`, counting a birthday on today's month and day as reached. */
function ageExpression(path: string, today: Date): Document {
  const birth = `$${path}`;
  const monthDayToday = (today.getUTCMonth() + 1) * 100 + today.getUTCDate();
  const monthDayOfBirth = { $add: [{ $multiply: [{ $month: birth }, 100] }, { $dayOfMonth: birth }] };
  return {
    $subtract: [
      { $subtract: [today.getUTCFullYear(), { $year: birth }] },
      { $cond: [{ $gt: [monthDayOfBirth, monthDayToday] }, 1, 0] },
    ],
  };
}

/** The lower bound of the age band (0, 10, …, 90 for `90+`), null without a (plausible) date of birth. */
function ageBandExpression(path: string, today: Date): Document {
  const age = ageExpression(path, today);
  return whenDate(
    path,
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
    case 'SEX':
    case 'LEGAL_STATUS':
      return valueOf(storedPathOf(DIMENSION_FIELDS[dimension]));
    case 'AGE_BAND':
      return ageBandExpression(storedPathOf(DIMENSION_FIELDS.AGE_BAND), today);
    case 'ARRIVAL_YEAR': {
      const path = storedPathOf(DIMENSION_FIELDS.ARRIVAL_YEAR);
      return whenDate(path, { $year: `$${path}` });
    }
    case 'HOLDER':
      // Not a field of the record's subject: the party holding the record.
      return valueOf(HOLDER_PATH);
    case 'VICTIM_STATUS':
      // Counted by the status (`VictimStatus.status`); decided by `Migrant.victimStatus`.
      return valueOf(storedPathOf('VictimStatus.status'));
    default: {
      const unreachable: never = dimension;
      throw new TypeError(`unknown dimension ${String(unreachable)}`);
    }
  }
}

/** A counted value as the cell key shows it. */
function keyValue(dimension: StatDimension, text: string): string | null {
  if (text === '') return null;
  // Ages come back as numbers in text ("30", or "30.0" from a double); years likewise.
  if (dimension === 'AGE_BAND') return ageBandOf(numberOf(text));
  if (dimension === 'ARRIVAL_YEAR') {
    const year = numberOf(text);
    return year === null ? null : String(year);
  }
  return text;
}

/** The integer written in `text`, or null. */
function numberOf(text: string): number | null {
  const value = Number(text);
  return text.trim() !== '' && Number.isSafeInteger(value) ? value : null;
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
  const parts: (Document | string)[] = [];
  dimensions.forEach((dimension, i) => {
    project[`d${i}`] = dimensionExpression(dimension, today);
    if (i > 0) parts.push(KEY_SEPARATOR);
    parts.push(asKeyText(`$d${i}`));
  });
  // One string per group (values joined by a separator no value can hold), so that each
  // group reaching the gateway is one small string and a count, whatever the dimensions.
  const pipeline: Document[] = [
    { $match: scopeFilter(scope) },
    ...(dimensions.length > 0 ? [{ $project: project }] : []),
    { $group: { _id: dimensions.length > 0 ? { $concat: parts } : null, count: { $sum: 1 } } },
  ];
  // The cursor streams groups; only groups, never records, reach the gateway.
  for await (const doc of collections.migrants.aggregate<{ _id: string | null; count: number }>(pipeline, { allowDiskUse: true, batchSize: GROUP_BATCH })) {
    const texts = dimensions.length > 0 ? String(doc._id).split(KEY_SEPARATOR) : [];
    if (texts.length !== dimensions.length) throw new TypeError(`a statistics group key has ${texts.length} values for ${dimensions.length} dimensions`);
    onGroup({ key: dimensions.map((dimension, i) => keyValue(dimension, texts[i]!)), count: doc.count });
  }
}

/**
 * Separates the values of a group key. Import validation admits no control character in
 * a code, a band or a year; a value that holds one anyway fails the request (the number
 * of values no longer matches) rather than being counted under another key.
 */
const KEY_SEPARATOR = '\u001f';

/** The value at `path` as text for a group key: a string or number as text; none on record, or anything else, as "". */
function asKeyText(path: string): Document {
  return { $convert: { input: path, to: 'string', onError: '', onNull: '' } };
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
