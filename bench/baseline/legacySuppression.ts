/**
 * The suppression rule of Treatygate 0.1 before the audited suppression (kept only to
 * measure what the audit adds, bench/suppressionComparison.ts; the gateway does not use
 * it): primary suppression below minCellSize, then, for every group of cells sharing the
 * values of some dimensions, a group holding exactly one withheld cell gets its next
 * smallest cell withheld, to a fixpoint. Each table was protected on its own.
 */

import type { ProtectedCell, ProtectedTable } from '../../src/policy/statistics';

/**
 * Applies primary and complementary suppression to a table of `dimensions` dimensions,
 * then returns its slice: the cells whose key has `slice[i]` at every position `i` where
 * that is defined, each keyed by its first `keep` positions (the dimensions asked for;
 * the dimensions only filtered on come after them).
 *
 * The table is completed first: every combination of the values each dimension takes in
 * `cells` is a cell, those no record has count zero, and a zero is below any threshold,
 * so it is withheld like any small count. Otherwise an unlisted combination would
 * disclose a zero ("nobody of this nationality is a recognised victim") and leave groups
 * of one cell, whose margin is the cell itself.
 */
export function protectTable(
  observed: ReadonlyArray<{ readonly key: readonly string[]; readonly count: number }>,
  dimensions: number,
  minCellSize: number,
  options: { readonly keep?: number; readonly slice?: ReadonlyArray<string | undefined> } = {},
): ProtectedTable {
  const keep = options.keep ?? dimensions;
  const slice = options.slice ?? [];
  const cells = completeTable(observed, dimensions);
  const suppressed = cells.map((cell) => cell.count < minCellSize);

  // Every group of cells that share their values at a subset of the positions: the table
  // itself (the empty subset) and all its margins. Members sorted by count, then key.
  const groups: { members: number[]; withheld: number; next: number }[] = [];
  const groupsOfCell: number[][] = cells.map(() => []);
  for (let mask = 0; mask < (1 << dimensions) - 1; mask++) {
    const fixed = [...Array(dimensions).keys()].filter((i) => (mask & (1 << i)) !== 0);
    const byValues = new Map<string, number[]>();
    cells.forEach((cell, index) => {
      const id = JSON.stringify(fixed.map((i) => cell.key[i]));
      const members = byValues.get(id);
      if (members) members.push(index);
      else byValues.set(id, [index]);
    });
    for (const members of byValues.values()) {
      members.sort((a, b) => cells[a]!.count - cells[b]!.count || a - b);
      const id = groups.length;
      groups.push({ members, withheld: members.filter((m) => suppressed[m]).length, next: 0 });
      for (const m of members) groupsOfCell[m]!.push(id);
    }
  }
  // A group with exactly one withheld cell gets its smallest shown cell withheld too;
  // that may leave another group with exactly one, so the groups of each newly withheld
  // cell are looked at again, until no group has exactly one.
  const pending = groups.map((_, id) => id);
  while (pending.length > 0) {
    const group = groups[pending.pop()!]!;
    if (group.withheld !== 1) continue;
    while (group.next < group.members.length && suppressed[group.members[group.next]!]) group.next++;
    if (group.next >= group.members.length) continue;
    const cell = group.members[group.next]!;
    suppressed[cell] = true;
    for (const id of groupsOfCell[cell]!) {
      groups[id]!.withheld++;
      pending.push(id);
    }
  }

  const out: ProtectedCell[] = [];
  let total = 0;
  let suppressedCells = 0;
  let primary = 0;
  cells.forEach((cell, index) => {
    if (!slice.every((value, i) => value === undefined || cell.key[i] === value)) return;
    total += cell.count;
    const withheld = suppressed[index]!;
    if (withheld) {
      suppressedCells++;
      if (cell.count < minCellSize) primary++;
    }
    out.push({ key: cell.key.slice(0, keep), count: withheld ? null : cell.count, suppressed: withheld });
  });
  // When the filter fixes every dimension, the total is one cell of the whole table and
  // is withheld with it.
  const everyPositionFixed = [...Array(dimensions).keys()].every((i) => slice[i] !== undefined);
  const totalWithheld = total < minCellSize || (everyPositionFixed && suppressedCells > 0);
  return {
    cells: out,
    total: totalWithheld ? null : total,
    suppressedCells,
    primary,
    complementary: suppressedCells - primary,
  };
}

/** Every combination of the values each position takes in `observed`, sorted by key; absent ones count zero. */
function completeTable(
  observed: ReadonlyArray<{ readonly key: readonly string[]; readonly count: number }>,
  dimensions: number,
): Array<{ key: string[]; count: number }> {
  if (observed.length === 0) return [];
  const domains = [...Array(dimensions).keys()].map((i) => [...new Set(observed.map((c) => c.key[i]!))].sort());
  const size = domains.reduce((product, domain) => product * domain.length, 1);
  if (size > 50_000) throw new RangeError(`${size} cells`);
  const counts = new Map(observed.map((c) => [JSON.stringify(c.key), c.count]));
  let keys: string[][] = [[]];
  for (const domain of domains) keys = keys.flatMap((prefix) => domain.map((value) => [...prefix, value]));
  return keys.map((key) => ({ key, count: counts.get(JSON.stringify(key)) ?? 0 }));
}
