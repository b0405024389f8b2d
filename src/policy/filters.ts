/**
 * Filters and what they reveal (contract section 5): a filter on a field this context may
 * not see in full would let a caller infer the masked value from which records match, and
 * every record a filter selects discloses the filtered fields (membership is a disclosure).
 */
import type { DecisionTable } from './decisionTable';

/** The field each filter argument of `migrants` reveals (`holder` reveals no personal field). */
export const FILTER_COORDINATES = {
  nationality: 'Migrant.nationality',
  legalStatus: 'Migrant.legalStatus',
  holder: null,
  familyName: 'Migrant.familyName',
  documentNumber: 'TravelDocument.number',
  arrivedAfter: 'Migrant.arrivalDate',
  arrivedBefore: 'Migrant.arrivalDate',
} as const satisfies Readonly<Record<string, string | null>>;

export type FilterName = keyof typeof FILTER_COORDINATES;
export type FilterValues = Partial<Record<FilterName, unknown>>;

/**
 * Every coordinate a read can select records by: the filter fields, and
 * `Migrant.nationality`, which the row scope selects by under NATIONALS_OF_PARTIES. The
 * disclosure ledger counts membership for these once per record.
 */
export const MEMBERSHIP_COORDINATES: readonly string[] = [
  ...new Set([...Object.values(FILTER_COORDINATES).filter((c): c is NonNullable<typeof c> => c !== null), 'Migrant.nationality']),
].sort();

/** The coordinates of the fields `filter` selects records by. */
export function filterCoordinatesOf(filter: FilterValues | null | undefined): string[] {
  if (!filter) return [];
  const coordinates = new Set<string>();
  for (const [name, coordinate] of Object.entries(FILTER_COORDINATES)) {
    if (filter[name as FilterName] != null && coordinate !== null) coordinates.add(coordinate);
  }
  return [...coordinates].sort();
}

/** Whether `coordinate` is disclosed in full for every record under `table` (a document number: with its documents). */
export function filterPermitted(coordinate: string, table: DecisionTable): boolean {
  if (coordinate === 'TravelDocument.number' && table.staticDecision('Migrant.documents').action !== 'DISCLOSE') return false;
  return table.staticDecision(coordinate).action === 'DISCLOSE';
}

/** The first filter given that `table` does not permit, or null when all are permitted. */
export function revealingFilter(filter: FilterValues, table: DecisionTable): { name: FilterName; coordinate: string } | null {
  for (const [name, coordinate] of Object.entries(FILTER_COORDINATES)) {
    if (filter[name as FilterName] == null || coordinate === null) continue;
    if (!filterPermitted(coordinate, table)) return { name: name as FilterName, coordinate };
  }
  return null;
}
