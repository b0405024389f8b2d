/**
 * Filters that would reveal masked values (contract section 5): a filter on a field this
 * context may not see in full lets a caller infer the value from which records match.
 */
import type { MigrantFilter } from '../generated/resolvers-types';
import { gatewayError } from '../server/errors';
import type { GatewayContext } from '../server/GatewayContext';

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
