/** The page size of a connection's `first` argument, by the one rule (src/policy/paging.ts); BAD_USER_INPUT otherwise. */
import { gatewayError } from '../context/errors';
import type { GatewayContext } from '../context/GatewayContext';
import { pageSizeOf } from '../policy/paging';

export function pageSize(first: number | null | undefined, context: Pick<GatewayContext, 'maxPageSize'>): number {
  const page = pageSizeOf(first, context.maxPageSize);
  if ('problem' in page) throw gatewayError('BAD_USER_INPUT', page.problem);
  return page.size;
}
