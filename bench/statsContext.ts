/**
 * The lattice of the demo's statistics context (IOM under AGR-MED-TIP-2024, purpose
 * STATISTICS, all seven dimensions) over a database, built as the gateway builds it: one
 * aggregation over the row scope streamed into the lattice. For the benchmarks that
 * time or compare the protection step outside the gateway process.
 */
import type { Db } from 'mongodb';
import { policyOf } from '../src/context/treatyContext';
import { collectionsOf } from '../src/data/database';
import { forEachGroup } from '../src/data/statistics';
import { startOfUtcDay } from '../src/policy/calendar';
import { LatticeBuilder } from '../src/policy/disclosure/accumulate';
import type { Lattice } from '../src/policy/disclosure/lattice';
import { rowScopeFor } from '../src/policy/scope';
import { UNKNOWN_VALUE } from '../src/policy/statistics';
import { STAT_DIMENSIONS } from '../src/policy/taxonomy';

export const STATS_AGREEMENT = 'AGR-MED-TIP-2024';

export async function statisticsLattice(db: Db, now = new Date()): Promise<{ lattice: Lattice; minCellSize: number }> {
  const collections = collectionsOf(db);
  const agreement = await collections.agreements.findOne({ _id: STATS_AGREEMENT });
  if (!agreement) throw new Error(`${STATS_AGREEMENT} is not in the database`);
  const policy = policyOf(agreement);
  const grant = policy.grants.find((g) => g.purpose === 'STATISTICS');
  if (!grant) throw new Error(`${STATS_AGREEMENT} has no STATISTICS grant`);
  const builder = new LatticeBuilder(STAT_DIMENSIONS);
  await forEachGroup(collections, rowScopeFor(policy, grant, now, []), STAT_DIMENSIONS, startOfUtcDay(now), (group) =>
    builder.add(group.key.map((v) => v ?? UNKNOWN_VALUE), group.count),
  );
  return { lattice: builder.build().lattice, minCellSize: agreement.minCellSize };
}
