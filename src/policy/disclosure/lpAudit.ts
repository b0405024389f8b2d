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

/**
 * Random rounds run while more quantities than BATCH_MIN_OPEN are open and the last round
 * proved at least BATCH_MIN_PROGRESS of them (and a fiftieth), at most BATCH_MAX_ROUNDS.
 */
const BATCH_MIN_OPEN = 8;
const BATCH_MIN_PROGRESS = 4;
const BATCH_MAX_ROUNDS = 50;

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
  const ranges = new ObservedRanges(problem.items, problem.minWidth);
  ranges.observe(problem.truth, true);
  const unprotected: number[] = [];
  const narrow = problem.items.map((_, i) => i).filter((i) => !ranges.wide(i));
  if (narrow.length === 0) return { unprotected, solves: 0 };
  for (const i of narrow) if (problem.items[i]!.length === 0) unprotected.push(i);
  const toSolve = narrow.filter((i) => problem.items[i]!.length > 0);
  if (toSolve.length === 0) return { unprotected, solves: 0 };

  const highs = await loadSolver();
  const breathe = breather();
  const single = new AuditModel(highs, problem, ranges);
  try {
    const open = await batchRounds(single, toSolve.filter((i) => !ranges.wide(i)), problem.items, ranges, breathe);
    // One quantity at a time: its largest value, then, if still narrow, its smallest.
    for (const i of open) {
      if (ranges.wide(i)) continue;
      single.setCosts(problem.items[i]!);
      const max = single.solve('max');
      if (max === Infinity) continue;
      ranges.high[i] = Math.max(ranges.high[i]!, max);
      if (!ranges.wide(i)) {
        ranges.low[i] = Math.min(ranges.low[i]!, single.solve('min'));
        if (!ranges.wide(i)) unprotected.push(i);
      }
      await breathe();
    }
  } finally {
    single.dispose();
  }
  return { unprotected: unprotected.sort((a, b) => a - b), solves: single.solves };
}

/**
 * The range of values each quantity (a sum of columns) took over the tables seen so far:
 * every solution is a table that agrees with the published counts, so a quantity seen
 * `minWidth` apart is proven wide without a solve of its own.
 */
class ObservedRanges {
  readonly low: Float64Array;
  readonly high: Float64Array;

  constructor(
    private readonly items: AuditProblem['items'],
    private readonly minWidth: number,
  ) {
    this.low = new Float64Array(items.length);
    this.high = new Float64Array(items.length);
  }

  observe(values: ArrayLike<number>, first: boolean): void {
    this.items.forEach((cols, i) => {
      let sum = 0;
      for (const c of cols) sum += values[c]!;
      if (first || sum < this.low[i]!) this.low[i] = sum;
      if (first || sum > this.high[i]!) this.high[i] = sum;
    });
  }

  wide(i: number): boolean {
    return this.high[i]! - this.low[i]! >= this.minWidth - TOLERANCE;
  }
}

/** A model of the published counts over the unknown cells; each solution widens the observed ranges. */
class AuditModel {
  solves = 0;
  readonly model: ReturnType<Highs['createModel']>;
  private costed: readonly number[] = [];

  constructor(
    private readonly highs: Highs,
    problem: AuditProblem,
    private readonly ranges: ObservedRanges,
  ) {
    const n = problem.numCols;
    const starts = [0];
    const indices: number[] = [];
    for (const row of problem.rows) {
      indices.push(...row.cols);
      starts.push(indices.length);
    }
    const numRows = problem.rows.length;
    this.model = highs.createModel({
      numCols: n,
      numRows,
      colCost: new Float64Array(n),
      colLower: new Float64Array(n),
      colUpper: new Float64Array(n).fill(highs.infinity),
      rowLower: problem.rows.map((row) => row.rhs),
      rowUpper: problem.rows.map((row) => row.rhs),
      matrix: { format: 'csr', numRows, numCols: n, starts, indices, values: new Float64Array(indices.length).fill(1) },
    });
    this.model.options.set('output_flag', false);
    // Only the objective changes between solves, so the last optimal basis stays
    // feasible: the primal simplex restarts from it (measured 4-6 times faster than the
    // default dual simplex here), and presolve, which would discard it, is off.
    this.model.options.set('presolve', 'off');
    this.model.options.set('simplex_strategy', PRIMAL_SIMPLEX);
  }

  setCosts(columns: readonly number[]): void {
    for (const c of this.costed) this.model.changeColCost(c, 0);
    for (const c of columns) this.model.changeColCost(c, 1);
    this.costed = columns;
  }

  solve(sense: 'max' | 'min'): number {
    const { modelStatus, objectiveSense } = this.highs.constants;
    this.model.changeObjectiveSense(sense === 'max' ? objectiveSense.maximize : objectiveSense.minimize);
    const { modelStatus: status } = this.model.run();
    this.solves++;
    if (status === modelStatus.unbounded) return sense === 'max' ? Infinity : -Infinity;
    if (status !== modelStatus.optimal) throw new SolverFailure(status);
    this.ranges.observe(this.model.getSolution().colValue, false);
    return this.model.getObjectiveValue();
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** Yields to the event loop when YIELD_EVERY_MS have passed since the last time. */
function breather(): () => Promise<void> {
  let lastYield = performance.now();
  return async () => {
    if (performance.now() - lastYield > YIELD_EVERY_MS) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
  };
}

/**
 * Batch rounds, each solution a table agreeing with the published counts, so one solve
 * widens the observed range of many quantities: first lower all the open quantities at
 * once, then push them up along random directions (a seeded generator: the result does
 * not depend on it, only how many solves it takes). A vertex of these tables has many
 * cells at a large value, so one solve proves many quantities wide. Rounds stop when one
 * proves too few. Returns the quantities still open.
 */
async function batchRounds(single: AuditModel, open: number[], items: AuditProblem['items'], ranges: ObservedRanges, breathe: () => Promise<void>): Promise<number[]> {
  if (open.length <= BATCH_MIN_OPEN) return open;
  single.setCosts([...new Set(open.flatMap((i) => items[i]!))]);
  single.solve('min');
  open = open.filter((i) => !ranges.wide(i));
  let seed = 0x2545f491;
  const random = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  for (let round = 0; open.length > BATCH_MIN_OPEN && round < BATCH_MAX_ROUNDS; round++) {
    const columns = [...new Set(open.flatMap((i) => items[i]!))];
    single.setCosts([]);
    for (const c of columns) single.model.changeColCost(c, 0.5 + random());
    single.solve('max');
    for (const c of columns) single.model.changeColCost(c, 0);
    const still = open.filter((i) => !ranges.wide(i));
    const progress = open.length - still.length;
    open = still;
    if (progress < Math.max(BATCH_MIN_PROGRESS, (open.length + progress) / 50)) break;
    await breathe();
  }
  return open;
}
