/**
 * The lattice of tables a statistics context can publish: for a list of dimensions (the
 * ones the context may count by, in canonical order) and the value domain of each, the
 * dense count table over every subset of at most MAX_LATTICE_DIMENSIONS of them, the
 * empty subset being the grand total.
 *
 * A subset is a bit mask over the lattice's dimensions (bit i: dimension i). A cell of
 * the table over mask M is a mixed-radix index over the dimensions of M in increasing
 * order, the highest dimension varying fastest, so cells sorted by index are sorted by
 * key in canonical order.
 *
 * Everything here is pure and synchronous; counts come from src/data/statistics.ts.
 */

/** The most dimensions of one table, counting filtered ones (docs/api.md section 5). */
export const MAX_LATTICE_DIMENSIONS = 3;

export type Mask = number;

/** The dimensions (bit positions) of a mask, in increasing order. */
export function bitsOf(mask: Mask): number[] {
  const bits: number[] = [];
  for (let i = 0; mask >> i !== 0; i++) if ((mask >> i) & 1) bits.push(i);
  return bits;
}

export function popcount(mask: Mask): number {
  let n = 0;
  for (let m = mask; m !== 0; m &= m - 1) n++;
  return n;
}

/** Every proper subset of `mask`, the empty one included, by increasing size then value. */
export function properSubsets(mask: Mask): Mask[] {
  const subsets: Mask[] = [];
  for (let s = (mask - 1) & mask; ; s = (s - 1) & mask) {
    subsets.push(s);
    if (s === 0) break;
  }
  return subsets.sort((a, b) => popcount(a) - popcount(b) || a - b);
}

export class Lattice {
  /** Dense counts per mask (only masks of at most MAX_LATTICE_DIMENSIONS bits). */
  private readonly tables = new Map<Mask, Float64Array>();
  private readonly projections = new Map<string, Int32Array>();

  constructor(
    /** Names of the dimensions, canonical order. */
    readonly dimensions: readonly string[],
    /** Sorted values of each dimension. */
    readonly domains: readonly (readonly string[])[],
  ) {}

  /** Number of cells of the table over `mask`. */
  size(mask: Mask): number {
    let n = 1;
    for (const bit of bitsOf(mask)) n *= this.domains[bit]!.length;
    return n;
  }

  /** The value index of each dimension of `mask` for cell `cell`, in increasing dimension order. */
  decode(mask: Mask, cell: number): number[] {
    const bits = bitsOf(mask);
    const values = new Array<number>(bits.length);
    let rest = cell;
    for (let k = bits.length - 1; k >= 0; k--) {
      const radix = this.domains[bits[k]!]!.length;
      values[k] = rest % radix;
      rest = Math.floor(rest / radix);
    }
    return values;
  }

  encode(mask: Mask, values: readonly number[]): number {
    const bits = bitsOf(mask);
    let cell = 0;
    for (let k = 0; k < bits.length; k++) cell = cell * this.domains[bits[k]!]!.length + values[k]!;
    return cell;
  }

  /** The key (one value per dimension of `mask`, increasing order) of a cell. */
  keyOf(mask: Mask, cell: number): string[] {
    const bits = bitsOf(mask);
    return this.decode(mask, cell).map((v, k) => this.domains[bits[k]!]![v]!);
  }

  setTable(mask: Mask, counts: Float64Array): void {
    if (counts.length !== this.size(mask)) throw new RangeError(`table ${mask}: ${counts.length} counts for ${this.size(mask)} cells`);
    this.tables.set(mask, counts);
  }

  /** The counts over `mask`; derived from a larger table held when not held itself. */
  table(mask: Mask): Float64Array {
    const held = this.tables.get(mask);
    if (held) return held;
    let source: Mask | undefined;
    for (const candidate of this.tables.keys()) {
      if ((candidate & mask) === mask && (source === undefined || popcount(candidate) < popcount(source))) source = candidate;
    }
    if (source === undefined) throw new RangeError(`no table covers mask ${mask}`);
    const counts = new Float64Array(this.size(mask));
    const project = this.projection(source, mask);
    const from = this.tables.get(source)!;
    for (let i = 0; i < from.length; i++) counts[project[i]!]! += from[i]!;
    this.tables.set(mask, counts);
    return counts;
  }

  /** For each cell of the table over `mask`, the cell of its sub-table over `sub` that contains it. */
  projection(mask: Mask, sub: Mask): Int32Array {
    const id = `${mask}>${sub}`;
    const known = this.projections.get(id);
    if (known) return known;
    const bits = bitsOf(mask);
    const keep = bits.map((bit) => (sub >> bit) & 1);
    const map = new Int32Array(this.size(mask));
    for (let cell = 0; cell < map.length; cell++) {
      const values = this.decode(mask, cell);
      map[cell] = this.encode(sub, values.filter((_, k) => keep[k] === 1));
    }
    this.projections.set(id, map);
    return map;
  }
}
