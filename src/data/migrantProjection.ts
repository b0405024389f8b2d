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
 * withheld for every record, and `dependsOnConsent(coordinate)` whether a field is
 * disclosed only with the subject's consent. The consents kept with the record
 * (`activeConsentSince`, `consentsVersion`: never disclosed, what decides such a field)
 * are read with it when a field read depends on them, instead of in a round trip of
 * their own.
 */
export function migrantProjection(withheld: (coordinate: string) => boolean, dependsOnConsent: (coordinate: string) => boolean = () => false): MigrantProjection {
  const projection: Record<string, 1> = { [HOLDER_PATH]: 1 };
  const read: string[] = [];
  for (const { coordinate, path, object } of MIGRANT_FIELDS) {
    if (path === null || withheld(coordinate)) continue;
    read.push(coordinate);
    if (!object?.projectByField) {
      projection[path] = 1;
      continue;
    }
    for (const { field, annotated } of object.fields) {
      if (!annotated || !withheld(`${object.type}.${field}`)) projection[`${path}.${field}`] = 1;
      if (annotated && !withheld(`${object.type}.${field}`)) read.push(`${object.type}.${field}`);
    }
  }
  if (read.some(dependsOnConsent)) Object.assign(projection, { activeConsentSince: 1, consentsVersion: 1 });
  return Object.freeze(projection);
}
