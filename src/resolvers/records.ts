/** Loading records by internal id for nested fields (family, request subjects). */
import type { MigrantDoc } from '../data/documents';
import { requireTreaty, type GatewayContext } from '../server/GatewayContext';

/**
 * The records with these internal ids that are in this context's scope, in the given
 * order, with their per-record facts loaded. Out-of-scope ids are left out; a read
 * error fails the field.
 */
export async function loadRecords(context: GatewayContext, ids: readonly string[]): Promise<MigrantDoc[]> {
  const members = await requireTreaty(context).loaders.migrant.loadMany(ids);
  const found = members.filter((m): m is MigrantDoc => {
    if (m instanceof Error) throw m;
    return m !== null;
  });
  return found;
}
