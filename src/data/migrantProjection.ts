/**
 * Which stored fields of a migrant a request reads (projection pushdown). A field whose
 * decision in this request withholds it for every record is left out, so a withheld
 * value never leaves the database. The data layer knows where each GraphQL field is
 * stored; the decision comes from the caller (policy).
 */
import { HOLDER_PATH, MIGRANT_FIELDS } from './migrantFields';
import type { MigrantProjection } from './migrants';

/**
 * The projection for a request in which `withheld(coordinate)` says whether a field is
 * withheld for every record. `null` for a nested field means it is unannotated (read
 * whenever its container is).
 */
export function migrantProjection(withheld: (coordinate: string) => boolean): MigrantProjection {
  const projection: Record<string, 1> = { [HOLDER_PATH]: 1 };
  for (const { coordinate, path, object } of MIGRANT_FIELDS) {
    if (path === null || withheld(coordinate)) continue;
    if (!object?.projectByField) {
      projection[path] = 1;
      continue;
    }
    for (const { field, annotated } of object.fields) {
      if (!annotated || !withheld(`${object.type}.${field}`)) projection[`${path}.${field}`] = 1;
    }
  }
  return Object.freeze(projection);
}
