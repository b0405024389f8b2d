/**
 * The linear-programming audit of withheld counts: for each withheld quantity (a sum of
 * unknown cells), the smallest and largest value it can take in a non-negative table
 * that agrees with every published count, and whether that range is at least
 * `minWidth` wide. This is the attacker's computation: a withheld count whose range is
 * narrower can be narrowed down by anyone holding the published tables.
 *
 * The solver is HiGHS (MIT licence), through its WebAssembly build on npm (`highs`): a
 * maintained, exact simplex solver with a persistent model, so the many small solves of
 * one audit (only the objective changes) restart from the previous basis. Chosen over
 * glpk.js (GPL, ESM-only), javascript-lp-solver and YALPS (failed on three-dimensional
 * tables in our measurements); see docs/architecture.md.
 *
 * Most withheld quantities never need their own solve: every solution the solver returns
 * is a table that agrees with the published counts, so the values each quantity takes in
 * those solutions (and in the true table) already bound its range from inside. A
 * quantity whose observed values are `minWidth` apart is protected without solving.
 */
import highsLoader from 'highs';

type Highs = Awaited<ReturnType<typeof highsLoader>>;

let loading: Promise<Highs> | undefined;

/** The one HiGHS instance of this process (the WebAssembly module loads once). */
export function loadSolver(): Promise<Highs> {
  loading ??= highsLoader();
  return loading;
}

export interface AuditProblem {
  /** Unknown cells, each x ≥ 0. */
  readonly numCols: number;
  /** Published counts: the sum of `cols` equals `rhs`. */
  readonly rows: ReadonlyArray<{ readonly cols: readonly number[]; readonly rhs: number }>;
  /** Withheld quantities: sums of unknown cells (a quantity with no unknown cell is known exactly). */
  readonly items: ReadonlyArray<readonly number[]>;
  /** The true value of each unknown cell: a table that agrees with every row. */
  readonly truth: ArrayLike<number>;
  readonly minWidth: number;
}

export interface AuditOutcome {
  /** Items whose range is narrower than `minWidth`. */
  readonly unprotected: number[];
  /** Linear programs solved. */
  readonly solves: number;
}

/** HiGHS' `simplex_strategy` value for the primal simplex. */
const PRIMAL_SIMPLEX = 4;

/** Slack for floating-point solutions of integral problems. */
const TOLERANCE = 1e-6;

/** Gives other requests a turn on the event loop at most this often (ms) during an audit. */
const YIELD_EVERY_MS = 25;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class SolverFailure extends Error {
  constructor(status: number) {
    super(`the disclosure audit's linear program ended with HiGHS model status ${status}`);
    this.name = 'SolverFailure';
  }
}

/** Which items of `problem` are unprotected. Asynchronous only to yield to the event loop. */
export async function auditWithheld(problem: AuditProblem): Promise<AuditOutcome> {
  const { items, minWidth } = problem;
  const low = new Float64Array(items.length);
  const high = new Float64Array(items.length);
  const observe = (values: ArrayLike<number>, first: boolean): void => {
    items.forEach((cols, i) => {
      let sum = 0;
      for (const c of cols) sum += values[c]!;
      if (first || sum < low[i]!) low[i] = sum;
      if (first || sum > high[i]!) high[i] = sum;
    });
  };
  observe(problem.truth, true);
  const wide = (i: number): boolean => high[i]! - low[i]! >= minWidth - TOLERANCE;

  const unprotected: number[] = [];
  const open = items.map((_, i) => i).filter((i) => !wide(i));
  if (open.length === 0) return { unprotected, solves: 0 };
  for (const i of open) if (items[i]!.length === 0) unprotected.push(i);
  const toSolve = open.filter((i) => items[i]!.length > 0);
  if (toSolve.length === 0) return { unprotected, solves: 0 };

  const highs = await loadSolver();
  const { modelStatus, objectiveSense } = highs.constants;
  const starts = [0];
  const indices: number[] = [];
  for (const row of problem.rows) {
    indices.push(...row.cols);
    starts.push(indices.length);
  }
  const model = highs.createModel({
    numCols: problem.numCols,
    numRows: problem.rows.length,
    colCost: new Float64Array(problem.numCols),
    colLower: new Float64Array(problem.numCols),
    colUpper: new Float64Array(problem.numCols).fill(highs.infinity),
    rowLower: problem.rows.map((row) => row.rhs),
    rowUpper: problem.rows.map((row) => row.rhs),
    matrix: {
      format: 'csr',
      numRows: problem.rows.length,
      numCols: problem.numCols,
      starts,
      indices,
      values: new Float64Array(indices.length).fill(1),
    },
  });
  let solves = 0;
  try {
    model.options.set('output_flag', false);
    // Only the objective changes between solves, so the last optimal basis stays feasible:
    // the primal simplex restarts from it (measured 4-6 times faster than the default
    // dual simplex here), and presolve, which would discard it, is off.
    model.options.set('presolve', 'off');
    model.options.set('simplex_strategy', PRIMAL_SIMPLEX);
    let previous: readonly number[] = [];
    let lastYield = performance.now();
    const solve = (sense: 'max' | 'min'): number => {
      model.changeObjectiveSense(sense === 'max' ? objectiveSense.maximize : objectiveSense.minimize);
      const { modelStatus: status } = model.run();
      solves++;
      if (status === modelStatus.unbounded) return sense === 'max' ? Infinity : -Infinity;
      if (status !== modelStatus.optimal) throw new SolverFailure(status);
      observe(model.getSolution().colValue, false);
      return model.getObjectiveValue();
    };
    for (const i of toSolve) {
      if (wide(i)) continue;
      const cols = items[i]!;
      for (const c of previous) model.changeColCost(c, 0);
      for (const c of cols) model.changeColCost(c, 1);
      previous = cols;
      const max = solve('max');
      if (max === Infinity) continue;
      high[i] = Math.max(high[i]!, max);
      if (!wide(i)) {
        low[i] = Math.min(low[i]!, solve('min'));
        if (!wide(i)) unprotected.push(i);
      }
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
  } finally {
    model.dispose();
  }
  return { unprotected: unprotected.sort((a, b) => a - b), solves };
}
