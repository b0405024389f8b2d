/**
 * `PartialDate`: an ISO 8601 calendar date at full or reduced precision (`YYYY-MM-DD`,
 * `YYYY-MM`, `YYYY`). Minimised dates keep the type at reduced precision.
 */
import { addDays } from './calendar';

export interface PartialDate {
  readonly year: number;
  readonly month: number | null;
  readonly day: number | null;
}

const PATTERN = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/** The parsed value, or null when `value` is not a real date at one of the three precisions. */
export function parsePartialDate(value: string): PartialDate | null {
  const match = PATTERN.exec(value);
  if (!match) return null;
  const year = Number(match[1]);
  const month = match[2] === undefined ? null : Number(match[2]);
  const day = match[3] === undefined ? null : Number(match[3]);
  if (year < 1 || (month !== null && (month < 1 || month > 12))) return null;
  if (day !== null && month !== null) {
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) return null;
  }
  return { year, month, day };
}

/** The first and last day (both inclusive, midnight UTC) that a partial date covers. */
export function partialDateRange(value: PartialDate): { first: Date; last: Date } {
  const { year, month, day } = value;
  if (month === null) return { first: utc(year, 1, 1), last: utc(year, 12, 31) };
  if (day === null) return { first: utc(year, month, 1), last: addDays(utc(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1), -1) };
  const exact = utc(year, month, day);
  return { first: exact, last: exact };
}

/** `YYYY-MM-DD` of a stored date (midnight UTC): the calendar's one rule. */
export { toIsoDate as formatFullDate } from './calendar';

function utc(year: number, month: number, day: number): Date {
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC maps years 0-99 to 1900-1999; set the year explicitly.
  date.setUTCFullYear(year);
  return date;
}
