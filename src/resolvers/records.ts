/** Loading records by internal id for nested fields (family, request subjects). */
import type { MigrantDoc } from '../data/documents';
import { requireRecordAccess, type GatewayContext } from '../context/GatewayContext';

/**
 * The records with these internal ids that are in this context's scope, in the given
 * order, with their per-record facts loaded. Out-of-scope ids are left out; a read
 * error fails the field. The records found are noted with the privacy runtime: each is
 * disclosed (it exists, with its pseudonym and holder) and audited as a subject. `what`
 * names the field for a refusal under an aggregate-only grant.
 */
export async function loadRecords(context: GatewayContext, ids: readonly string[], what: string): Promise<MigrantDoc[]> {
  const { loaders, ledger } = requireRecordAccess(context, what);
  const members = await loaders.migrant.loadMany(ids);
  const found = members.filter((m): m is MigrantDoc => {
    if (m instanceof Error) throw m;
    return m !== null;
  });
  ledger.noteRecords(found.map((m) => m._id));
  return found;
}
