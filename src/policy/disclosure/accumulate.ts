/**
 * Builds a Lattice from the groups the database counted over every dimension of a
 * context (one group per combination of values that occurs), one group at a time: each
 * group is added to the table over every largest subset of dimensions the lattice keeps
 * (all subsets of MAX_LATTICE_DIMENSIONS dimensions). The groups themselves are not
 * kept, so memory depends on the number of values, not on the number of records or of
 * combinations.
 */
import { bitsOf, Lattice, MAX_LATTICE_DIMENSIONS, popcount, type Mask } from './lattice';

/** Values per dimension above which the builder refuses (keys are packed 16 bits per dimension). */
const MAX_VALUES = 1 << 16;

export class TooManyValuesError extends Error {
  constructor(readonly dimension: string) {
    super(`dimension ${dimension} has more than ${MAX_VALUES} values`);
    this.name = 'TooManyValuesError';
  }
}

export class LatticeBuilder {
  private readonly ids: Map<string, number>[];
  private readonly values: string[][];
  /** The largest subsets, and the sparse counts of each (packed value ids → count). */
  private readonly largest: Mask[];
  private readonly sparse: Map<number, number>[];

  constructor(readonly dimensions: readonly string[]) {
    this.ids = dimensions.map(() => new Map());
    this.values = dimensions.map(() => []);
    const width = Math.min(MAX_LATTICE_DIMENSIONS, dimensions.length);
    this.largest = [];
    for (let mask = 0; mask < 1 << dimensions.length; mask++) if (popcount(mask) === width) this.largest.push(mask);
    this.sparse = this.largest.map(() => new Map());
  }

  /** Adds `count` records whose values are `key` (one per dimension, in order). */
  add(key: readonly string[], count: number): void {
    if (!Number.isSafeInteger(count) || count <= 0) return;
    const ids = key.map((value, i) => {
      const known = this.ids[i]!.get(value);
      if (known !== undefined) return known;
      const id = this.values[i]!.length;
      if (id >= MAX_VALUES) throw new TooManyValuesError(this.dimensions[i]!);
      this.ids[i]!.set(value, id);
      this.values[i]!.push(value);
      return id;
    });
    this.largest.forEach((mask, t) => {
      let packed = 0;
      for (const bit of bitsOf(mask)) packed = packed * MAX_VALUES + ids[bit]!;
      const table = this.sparse[t]!;
      table.set(packed, (table.get(packed) ?? 0) + count);
    });
  }

  /** The lattice, domains sorted. */
  build(): { lattice: Lattice } {
    const order = this.values.map((values) => [...values.keys()].sort((a, b) => (values[a]! < values[b]! ? -1 : values[a]! > values[b]! ? 1 : 0)));
    const rank = order.map((sorted) => {
      const r = new Int32Array(sorted.length);
      sorted.forEach((id, position) => (r[id] = position));
      return r;
    });
    const domains = order.map((sorted, i) => sorted.map((id) => this.values[i]![id]!));
    const lattice = new Lattice(this.dimensions, domains);
    this.largest.forEach((mask, t) => {
      const bits = bitsOf(mask);
      const counts = new Float64Array(lattice.size(mask));
      for (const [packed, count] of this.sparse[t]!) {
        let rest = packed;
        const positions = new Array<number>(bits.length);
        for (let k = bits.length - 1; k >= 0; k--) {
          positions[k] = rank[bits[k]!]![rest % MAX_VALUES]!;
          rest = Math.floor(rest / MAX_VALUES);
        }
        counts[lattice.encode(mask, positions)] = count;
      }
      lattice.setTable(mask, counts);
    });
    return { lattice };
  }
}
