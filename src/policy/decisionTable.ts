/**
 * The decision table of one request: the static part of every annotated field's
 * decision (purpose, category, special category, clearance, data request), computed once
 * from the schema's field policies and the request's context. Pure: what the table says
 * is withheld for every record is never read from the database (the projection), and
 * per-record facts (consent, request subjects) finish the decision in the record decider.
 */
import { decideStatic, type DecisionContext, type FieldPolicy, type StaticDecision } from './decide';
import { dimensionRefusal, type DimensionRefusal } from './statistics';
import type { StatDimension } from './taxonomy';

export interface DecisionTable {
  /** Every annotated coordinate, sorted. */
  coordinates(): string[];
  /** The static decision of a coordinate; an unknown coordinate is withheld. */
  staticDecision(coordinate: string): StaticDecision;
  /** The schema's policy of an annotated field, by coordinate. */
  policyOf(coordinate: string): FieldPolicy | undefined;
  /** Why records may not be counted by `dimension` in this context, or null (src/policy/statistics.ts). */
  dimensionRefusal(dimension: StatDimension): DimensionRefusal | null;
}

/**
 * Makes the decision table of a request. The gateway's is `createDecisionTable`; a
 * measurement baseline (bench/baseline) supplies its own, so no production code has a
 * branch for it.
 */
export type DecisionTableFactory = (policies: ReadonlyMap<string, FieldPolicy>, context: DecisionContext) => DecisionTable;

const WITHHELD: StaticDecision = Object.freeze({ action: 'REDACT', reason: 'CATEGORY_NOT_GRANTED' });

export const createDecisionTable: DecisionTableFactory = (policies, context) => {
  const table = new Map<string, StaticDecision>();
  for (const [coordinate, policy] of policies) table.set(coordinate, decideStatic(policy, context));
  const sorted = Object.freeze([...table.keys()].sort());
  return {
    coordinates: () => [...sorted],
    staticDecision: (coordinate) => table.get(coordinate) ?? WITHHELD,
    policyOf: (coordinate) => policies.get(coordinate),
    dimensionRefusal: (dimension) => dimensionRefusal(dimension, (coordinate) => policies.get(coordinate), context.grant, context.purpose),
  };
};
