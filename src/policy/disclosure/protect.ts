/**
 * Audited cell suppression over a lattice of tables (docs/api.md section 5, "Statistics").
 *
 * Which cells of every table a context can ask for are withheld, decided once per
 * context and data (see cache.ts) so that every answer of the day agrees with every
 * other, whatever order the questions come in:
 *
 * - The total (0 dimensions) is withheld when below `minCellSize`; then every cell of
 *   every table is too (each is at most the total).
 * - One dimension: cells below `minCellSize` are withheld; while exactly one is, or the
 *   withheld ones add up to less than `minCellSize`, the next smallest is withheld too.
 *   With the total published, each withheld cell can then be anything from 0 to their
 *   sum, which is the exact range a linear program would find.
 * - Two dimensions (a pair): `protectTop` given the one-dimension tables, then made
 *   safe against every third dimension (`pairPattern`): the attacker who also holds the
 *   pair's sibling tables (A × C and B × C beside A × B) knows that a non-negative
 *   three-dimension table agrees with all three, which can narrow a withheld A × B count;
 *   each such count is audited over every A × B × C, and more A × B cells are withheld
 *   until it is protected.
 * - Three dimensions: `protectTop` given the final pair tables.
 *
 * `protectTop(M)` decides the cells of the table over M when every smaller table of its
 * lattice is already decided, in three steps:
 * 1. Withhold the cells below `minCellSize` and every cell inside a withheld cell of a
 *    smaller table (so a withheld margin count is not the sum of published cells).
 * 2. Hypercube construction (as in tau-Argus' GHMITER): for each withheld cell, the
 *    corners of the cheapest hypercube through it (one other value per dimension, 2^k
 *    cells) whose alternating variation keeps every margin and is at least
 *    `minCellSize` wide are withheld. Cheapest: the least count newly withheld.
 * 3. Linear-programming audit (lpAudit.ts) of every withheld count of the lattice; an
 *   unprotected one gets the smallest published neighbouring cell withheld, and the
 *   audit repeats until every withheld count is protected.
 * Ties are broken by key everywhere, so the result is a function of the counts only.
 */
import { auditWithheld } from './lpAudit';
import { bitsOf, Lattice, popcount, properSubsets, type Mask } from './lattice';

export type Pattern = Uint8Array;

/** A table of the lattice that could not be protected by withholding its own cells. */
export class UnprotectableTableError extends Error {
  constructor(readonly dimensions: readonly string[]) {
    super(`the table over ${dimensions.join(' × ') || 'no dimension'} cannot be protected`);
    this.name = 'UnprotectableTableError';
  }
}

/** The most cells of a table the audit takes on (a three-dimension table used to audit a pair included). */
export const MAX_AUDITED_CELLS = 50_000;

export class TableTooLargeError extends Error {
  constructor(
    readonly cells: number,
    /** The dimensions of the table (which may be one audited to protect the table asked for). */
    readonly dimensions: readonly string[],
  ) {
    super(`the table over ${dimensions.join(' × ')} would have ${cells} cells, more than ${MAX_AUDITED_CELLS}`);
    this.name = 'TableTooLargeError';
  }
}

export interface ProtectionStats {
  /** Linear programs solved so far. */
  solves: number;
  /** Milliseconds spent deciding patterns. */
  millis: number;
}

export class Protection {
  private readonly finals = new Map<Mask, Promise<Pattern>>();
  private readonly pairStages = new Map<Mask, Promise<Pattern>>();
  readonly stats: ProtectionStats = { solves: 0, millis: 0 };

  constructor(
    readonly lattice: Lattice,
    readonly minCellSize: number,
  ) {}

  /** The withheld cells of the table over `mask`, as every answer publishes it. */
  pattern(mask: Mask): Promise<Pattern> {
    let found = this.finals.get(mask);
    if (!found) {
      found = this.timed(() => this.decide(mask));
      this.finals.set(mask, found);
      // A failure (a solver error) is not remembered: the next question tries again.
      found.catch(() => this.finals.delete(mask));
    }
    return found;
  }

  private async timed<T>(work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.stats.millis += performance.now() - started;
    }
  }

  private async decide(mask: Mask): Promise<Pattern> {
    const size = this.lattice.size(mask);
    if (size > MAX_AUDITED_CELLS) throw new TableTooLargeError(size, this.namesOf(mask));
    switch (popcount(mask)) {
      case 0:
        return Uint8Array.of(this.lattice.table(0)[0]! < this.minCellSize ? 1 : 0);
      case 1:
        return this.oneDimension(mask);
      case 2:
        return this.pairPattern(mask);
      default:
        return this.protectTop(mask, await this.subPatterns(mask, (sub) => this.pattern(sub)));
    }
  }

  private async subPatterns(mask: Mask, of: (sub: Mask) => Promise<Pattern>): Promise<Map<Mask, Pattern>> {
    const subs = new Map<Mask, Pattern>();
    for (const sub of properSubsets(mask)) subs.set(sub, await of(sub));
    return subs;
  }

  private async oneDimension(mask: Mask): Promise<Pattern> {
    const counts = this.lattice.table(mask);
    const withheld = new Uint8Array(counts.length);
    if ((await this.pattern(0))[0] === 1) return withheld.fill(1);
    let count = 0;
    let sum = 0;
    counts.forEach((value, cell) => {
      if (value < this.minCellSize) {
        withheld[cell] = 1;
        count++;
        sum += value;
      }
    });
    const order = byCount(counts);
    let next = 0;
    while (count > 0 && (count === 1 || sum < this.minCellSize)) {
      while (next < order.length && withheld[order[next]!]) next++;
      if (next >= order.length) break;
      const cell = order[next]!;
      withheld[cell] = 1;
      count++;
      sum += counts[cell]!;
    }
    return withheld;
  }

  /** A pair's table given the one-dimension tables only (`protectTop`). */
  private pairStage(mask: Mask): Promise<Pattern> {
    let found = this.pairStages.get(mask);
    if (!found) {
      found = this.subPatterns(mask, (sub) => this.pattern(sub)).then((subs) => this.protectTop(mask, subs));
      this.pairStages.set(mask, found);
      found.catch(() => this.pairStages.delete(mask));
    }
    return found;
  }

  /**
   * A pair's final table: its stage pattern, with more cells withheld until every
   * withheld cell is protected over every three-dimension table that contains the pair,
   * given the sibling pairs' stage patterns. Siblings end up withholding at least that
   * much, and withholding more only widens ranges, so the final tables are protected
   * together.
   */
  private async pairPattern(mask: Mask): Promise<Pattern> {
    let withheld = await this.pairStage(mask);
    const others = this.lattice.dimensions.map((_, i) => i).filter((i) => ((mask >> i) & 1) === 0);
    const ownSubs = await this.subPatterns(mask, (sub) => this.pattern(sub));
    // Triples where withholding more of this pair does not help any more: left to the
    // sibling pairs, and to the refusal of that three-dimension table (protectTop).
    const exhausted = new Set<Mask>();
    for (;;) {
      let repaired = false;
      for (const other of others) {
        const triple = mask | (1 << other);
        if (exhausted.has(triple)) continue;
        const size = this.lattice.size(triple);
        if (size > MAX_AUDITED_CELLS) throw new TableTooLargeError(size, this.namesOf(triple));
        const subs = new Map<Mask, Pattern>();
        for (const sub of properSubsets(triple)) {
          if (sub === mask) subs.set(sub, withheld);
          else subs.set(sub, popcount(sub) === 2 ? await this.pairStage(sub) : await this.pattern(sub));
        }
        const failing = await this.auditFreeTop(triple, subs, mask, ownerOf(triple) === mask);
        if (failing.length === 0) continue;
        const next = Uint8Array.from(withheld);
        for (const fibre of failing) {
          // The pair's cells under the unprotected count, else their neighbours.
          if (!this.repairCell(mask, next, fibre, false)) this.repairCell(mask, next, neighboursOf(this.lattice, mask, fibre));
        }
        if (next.every((v, i) => v === withheld[i])) {
          exhausted.add(triple);
          continue;
        }
        withheld = await this.protectTop(mask, ownSubs, next);
        repaired = true;
        break;
      }
      if (!repaired) return withheld;
    }
  }

  /**
   * The counts an attacker can narrow when no cell of the three-dimension table `top` is
   * published, given the tables `subs`: the withheld cells of the pair `pair` and of its
   * one-dimension tables, and, when `owner`, the small counts (below `minCellSize`) of
   * `top` itself, which the pair and its siblings could pin down together (each triple's
   * small counts are the business of one of its pairs, `ownerOf`, audited with the
   * siblings at their stage patterns, so once). Each is returned as the cells of `pair`
   * it lies in or over (its fibre in the pair, or the one pair cell above it).
   */
  private async auditFreeTop(top: Mask, subs: ReadonlyMap<Mask, Pattern>, pair: Mask, owner: boolean): Promise<number[][]> {
    const counts = this.lattice.table(top);
    const rows: { cols: number[]; rhs: number }[] = [];
    const fibres = new Map<Mask, number[][]>();
    for (const [sub, pattern] of subs) {
      const cells = fibresOf(this.lattice, top, sub);
      fibres.set(sub, cells);
      const subCounts = this.lattice.table(sub);
      cells.forEach((cols, cell) => {
        if (!pattern[cell]) rows.push({ cols, rhs: subCounts[cell]! });
      });
    }
    const items: number[][] = [];
    const pairCells: number[][] = [];
    for (const sub of [pair, ...properSubsets(pair).filter((s) => popcount(s) === 1)]) {
      const pattern = subs.get(sub)!;
      const inPair = fibresOf(this.lattice, pair, sub);
      fibres.get(sub)!.forEach((cols, cell) => {
        if (!pattern[cell]) return;
        items.push(cols);
        pairCells.push(inPair[cell]!);
      });
    }
    const above = this.lattice.projection(top, pair);
    counts.forEach((count, cell) => {
      if (!owner || count >= this.minCellSize) return;
      items.push([cell]);
      pairCells.push([above[cell]!]);
    });
    if (items.length === 0) return [];
    const outcome = await auditWithheld({ numCols: counts.length, rows, items, truth: counts, minWidth: this.minCellSize });
    this.stats.solves += outcome.solves;
    return outcome.unprotected.map((i) => pairCells[i]!);
  }

  /**
   * The withheld cells of the table over `mask` given the decided smaller tables `subs`,
   * starting from `start` when given (a repair): see the module comment.
   */
  async protectTop(mask: Mask, subs: ReadonlyMap<Mask, Pattern>, start?: Pattern): Promise<Pattern> {
    const counts = this.lattice.table(mask);
    const withheld = start ? Uint8Array.from(start) : new Uint8Array(counts.length);
    counts.forEach((value, cell) => {
      if (value < this.minCellSize) withheld[cell] = 1;
    });
    for (const [sub, pattern] of subs) {
      const project = this.lattice.projection(mask, sub);
      for (let cell = 0; cell < counts.length; cell++) if (pattern[project[cell]!]) withheld[cell] = 1;
    }
    if (withheld.every((v) => v === 1)) return withheld;
    const covered = hypercubes(this.lattice, mask, counts, withheld, this.minCellSize);

    // Audit: every withheld cell of the table and of its smaller tables, but for the cells
    // inside a wide enough withheld hypercube. Withholding more only widens ranges, so after
    // a repair only the unprotected and the new are audited again.
    const subItems: { sub: Mask; cell: number }[] = [];
    for (const [sub, pattern] of subs) pattern.forEach((v, cell) => v && subItems.push({ sub, cell }));
    let checkTop = new Set<number>();
    withheld.forEach((v, cell) => v && !covered[cell] && checkTop.add(cell));
    let checkSub = subItems;
    for (;;) {
      const failing = await this.auditTop(mask, subs, withheld, [...checkTop], checkSub);
      if (failing.top.length === 0 && failing.sub.length === 0) return withheld;
      const before = Uint8Array.from(withheld);
      for (const cell of failing.top) this.repairCell(mask, withheld, neighboursOf(this.lattice, mask, [cell]));
      for (const { sub, cell } of failing.sub) {
        const project = this.lattice.projection(mask, sub);
        const fibre: number[] = [];
        for (let c = 0; c < counts.length; c++) if (project[c] === cell) fibre.push(c);
        this.repairCell(mask, withheld, neighboursOf(this.lattice, mask, fibre));
      }
      if (withheld.every((v, i) => v === before[i])) throw new UnprotectableTableError(this.namesOf(mask));
      checkTop = new Set(failing.top);
      withheld.forEach((v, cell) => v && !before[cell] && !certified(this.lattice, mask, counts, cell, this.minCellSize, withheld) && checkTop.add(cell));
      checkSub = failing.sub;
    }
  }

  /**
   * Audits given patterns (not this protection's own): how many withheld counts of the
   * lattice of `mask` (the table and its smaller tables, as `patternOf` withholds them)
   * an attacker can narrow below `minCellSize`. For comparing other suppression rules.
   */
  async audit(mask: Mask, patternOf: (sub: Mask) => Pattern): Promise<{ withheld: number; unprotected: number }> {
    const subs = new Map(properSubsets(mask).map((sub) => [sub, patternOf(sub)] as const));
    const own = patternOf(mask);
    const topItems: number[] = [];
    own.forEach((v, cell) => v && topItems.push(cell));
    const subItems: { sub: Mask; cell: number }[] = [];
    for (const [sub, pattern] of subs) pattern.forEach((v, cell) => v && subItems.push({ sub, cell }));
    const failing = await this.auditTop(mask, subs, own, topItems, subItems);
    return { withheld: topItems.length + subItems.length, unprotected: failing.top.length + failing.sub.length };
  }

  /**
   * Withholds the smallest published cell among `candidates`, else (with `fallback`) the
   * smallest published cell of the table. Whether a cell was withheld.
   */
  private repairCell(mask: Mask, withheld: Pattern, candidates: readonly number[], fallback = true): boolean {
    const counts = this.lattice.table(mask);
    const pick = (cells: Iterable<number>): number | undefined => {
      let best: number | undefined;
      for (const cell of cells) {
        if (withheld[cell]) continue;
        if (best === undefined || counts[cell]! < counts[best]! || (counts[cell] === counts[best] && cell < best)) best = cell;
      }
      return best;
    };
    const cell = pick(candidates) ?? (fallback ? pick(counts.keys()) : undefined);
    if (cell === undefined) return false;
    withheld[cell] = 1;
    return true;
  }

  private async auditTop(
    mask: Mask,
    subs: ReadonlyMap<Mask, Pattern>,
    withheld: Pattern,
    topItems: readonly number[],
    subItems: ReadonlyArray<{ sub: Mask; cell: number }>,
  ): Promise<{ top: number[]; sub: { sub: Mask; cell: number }[] }> {
    const counts = this.lattice.table(mask);
    // Columns: the withheld cells of the table; published ones are constants.
    const column = new Int32Array(counts.length).fill(-1);
    const truth: number[] = [];
    withheld.forEach((v, cell) => {
      if (v) {
        column[cell] = truth.length;
        truth.push(counts[cell]!);
      }
    });
    const rows: { cols: number[]; rhs: number }[] = [];
    const subFibres = new Map<Mask, number[][]>();
    for (const [sub, pattern] of subs) {
      const fibres = fibresOf(this.lattice, mask, sub);
      const cols = fibres.map((cells) => cells.filter((c) => column[c]! >= 0).map((c) => column[c]!));
      subFibres.set(sub, cols);
      const subCounts = this.lattice.table(sub);
      fibres.forEach((cells, cell) => {
        if (pattern[cell] || cols[cell]!.length === 0) return;
        let rhs = subCounts[cell]!;
        for (const c of cells) if (column[c]! < 0) rhs -= counts[c]!;
        rows.push({ cols: cols[cell]!, rhs });
      });
    }
    const items: number[][] = [
      ...topItems.map((cell) => [column[cell]!]),
      ...subItems.map(({ sub, cell }) => subFibres.get(sub)![cell]!),
    ];
    const outcome = await auditWithheld({ numCols: truth.length, rows, items, truth, minWidth: this.minCellSize });
    this.stats.solves += outcome.solves;
    const top: number[] = [];
    const sub: { sub: Mask; cell: number }[] = [];
    for (const i of outcome.unprotected) {
      if (i < topItems.length) top.push(topItems[i]!);
      else sub.push(subItems[i - topItems.length]!);
    }
    return { top, sub };
  }

  private namesOf(mask: Mask): string[] {
    return bitsOf(mask).map((bit) => this.lattice.dimensions[bit]!);
  }
}

/** The pair of a triple that answers for the triple's small counts: its two lowest dimensions. */
function ownerOf(triple: Mask): Mask {
  return triple & ~(1 << bitsOf(triple)[2]!);
}

/** Cells by increasing count, then index. */
function byCount(counts: Float64Array): number[] {
  return [...counts.keys()].sort((a, b) => counts[a]! - counts[b]! || a - b);
}

/** For each cell of the table over `sub`, the cells of the table over `mask` inside it. */
function fibresOf(lattice: Lattice, mask: Mask, sub: Mask): number[][] {
  const project = lattice.projection(mask, sub);
  const fibres: number[][] = Array.from({ length: lattice.size(sub) }, () => []);
  project.forEach((cell, c) => fibres[cell]!.push(c));
  return fibres;
}

/** Cells that differ from one of `cells` in exactly one dimension, smallest index first. */
function neighboursOf(lattice: Lattice, mask: Mask, cells: readonly number[]): number[] {
  const bits = bitsOf(mask);
  const strides = stridesOf(lattice, mask);
  const out = new Set<number>();
  for (const cell of cells) {
    const values = lattice.decode(mask, cell);
    bits.forEach((bit, k) => {
      const radix = lattice.domains[bit]!.length;
      for (let v = 0; v < radix; v++) if (v !== values[k]) out.add(cell + (v - values[k]!) * strides[k]!);
    });
  }
  return [...out].sort((a, b) => a - b);
}

function stridesOf(lattice: Lattice, mask: Mask): number[] {
  const bits = bitsOf(mask);
  const strides = new Array<number>(bits.length);
  let stride = 1;
  for (let k = bits.length - 1; k >= 0; k--) {
    strides[k] = stride;
    stride *= lattice.domains[bits[k]!]!.length;
  }
  return strides;
}

/**
 * Visits every hypercube of the table over `mask` through `cell`: one other value per
 * dimension, the 2^k corners (`corners[0]` is `cell`; corner c has parity popcount(c)).
 * Nothing when a dimension has a single value.
 */
function forEachHypercube(lattice: Lattice, mask: Mask, cell: number, visit: (corners: Int32Array) => void): void {
  const bits = bitsOf(mask);
  const k = bits.length;
  const radices = bits.map((bit) => lattice.domains[bit]!.length);
  if (k === 0 || radices.some((r) => r < 2)) return;
  const strides = stridesOf(lattice, mask);
  const values = lattice.decode(mask, cell);
  const alternative: number[] = values.map((v) => (v === 0 ? 1 : 0));
  const corners = new Int32Array(1 << k);
  for (;;) {
    for (let c = 0; c < corners.length; c++) {
      let corner = cell;
      for (let d = 0; d < k; d++) if ((c >> d) & 1) corner += (alternative[d]! - values[d]!) * strides[d]!;
      corners[c] = corner;
    }
    visit(corners);
    // Next combination of other values (an odometer over the dimensions, skipping the cell's own value).
    let d = k - 1;
    for (; d >= 0; d--) {
      let next = alternative[d]! + 1;
      if (next === values[d]) next++;
      if (next < radices[d]!) {
        alternative[d] = next;
        break;
      }
      alternative[d] = values[d] === 0 ? 1 : 0;
    }
    if (d < 0) return;
  }
}

/** The width of a hypercube: the smallest count of each parity class, added. */
function widthOf(corners: Int32Array, counts: Float64Array): number {
  let even = Infinity;
  let odd = Infinity;
  for (let c = 0; c < corners.length; c++) {
    const value = counts[corners[c]!]!;
    if (popcount(c) & 1) odd = Math.min(odd, value);
    else even = Math.min(even, value);
  }
  return even + odd;
}

/**
 * Whether hypercubes through `cell` prove its range at least `minWidth` wide (using only
 * cells that `usable` allows): the alternating variation over a hypercube changes no
 * margin, so it raises the cell by the smallest count of the opposite parity class, and
 * hypercubes whose opposite corners are disjoint raise it one after the other (their
 * opposite corners only ever grow meanwhile). Greedy, widest first. A certificate that
 * spares a linear program; when it fails, the linear program decides.
 */
function certified(lattice: Lattice, mask: Mask, counts: Float64Array, cell: number, minWidth: number, usable?: Pattern): boolean {
  const raises: { by: number; opposite: number[] }[] = [];
  forEachHypercube(lattice, mask, cell, (corners) => {
    if (usable && corners.some((corner) => !usable[corner])) return;
    let by = Infinity;
    const opposite: number[] = [];
    for (let c = 0; c < corners.length; c++) {
      if (!(popcount(c) & 1)) continue;
      by = Math.min(by, counts[corners[c]!]!);
      opposite.push(corners[c]!);
    }
    if (by > 0) raises.push({ by, opposite });
  });
  raises.sort((x, y) => y.by - x.by);
  const used = new Set<number>();
  let total = 0;
  for (const raise of raises) {
    if (raise.opposite.some((corner) => used.has(corner))) continue;
    for (const corner of raise.opposite) used.add(corner);
    total += raise.by;
    if (total >= minWidth) return true;
  }
  return false;
}

/**
 * The hypercube construction: each withheld cell not yet inside a wide enough hypercube
 * gets the cheapest hypercube through it withheld (cheapest: the least count newly
 * withheld; first in key order among equals). Returns the cells inside a withheld
 * hypercube at least `minCellSize` wide: their ranges need no linear program.
 */
function hypercubes(lattice: Lattice, mask: Mask, counts: Float64Array, withheld: Pattern, minCellSize: number): Pattern {
  const covered = new Uint8Array(counts.length);
  const tried = new Uint8Array(counts.length);
  for (;;) {
    const queue = byCount(counts).filter((cell) => withheld[cell] && !covered[cell] && !tried[cell]);
    if (queue.length === 0) return covered;
    for (const p of queue) {
      if (covered[p]) continue;
      tried[p] = 1;
      let best: { cells: number[]; width: number; cost: number } | undefined;
      forEachHypercube(lattice, mask, p, (corners) => {
        const width = widthOf(corners, counts);
        let cost = 0;
        for (const corner of corners) if (!withheld[corner]) cost += counts[corner]!;
        const enough = width >= minCellSize;
        const better =
          best === undefined ||
          (enough && (best.width < minCellSize || cost < best.cost)) ||
          (!enough && best.width < minCellSize && (width > best.width || (width === best.width && cost < best.cost)));
        if (better) best = { cells: [...corners], width, cost };
      });
      const chosen = best as { cells: number[]; width: number; cost: number } | undefined;
      if (!chosen) continue;
      for (const cell of chosen.cells) withheld[cell] = 1;
      if (chosen.width >= minCellSize) for (const cell of chosen.cells) covered[cell] = 1;
    }
  }
}
