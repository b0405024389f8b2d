/**
 * Filters that would reveal masked values (contract section 5): a filter on a field this
 * context may not see in full lets a caller infer the value from which records match.
 */
import type { MigrantFilter } from '../generated/resolvers-types';
import { gatewayError } from '../context/errors';
import type { GatewayContext } from '../context/GatewayContext';

/** The field each filter argument reveals. */
export const FILTER_COORDINATES: Readonly<Record<keyof MigrantFilter, string | null>> = {
  nationality: 'Migrant.nationality',
  legalStatus: 'Migrant.legalStatus',
  holder: null,
  familyName: 'Migrant.familyName',
  documentNumber: 'TravelDocument.number',
  arrivedAfter: 'Migrant.arrivalDate',
  arrivedBefore: 'Migrant.arrivalDate',
};

/**
 * Every coordinate a read can select records by: the filter fields, and
 * `Migrant.nationality`, which the row scope selects by under NATIONALS_OF_PARTIES. The
 * privacy runtime counts membership for these once per record (see privacyRuntime.ts).
 */
export const MEMBERSHIP_COORDINATES: readonly string[] = [
  ...new Set([...Object.values(FILTER_COORDINATES).filter((c): c is string => c !== null), 'Migrant.nationality']),
].sort();

/**
 * The coordinates of the fields `filter` selects records by (membership is a disclosure:
 * every record it returns discloses them). `holder` reveals no personal field.
 */
export function filterCoordinatesOf(filter: MigrantFilter | null | undefined): string[] {
  if (!filter) return [];
  const coordinates = new Set<string>();
  for (const [name, coordinate] of Object.entries(FILTER_COORDINATES)) {
    if (filter[name as keyof MigrantFilter] != null && coordinate !== null) coordinates.add(coordinate);
  }
  return [...coordinates].sort();
}

/**
 * A filter on a field this context may not see in full for every record would let a
 * caller infer the masked value from which records match: refused (FILTER_NOT_PERMITTED).
 */
export function refuseRevealingFilters(filter: MigrantFilter, context: GatewayContext): void {
  for (const [name, coordinate] of Object.entries(FILTER_COORDINATES)) {
    if (filter[name as keyof MigrantFilter] == null || coordinate === null) continue;
    if (filterPermitted(coordinate, context)) continue;
    throw gatewayError('FILTER_NOT_PERMITTED', `Filtering on \`${name}\` would reveal ${coordinate}, which this context may not see in full.`);
  }
}

/** Whether `coordinate` is disclosed in full for every record in this context. */
export function filterPermitted(coordinate: string, context: GatewayContext): boolean {
  // Without a privacy runtime (the benchmark baseline) nothing is masked.
  if (!context.privacy) return true;
  if (coordinate === 'TravelDocument.number' && context.privacy.staticDecision('Migrant.documents').action !== 'DISCLOSE') return false;
  return context.privacy.staticDecision(coordinate).action === 'DISCLOSE';
}
