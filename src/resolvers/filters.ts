/**
 * Filters that would reveal masked values (contract section 5), as the resolvers apply
 * them; the rule is src/policy/filters.ts.
 */
import { gatewayError } from '../context/errors';
import { requireTreaty, type GatewayContext } from '../context/GatewayContext';
import { filterPermitted as permittedBy, revealingFilter, type FilterValues } from '../policy/filters';

/**
 * A filter on a field this context may not see in full for every record would let a
 * caller infer the masked value from which records match: refused (FILTER_NOT_PERMITTED).
 */
export function refuseRevealingFilters(filter: FilterValues, context: GatewayContext): void {
  const refused = revealingFilter(filter, requireTreaty(context).decisions);
  if (refused) throw gatewayError('FILTER_NOT_PERMITTED', `Filtering on \`${refused.name}\` would reveal ${refused.coordinate}, which this context may not see in full.`);
}

/** Whether `coordinate` is disclosed in full for every record in this context. */
export function filterPermitted(coordinate: string, context: GatewayContext): boolean {
  return permittedBy(coordinate, requireTreaty(context).decisions);
}
