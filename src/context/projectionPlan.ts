/**
 * The migrant fields one request reads: those its decisions may disclose (principle 3:
 * what will not be disclosed is never read) and, once the operation is known, only those
 * its selection can use. The selection is matched by field name across the whole
 * document, which can only read more than needed, never less.
 */
import { migrantProjection } from '../data/migrantProjection';
import type { MigrantProjection } from '../data/migrants';

export interface ProjectionPlan {
  /** Narrows the projection to fields named in the operation (before execution). */
  useSelection(fieldNames: ReadonlySet<string>): void;
  /** The projection for reads made from now on. */
  current(): MigrantProjection;
}

/**
 * `withheld(coordinate)`: whether the decisions withhold a field for every record;
 * `dependsOnConsent(coordinate)`: whether they disclose it only with the subject's consent.
 */
export function createProjectionPlan(withheld: (coordinate: string) => boolean, dependsOnConsent?: (coordinate: string) => boolean): ProjectionPlan {
  let projection = migrantProjection(withheld, dependsOnConsent);
  return {
    useSelection(fieldNames) {
      projection = migrantProjection((coordinate) => withheld(coordinate) || !fieldNames.has(coordinate.slice(coordinate.indexOf('.') + 1)), dependsOnConsent);
    },
    current: () => projection,
  };
}
