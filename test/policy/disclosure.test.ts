/**
 * Audited cell suppression (src/policy/disclosure/): the lattice of tables, the builder
 * that streams counted groups into it, the protection of every table of the lattice, and
 * how one answer is cut from it. The protection rule is checked here with a linear
 * program written for the test (every cell a column, published cells fixed by their
 * bounds, every published count of every smaller table a row), not with the audit's
 * own formulation; test/statistics/ checks it again through the HTTP API.
 */
import fc from 'fast-check';
import highsLoader from 'highs';
import { LatticeBuilder } from '../../src/policy/disclosure/accumulate';
import { Lattice, properSubsets, type Mask } from '../../src/policy/disclosure/lattice';
import { Protection, TableTooLargeError, type Pattern } from '../../src/policy/disclosure/protect';
import { publishTable } from '../../src/policy/statistics';

type Highs = Awaited<ReturnType<typeof highsLoader>>;
let highs: Highs;
beforeAll(async () => {
  highs = await highsLoader();
});

/** The narrowest range (max − min) of any withheld count of the lattice of `mask`, by an LP of the test's own. */
async function narrowestRange(protection: Protection, mask: Mask): Promise<number> {
  const { lattice } = protection;
  const own = await protection.pattern(mask);
  const counts = lattice.table(mask);
  const n = counts.length;
  const lower = Float64Array.from(counts, (c, i) => (own[i] ? 0 : c));
  const upper = Float64Array.from(counts, (c, i) => (own[i] ? highs.infinity : c));
  const rows: number[][] = [];
  const rhs: number[] = [];
  const withheld: number[][] = [];
  own.forEach((v, i) => v && withheld.push([i]));
  for (const sub of properSubsets(mask)) {
    const pattern = await protection.pattern(sub);
    const subCounts = lattice.table(sub);
    const project = lattice.projection(mask, sub);
    const fibres: number[][] = Array.from({ length: subCounts.length }, () => []);
    project.forEach((cell, i) => fibres[cell]!.push(i));
    fibres.forEach((cols, cell) => {
      if (pattern[cell]) withheld.push(cols);
      else {
        rows.push(cols);
        rhs.push(subCounts[cell]!);
      }
    });
  }
  if (withheld.length === 0) return Infinity;
  const starts = [0];
  const indices: number[] = [];
  for (const row of rows) {
    indices.push(...row);
    starts.push(indices.length);
  }
  const model = highs.createModel({
    numCols: n,
    numRows: rows.length,
    colCost: new Float64Array(n),
    colLower: lower,
    colUpper: upper,
    rowLower: rhs,
    rowUpper: rhs,
    matrix: { format: 'csr', numRows: rows.length, numCols: n, starts, indices, values: new Float64Array(indices.length).fill(1) },
  });
  model.options.set('output_flag', false);
  let narrowest = Infinity;
  try {
    for (const cols of withheld) {
      for (let j = 0; j < n; j++) model.changeColCost(j, cols.includes(j) ? 1 : 0);
      model.changeObjectiveSense(highs.constants.objectiveSense.maximize);
      const max = model.run().modelStatus === highs.constants.modelStatus.unbounded ? Infinity : model.getObjectiveValue();
      model.changeObjectiveSense(highs.constants.objectiveSense.minimize);
      expect(model.run().modelStatus).toBe(highs.constants.modelStatus.optimal);
      narrowest = Math.min(narrowest, max - model.getObjectiveValue());
    }
  } finally {
    model.dispose();
  }
  return narrowest;
}

/** A lattice over dimensions A, B, C given the full three-dimension table. */
function latticeOf(domains: number[], counts: number[]): Lattice {
  const names = ['A', 'B', 'C'].slice(0, domains.length);
  const lattice = new Lattice(
    names,
    domains.map((size, d) => Array.from({ length: size }, (_, v) => `${names[d]}${v}`)),
  );
  lattice.setTable((1 << domains.length) - 1, Float64Array.from(counts));
  return lattice;
}

function withheldKeys(protection: Protection, mask: Mask, pattern: Pattern): string[] {
  return [...pattern.keys()].filter((cell) => pattern[cell]).map((cell) => protection.lattice.keyOf(mask, cell).join('|'));
}

describe('the lattice', () => {
  it('lists proper subsets by size, derives margins from the largest table, maps cells to their margins', () => {
    expect(properSubsets(0b111)).toEqual([0, 1, 2, 4, 3, 5, 6]);
    const lattice = latticeOf([2, 3], [1, 2, 3, 4, 5, 6]);
    expect([...lattice.table(0b01)]).toEqual([6, 15]);
    expect([...lattice.table(0b10)]).toEqual([5, 7, 9]);
    expect([...lattice.table(0)]).toEqual([21]);
    expect([...lattice.projection(0b11, 0b10)]).toEqual([0, 1, 2, 0, 1, 2]);
    expect(lattice.keyOf(0b11, 4)).toEqual(['A1', 'B1']);
  });
});

describe('the lattice builder', () => {
  const groups: [string[], number][] = [
    [['NGA', 'F'], 3],
    [['AFG', 'M'], 2],
    [['NGA', 'M'], 4],
    [['UNKNOWN', 'F'], 1],
  ];

  it('sorts each domain and adds up groups, whatever order they came in', () => {
    const forward = new LatticeBuilder(['NATIONALITY', 'SEX']);
    groups.forEach(([key, count]) => forward.add(key, count));
    const backward = new LatticeBuilder(['NATIONALITY', 'SEX']);
    [...groups].reverse().forEach(([key, count]) => backward.add(key, count));
    backward.add(['NGA', 'F'], 0); // ignored: not a count
    const a = forward.build().lattice;
    const b = backward.build().lattice;
    expect(a.domains).toEqual([['AFG', 'NGA', 'UNKNOWN'], ['F', 'M']]);
    expect([...a.table(0b11)]).toEqual([0, 2, 3, 4, 1, 0]);
    expect(b.domains).toEqual(a.domains);
    expect([...b.table(0b11)]).toEqual([...a.table(0b11)]);
  });
});

describe('one dimension', () => {
  it('withholds the next smallest cell when one withheld cell could be recovered from the total', async () => {
    const p = new Protection(latticeOf([3], [2, 7, 5]), 3);
    expect([...(await p.pattern(1))]).toEqual([1, 0, 1]);
  });

  it('withholds more until the withheld cells add up to minCellSize (each can then be anything from 0 to their sum)', async () => {
    const p = new Protection(latticeOf([4], [1, 1, 9, 20]), 5);
    expect([...(await p.pattern(1))]).toEqual([1, 1, 1, 0]);
    expect(await narrowestRange(p, 1)).toBe(11);
  });

  it('withholds every cell with a total below minCellSize', async () => {
    const p = new Protection(latticeOf([2, 2], [1, 0, 2, 1]), 5);
    expect([...(await p.pattern(0))]).toEqual([1]);
    expect([...(await p.pattern(0b11))]).toEqual([1, 1, 1, 1]);
  });
});

describe('the worked example of docs/api.md', () => {
  // NATIONALITY (A) × LEGAL_STATUS (B), minCellSize 5; every margin is published.
  //            ASYLUM_SEEKER  REFUGEE  UNDOCUMENTED   total
  //   ERI           12           29         18          59
  //   NGA           27            4          0          31
  //   SYR            6            5          3          14
  //   total         45           38         21         104
  const counts = [12, 29, 18, 27, 4, 0, 6, 5, 3];

  it('publishes every margin; the legacy 2 × 2 block would leave each withheld count within a range of 3', async () => {
    const p = new Protection(latticeOf([3, 3], counts), 5);
    expect([...(await p.pattern(0b01))]).toEqual([0, 0, 0]);
    expect([...(await p.pattern(0b10))]).toEqual([0, 0, 0]);
    // The block NGA/SYR × REFUGEE/UNDOCUMENTED, withheld alone: x = NGA-REFUGEE, then
    // NGA-UNDOCUMENTED = 4 − x, SYR-REFUGEE = 9 − x, SYR-UNDOCUMENTED = x − 1, so 1 ≤ x ≤ 4.
    const block = Uint8Array.from([0, 0, 0, 0, 1, 1, 0, 1, 1]);
    expect(await p.audit(0b11, (sub) => (sub === 0b11 ? block : new Uint8Array(sub === 0 ? 1 : 3)))).toEqual({ withheld: 4, unprotected: 4 });
  });

  it('withholds all but ERI-REFUGEE, and then every withheld count spans at least 5', async () => {
    const p = new Protection(latticeOf([3, 3], counts), 5);
    expect(withheldKeys(p, 0b11, await p.pattern(0b11))).toEqual(['A0|B0', 'A0|B2', 'A1|B0', 'A1|B1', 'A1|B2', 'A2|B0', 'A2|B1', 'A2|B2']);
    expect(await narrowestRange(p, 0b11)).toBeGreaterThanOrEqual(5);
  });
});

describe('publishing one answer', () => {
  const lattice = (): Lattice => {
    const l = new Lattice(['SEX', 'AGE_BAND'], [['F', 'M'], ['50-59', '60-69', '70-79']]);
    l.setTable(0b11, Float64Array.from([9, 5, 2, 11, 1, 8]));
    return l;
  };

  it('cuts a slice from the table over the asked and filtered dimensions, with the margin cell as its total', async () => {
    const p = new Protection(lattice(), 3);
    const whole = await publishTable(p, ['SEX', 'AGE_BAND'], new Map());
    const slice = await publishTable(p, ['AGE_BAND'], new Map([['SEX', 'F']]));
    expect(slice.cells).toEqual(whole.cells.filter((c) => c.key[0] === 'F').map((c) => ({ ...c, key: [c.key[1]] })));
    const margin = await publishTable(p, ['SEX'], new Map());
    expect(slice.total).toBe(margin.cells.find((c) => c.key[0] === 'F')!.count);
    // The count of F|60-69 (5) is not published in the slice when the table withholds it.
    expect(whole.cells.find((c) => c.key.join('|') === 'F|60-69')!.suppressed).toBe(slice.cells.find((c) => c.key[0] === '60-69')!.suppressed);
  });

  it('gives the same cells whatever the order of groupBy, keyed in the order asked', async () => {
    const p = new Protection(lattice(), 3);
    const sexFirst = await publishTable(p, ['SEX', 'AGE_BAND'], new Map());
    const ageFirst = await publishTable(p, ['AGE_BAND', 'SEX'], new Map());
    const bySexFirst = new Map(sexFirst.cells.map((c) => [c.key.join('|'), c.count]));
    for (const cell of ageFirst.cells) expect(bySexFirst.get(`${cell.key[1]}|${cell.key[0]}`)).toBe(cell.count);
    expect(ageFirst.cells.map((c) => c.key)).toEqual([...ageFirst.cells.map((c) => c.key)].sort((a, b) => (a.join('|') < b.join('|') ? -1 : 1)));
  });

  it('answers a filter value no record has with no cell and a withheld total', async () => {
    const p = new Protection(lattice(), 3);
    expect(await publishTable(p, ['AGE_BAND'], new Map([['SEX', 'X']]))).toMatchObject({ cells: [], total: null, suppressedCells: 0 });
  });

  it('withholds the total of a filter that fixes every dimension with its cell', async () => {
    const p = new Protection(lattice(), 3);
    const answer = await publishTable(p, [], new Map([['SEX', 'M'], ['AGE_BAND', '60-69']]));
    expect(answer).toMatchObject({ cells: [{ key: [], count: null, suppressed: true }], total: null });
  });

  it('refuses a table larger than the cell limit', async () => {
    const big = Array.from({ length: 400 }, (_, i) => `v${i}`);
    const l = new Lattice(['A', 'B'], [big, big]);
    l.setTable(0b11, new Float64Array(400 * 400).fill(1));
    await expect(publishTable(new Protection(l, 3), ['A' as never, 'B' as never], new Map())).rejects.toThrow(TableTooLargeError);
  });
});

describe('property: random three-dimension lattices', () => {
  const latticeArb = fc
    .record({
      domains: fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 3, maxLength: 3 }),
      minCellSize: fc.integer({ min: 2, max: 6 }),
      sparsity: fc.double({ min: 0, max: 0.7, noNaN: true }),
      seed: fc.integer({ min: 1, max: 2 ** 30 }),
    })
    .map(({ domains, minCellSize, sparsity, seed }) => {
      let state = seed;
      const random = (): number => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
      const size = domains.reduce((a, b) => a * b, 1);
      const counts = Array.from({ length: size }, () => (random() < sparsity ? Math.floor(random() * minCellSize) : Math.floor(random() * 15)));
      return { domains, minCellSize, counts };
    });

  it('withholds every small count, protects every withheld count of every table, whatever order the tables are asked in', async () => {
    await fc.assert(
      fc.asyncProperty(latticeArb, async ({ domains, minCellSize, counts }) => {
        const forward = new Protection(latticeOf(domains, counts), minCellSize);
        const masks = [0, 1, 2, 4, 3, 5, 6, 7];
        for (const mask of masks) {
          const pattern = await forward.pattern(mask);
          forward.lattice.table(mask).forEach((count, cell) => {
            if (count < minCellSize) expect(pattern[cell]).toBe(1);
          });
          expect(await narrowestRange(forward, mask)).toBeGreaterThanOrEqual(minCellSize - 1e-6);
        }
        const backward = new Protection(latticeOf(domains, counts), minCellSize);
        for (const mask of [...masks].reverse()) expect([...(await backward.pattern(mask))]).toEqual([...(await forward.pattern(mask))]);
      }),
      { numRuns: Number(process.env['DISCLOSURE_RUNS'] ?? 40) },
    );
  });
});
