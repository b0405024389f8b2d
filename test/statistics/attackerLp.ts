/**
 * The attacker's linear programs (HiGHS through its WebAssembly build, `highs`).
 *
 * Given the cells of a full table as variables x >= 0, the published counts as equality
 * rows (each the sum of the cells it covers) and the withheld quantities (each also a sum
 * of cells), it finds for every withheld quantity whether its range over all non-negative
 * tables agreeing with the published counts is at least `need` wide.
 *
 * Exact ranges cost two LPs per quantity. To spend fewer, every optimal solution found is
 * kept as a witness: it is a feasible table, so for every quantity q, max q >= q(witness)
 * and min q <= q(witness). A quantity whose witnesses already span `need` is protected
 * without LPs of its own; for the others the max (and, if still needed, the min) is
 * solved. A quantity that is not protected therefore always gets its exact [min, max].
 * An unbounded maximum is protected.
 */
import highsLoader from 'highs';

export type Highs = Awaited<ReturnType<typeof highsLoader>>;

let loading: Promise<Highs> | undefined;
export function loadHighs(): Promise<Highs> {
  loading ??= highsLoader();
  return loading;
}

export interface LinearSum {
  /** Indices of the cells summed (each at most once). */
  readonly vars: readonly number[];
}

export interface PublishedRow extends LinearSum {
  readonly value: number;
}

export interface RangeResult {
  /** Lower end: the exact minimum, or (when `exact` is false) the smallest value a witness gave. */
  readonly min: number;
  /** Upper end: the exact maximum (Infinity when unbounded), or the largest value a witness gave. */
  readonly max: number;
  /** Both ends were solved. */
  readonly exact: boolean;
  readonly protected: boolean;
}

export interface RangeRun {
  readonly results: RangeResult[];
  /** LPs solved. */
  readonly lps: number;
  /** The published rows admit no non-negative table (the answers contradict each other). */
  readonly infeasible: boolean;
}

const TOLERANCE = 1e-6;

/** Ranges of `quantities` over { x >= 0 : every row's sum equals its value }. */
export function withheldRanges(highs: Highs, numVars: number, rows: readonly PublishedRow[], quantities: readonly LinearSum[], need: number): RangeRun {
  const { modelStatus, objectiveSense } = highs.constants;
  const starts: number[] = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (const row of rows) {
    const sorted = [...row.vars].sort((a, b) => a - b);
    indices.push(...sorted);
    for (let i = 0; i < sorted.length; i++) values.push(1);
    starts.push(indices.length);
  }
  const model = highs.createModel({
    numCols: numVars,
    numRows: rows.length,
    colCost: new Float64Array(numVars),
    colLower: new Float64Array(numVars),
    colUpper: new Float64Array(numVars).fill(highs.infinity),
    rowLower: rows.map((r) => r.value),
    rowUpper: rows.map((r) => r.value),
    matrix: { format: 'csr', numRows: rows.length, numCols: numVars, starts, indices, values },
  });
  let lps = 0;
  try {
    model.options.set('output_flag', false);
    const lo = quantities.map(() => Infinity);
    const hi = quantities.map(() => -Infinity);
    const witness = (x: Float64Array): void => {
      quantities.forEach((q, i) => {
        let sum = 0;
        for (const v of q.vars) sum += x[v]!;
        if (sum < lo[i]!) lo[i] = sum;
        if (sum > hi[i]!) hi[i] = sum;
      });
    };
    /** Optimises one quantity; returns the optimum (±Infinity when unbounded) or null when infeasible. */
    const optimise = (q: LinearSum, sense: 'min' | 'max'): number | null => {
      const cost = new Float64Array(numVars);
      for (const v of q.vars) cost[v] = 1;
      model.changeColsCost({ kind: 'range', from: 0, to: numVars - 1 }, cost);
      model.changeObjectiveSense(sense === 'max' ? objectiveSense.maximize : objectiveSense.minimize);
      lps++;
      let status = model.run().modelStatus;
      if (status === modelStatus.unboundedOrInfeasible) {
        // Presolve could not tell which: solve without it.
        model.options.set('presolve', 'off');
        lps++;
        status = model.run().modelStatus;
        model.options.set('presolve', 'choose');
      }
      if (status === modelStatus.optimal) {
        witness(model.getSolution().colValue);
        return model.getObjectiveValue();
      }
      if (status === modelStatus.unbounded) return sense === 'max' ? Infinity : -Infinity;
      if (status === modelStatus.infeasible) return null;
      throw new Error(`HiGHS ended with model status ${status}`);
    };

    const results: RangeResult[] = [];
    for (let i = 0; i < quantities.length; i++) {
      const q = quantities[i]!;
      if (hi[i]! - lo[i]! >= need - TOLERANCE) {
        results.push({ min: lo[i]!, max: hi[i]!, exact: false, protected: true });
        continue;
      }
      if (numVars === 0 || q.vars.length === 0) {
        results.push({ min: 0, max: 0, exact: true, protected: false });
        continue;
      }
      const max = optimise(q, 'max');
      if (max === null) return { results: [], lps, infeasible: true };
      if (max === Infinity) {
        results.push({ min: lo[i]!, max, exact: false, protected: true });
        continue;
      }
      if (hi[i]! - lo[i]! >= need - TOLERANCE) {
        results.push({ min: lo[i]!, max: hi[i]!, exact: false, protected: true });
        continue;
      }
      const min = optimise(q, 'min');
      if (min === null) return { results: [], lps, infeasible: true };
      results.push({ min, max, exact: true, protected: max - min >= need - TOLERANCE });
    }
    return { results, lps, infeasible: false };
  } finally {
    model.dispose();
  }
}
