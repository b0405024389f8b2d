/**
 * The benchmark's baseline B, `stripped`: the same gateway without privacy enforcement,
 * built here from what createGateway accepts, so the gateway itself has no baseline
 * branch and nothing in src/ can fail open.
 *
 * - the schema is annotated (the field policies are known) but no field is wrapped, so no
 *   field decision is made or masked;
 * - every request's decision table discloses everything in full, so the projection reads
 *   every field, no filter or statistics dimension is refused, and no field is minimised;
 * - no audit event is written (an audit writer that stores nothing).
 *
 * What remains of A's work in B is what every request pays whatever its privacy: the
 * treaty context (agreement, row scope), authentication, limits and the loaders.
 */
import { annotatePrivacyDirectives } from '../../directives/index';
import type { StaticDecision } from '../../src/policy/decide';
import type { DecisionTableFactory } from '../../src/policy/decisionTable';
import type { AuditWriter } from '../../src/data/auditStore';
import type { GatewayDependencies } from '../../src/server/createGateway';
import { buildExecutableSchema } from '../../src/server/schema';

/** A: the gateway as it runs; B: the same server without privacy enforcement. */
export type BenchMode = 'enforced' | 'stripped';

const DISCLOSED: StaticDecision = Object.freeze({ action: 'DISCLOSE' });

/** A decision table that discloses every field in full, and refuses no statistics dimension. */
export const discloseEverything: DecisionTableFactory = (policies) => {
  const sorted = Object.freeze([...policies.keys()].sort());
  return {
    coordinates: () => [...sorted],
    staticDecision: () => DISCLOSED,
    policyOf: (coordinate) => policies.get(coordinate),
    dimensionRefusal: () => null,
  };
};

/** An audit writer that stores nothing. */
const NOT_AUDITED: AuditWriter = { chain: 'bench-baseline', append: () => Promise.resolve('not-audited') };

/** What createGateway is given for `mode`: nothing for A, the stripped parts for B. */
export function gatewayFor(mode: BenchMode): Pick<GatewayDependencies, 'schema' | 'decisionTable' | 'audit'> {
  if (mode === 'enforced') return {};
  return { schema: annotatePrivacyDirectives(buildExecutableSchema()), decisionTable: discloseEverything, audit: NOT_AUDITED };
}
