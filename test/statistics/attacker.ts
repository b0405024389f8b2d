/**
 * The statistics attacker: an analyst of one context (IOM, AGR-MED-TIP-2024, STATISTICS)
 * who asks the gateway, over its GraphQL HTTP API, a table, its total, every table over a
 * subset of its dimensions and filtered slices, then puts every count published into one
 * linear program and looks for a withheld count it can pin down to a range narrower
 * than minCellSize. Written from the contract (docs/api.md, section Statistics) only:
 * nothing here imports the gateway's disclosure-control code.
 *
 * Knowledge is kept per cell of the "cube": an assignment of values to some dimensions
 * (SEX=F;AGE_BAND=20-29). Each cell of each answer, and each total, is the count of one
 * assignment (its groupBy key plus its filter), whatever table it came from, so
 * "a count published in one answer is the same in every other" is a check on equal
 * assignments, and a slice's total is the margin cell of the same assignment.
 */
import { run, type Ctx } from '../support/fixtureCalls';
import type { TestGateway } from '../support/testGateway';
import { withheldRanges, type Highs, type LinearSum, type PublishedRow } from './attackerLp';
import { assignmentKey, DIMENSIONS, FILTER_FIELD, parseAssignmentKey, UNKNOWN, type Dimension, type WorldOracle } from './attackerWorld';

export const ANALYST: Ctx = { party: 'IOM', agreementId: 'AGR-MED-TIP-2024', purpose: 'STATISTICS' };

export interface StatQuery {
  readonly groupBy: readonly Dimension[];
  /** Filtered dimensions and their values (key form: years as text). */
  readonly filter: ReadonlyArray<readonly [Dimension, string]>;
}

export interface StatTable {
  groupBy: string[];
  cells: { key: string[]; count: number | null; suppressed: boolean }[];
  total: number | null;
  suppressedCells: number;
  minCellSize: number;
}

export interface Answer {
  readonly query: StatQuery;
  readonly table: StatTable | null;
  /** The refusal's code and message when the gateway answered with an error. */
  readonly refusal: string | null;
}

export function queryKey(q: StatQuery): string {
  const filter = [...q.filter].sort((a, b) => DIMENSIONS.indexOf(a[0]) - DIMENSIONS.indexOf(b[0]));
  return `[${q.groupBy.join(',')}]{${filter.map(([d, v]) => `${d}=${v}`).join(',')}}`;
}

/** `statistics(groupBy: [SEX, AGE_BAND], filter: {holder: "ITA"})` as readers of a report write it. */
export function describeQuery(q: StatQuery): string {
  const filter = q.filter.map(([d, v]) => `${FILTER_FIELD[d]}: ${v}`).join(', ');
  return `groupBy [${q.groupBy.join(', ')}]${filter ? ` filter {${filter}}` : ''}`;
}

const ENUM_FILTERS = new Set<Dimension>(['SEX', 'LEGAL_STATUS', 'VICTIM_STATUS']);

function filterLiteral(filter: StatQuery['filter']): string {
  const fields = filter.map(([d, v]) => {
    const value = d === 'ARRIVAL_YEAR' ? String(Number(v)) : ENUM_FILTERS.has(d) ? v : JSON.stringify(v);
    return `${FILTER_FIELD[d]}: ${value}`;
  });
  return fields.length > 0 ? `, filter: {${fields.join(', ')}}` : '';
}

const SELECTION = '{ groupBy cells { key count suppressed } total suppressedCells minCellSize }';

function fieldText(alias: string, q: StatQuery): string {
  return `${alias}: statistics(groupBy: [${q.groupBy.join(', ')}]${filterLiteral(q.filter)}) ${SELECTION}`;
}

/** What the attacker knows about one assignment. */
interface Fact {
  /** The count, when some answer published it. */
  published: number | undefined;
  /** Answers that published it / withheld it (a few, for reports). */
  publishedIn: string[];
  withheldIn: string[];
  withheld: boolean;
}

export interface Violation {
  readonly dimensions: readonly Dimension[];
  readonly assignment: string;
  readonly truth: number;
  readonly min: number;
  readonly max: number;
  readonly minCellSize: number;
  readonly withheldIn: readonly string[];
  readonly publishedIn: readonly string[];
}

export interface CheckResult {
  /** Withheld quantities with values in the table's domain, each checked by LP (or witness). */
  readonly checked: number;
  /** Withheld quantities naming a value no record in scope has (a structural zero, not an LP variable). */
  readonly structuralZeros: number;
  readonly lps: number;
  readonly violations: readonly Violation[];
  /** Served from an earlier check of the same knowledge. */
  readonly cached: boolean;
  /** The range found for each withheld count checked, by assignment key (exact when solved both ways). */
  readonly ranges: ReadonlyMap<string, { readonly min: number; readonly max: number; readonly exact: boolean; readonly truth: number }>;
}

export interface AttackerOptions {
  /** Statistics fields per HTTP request (aliases; the gateway allows 30). */
  batchSize?: number;
  /** HTTP requests in flight at once. */
  concurrency?: number;
}

const NOTE_LIMIT = 3;

export class Attacker {
  readonly answers = new Map<string, Answer>();
  /** Contract and consistency problems found while reading answers. */
  readonly problems: string[] = [];
  /** assignment key -> fact */
  private readonly facts = new Map<string, Fact>();
  /** What each answer said: its dimensions and, per count, the assignment and the count (null: withheld). */
  private readonly said: { dims: Set<Dimension>; where: string; counts: { id: string; count: number | null; what: string }[] }[] = [];
  /** Values seen at each dimension in cell keys (the domain the answers reveal). */
  private readonly seen = new Map<Dimension, Set<string>>();
  private readonly checks = new Map<string, CheckResult>();
  lps = 0;

  constructor(
    private readonly gw: TestGateway,
    private readonly oracle: WorldOracle,
    private readonly highs: Highs,
    private readonly label: string,
    private readonly options: AttackerOptions = {},
  ) {}

  get refusals(): Answer[] {
    return [...this.answers.values()].filter((a) => a.refusal !== null);
  }

  /** Asks every query not asked before (several per HTTP request) and records the answers. */
  async ask(queries: readonly StatQuery[]): Promise<void> {
    const fresh = new Map<string, StatQuery>();
    for (const q of queries) if (!this.answers.has(queryKey(q))) fresh.set(queryKey(q), q);
    const pending = [...fresh.values()];
    const batchSize = this.options.batchSize ?? 25;
    const batches: StatQuery[][] = [];
    for (let i = 0; i < pending.length; i += batchSize) batches.push(pending.slice(i, i + batchSize));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        for (const answer of await this.askBatch(batch)) this.record(answer);
      }
    };
    await Promise.all([...Array(Math.max(1, this.options.concurrency ?? 3)).keys()].map(() => worker()));
  }

  /** Asks queries one HTTP request each, in order (for order-sensitivity checks). */
  async askInOrder(queries: readonly StatQuery[]): Promise<Answer[]> {
    const out: Answer[] = [];
    for (const q of queries) {
      const [answer] = await this.askBatch([q]);
      this.record(answer!);
      out.push(answer!);
    }
    return out;
  }

  private async askBatch(batch: readonly StatQuery[]): Promise<Answer[]> {
    const text = `query Attack { ${batch.map((q, i) => fieldText(`q${i}`, q)).join(' ')} }`;
    const reply = await run(this.gw, ANALYST, text);
    const errors = reply.body.errors ?? [];
    if (errors.length === 0 && reply.status === 200 && reply.body.data) {
      return batch.map((query, i) => ({ query, table: reply.body.data![`q${i}`] as StatTable, refusal: null }));
    }
    if (batch.length > 1) {
      // One refused field nulls the whole (non-null) result: ask each alone to see which.
      const out: Answer[] = [];
      for (const q of batch) out.push(...(await this.askBatch([q])));
      return out;
    }
    const refusal = errors.map((e) => `${e.extensions?.code ?? `HTTP ${reply.status}`}: ${e.message}`).join('; ') || `HTTP ${reply.status}`;
    return [{ query: batch[0]!, table: null, refusal }];
  }

  /** Records an answer's counts as knowledge, checking it against the contract and the other answers. */
  private record(answer: Answer): void {
    const key = queryKey(answer.query);
    this.answers.set(key, answer);
    const t = answer.table;
    if (t === null) return;
    const q = answer.query;
    const where = describeQuery(q);
    const problem = (text: string): void => {
      this.problems.push(`${this.label}: ${where}: ${text}`);
    };
    const m = this.oracle.minCellSize;
    if (t.minCellSize !== m) problem(`minCellSize ${t.minCellSize}, the agreement says ${m}`);
    if (JSON.stringify(t.groupBy) !== JSON.stringify(q.groupBy)) problem(`groupBy ${JSON.stringify(t.groupBy)}`);
    if (t.suppressedCells !== t.cells.filter((c) => c.suppressed).length) problem(`suppressedCells ${t.suppressedCells} but ${t.cells.filter((c) => c.suppressed).length} cells are suppressed`);

    // Completed: every combination of the values in scope, exactly once (none when a
    // filter names a value no record in scope has; such a table may also list them all).
    const filterObserved = q.filter.every(([d, v]) => this.oracle.domain(d).includes(v));
    let expected: string[][] = [[]];
    for (const d of q.groupBy) expected = expected.flatMap((prefix) => this.oracle.domain(d).map((v) => [...prefix, v]));
    const expectedKeys = expected.map((k) => JSON.stringify(k)).sort();
    const keys = t.cells.map((c) => JSON.stringify(c.key)).sort();
    const complete = JSON.stringify(keys) === JSON.stringify(expectedKeys);
    if (!complete && !(keys.length === 0 && !filterObserved)) {
      problem(`cells ${keys.length} ${JSON.stringify(keys.slice(0, 6))}…, the completed table has ${expectedKeys.length}`);
    }

    const fixed = new Map<Dimension, string>(q.filter);
    const said = { dims: new Set<Dimension>([...q.groupBy, ...fixed.keys()]), where, counts: [] as { id: string; count: number | null; what: string }[] };
    this.said.push(said);
    const note = (assignment: Map<Dimension, string>, count: number | null, what: string): void => {
      const id = assignmentKey(assignment);
      said.counts.push({ id, count, what });
      let fact = this.facts.get(id);
      if (!fact) this.facts.set(id, (fact = { published: undefined, publishedIn: [], withheldIn: [], withheld: false }));
      const truth = this.oracle.count(assignment);
      if (count === null) {
        fact.withheld = true;
        if (fact.withheldIn.length < NOTE_LIMIT) fact.withheldIn.push(`${where} ${what}`);
        return;
      }
      if (count !== truth) problem(`${what} ${id || 'total'} published ${count}, the true count is ${truth}`);
      if (count < m) problem(`${what} ${id || 'total'} published ${count}, below minCellSize ${m}`);
      if (fact.published !== undefined && fact.published !== count) {
        problem(`${what} ${id || 'total'} published ${count}, but ${fact.published} in ${fact.publishedIn.join(' / ')}`);
      }
      fact.published ??= count;
      if (fact.publishedIn.length < NOTE_LIMIT) fact.publishedIn.push(`${where} ${what}`);
    };
    for (const cell of t.cells) {
      if (cell.suppressed !== (cell.count === null)) problem(`cell ${JSON.stringify(cell.key)} suppressed ${cell.suppressed} with count ${cell.count}`);
      if (cell.key.length !== q.groupBy.length) {
        problem(`cell key ${JSON.stringify(cell.key)} for ${q.groupBy.length} dimensions`);
        continue;
      }
      const assignment = new Map(fixed);
      q.groupBy.forEach((d, i) => {
        assignment.set(d, cell.key[i]!);
        let values = this.seen.get(d);
        if (!values) this.seen.set(d, (values = new Set()));
        values.add(cell.key[i]!);
      });
      note(assignment, cell.suppressed ? null : cell.count, `cell [${cell.key.join(', ')}]`);
    }
    note(new Map(fixed), t.total, 'total');
  }

  /** Distinct counts (assignments) published and withheld so far. */
  tally(): { published: number; withheld: number } {
    let published = 0;
    let withheld = 0;
    for (const fact of this.facts.values()) {
      if (fact.published !== undefined) published++;
      if (fact.withheld) withheld++;
    }
    return { published, withheld };
  }

  /** Counts one answer publishes and another withholds (the same cell of the same underlying table). */
  contradictions(): string[] {
    return [...this.facts.entries()]
      .filter(([, f]) => f.withheld && f.published !== undefined)
      .map(([id, f]) => `${this.label}: ${id || '(grand total)'} = ${f.published} is published as ${f.publishedIn.join(' / ')} but withheld as ${f.withheldIn.join(' / ')}`);
  }

  /**
   * Everything published by the answers over subsets of `dimensions` (the table over
   * them, its total, its margins, their slices: what the rule lets a caller know of that
   * table) as one LP over the full table of `dimensions` (its cells the variables, domains
   * the values the answers list), and the range of every withheld count among them.
   * Checks of the same knowledge are reused.
   */
  check(dimensions: readonly Dimension[]): CheckResult {
    const dims = DIMENSIONS.filter((d) => dimensions.includes(d));
    const known = new Map<string, Fact>();
    for (const answer of this.said) {
      if (![...answer.dims].every((d) => dims.includes(d))) continue;
      for (const { id, count, what } of answer.counts) {
        let fact = known.get(id);
        if (!fact) known.set(id, (fact = { published: undefined, publishedIn: [], withheldIn: [], withheld: false }));
        if (count === null) {
          fact.withheld = true;
          if (fact.withheldIn.length < NOTE_LIMIT) fact.withheldIn.push(`${answer.where} ${what}`);
        } else {
          // Contradicting counts are reported when recorded; the LP keeps the first.
          fact.published ??= count;
          if (fact.publishedIn.length < NOTE_LIMIT) fact.publishedIn.push(`${answer.where} ${what}`);
        }
      }
    }
    const relevant = [...known.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const cacheKey = `${dims.join(',')}|${relevant.map(([id, f]) => `${id}:${f.published ?? '-'}:${f.withheld ? 'w' : ''}`).join('|')}`;
    const cached = this.checks.get(cacheKey);
    if (cached) return { ...cached, lps: 0, cached: true };

    const domains = dims.map((d) => [...(this.seen.get(d) ?? [])].sort());
    dims.forEach((d, i) => {
      const expected = this.oracle.domain(d);
      if (JSON.stringify(domains[i]) !== JSON.stringify(expected)) {
        this.problems.push(`${this.label}: the answers list ${d} values ${JSON.stringify(domains[i])}, in scope are ${JSON.stringify(expected)}`);
      }
    });
    // Cells of the full table: mixed radix over the domains.
    const size = domains.reduce((p, dom) => p * dom.length, 1);
    const cellValues: string[][] = [];
    for (let index = 0; index < size; index++) {
      let rest = index;
      const values: string[] = [];
      for (let i = dims.length - 1; i >= 0; i--) {
        const dom = domains[i]!;
        values[i] = dom[rest % dom.length]!;
        rest = Math.floor(rest / dom.length);
      }
      cellValues.push(values);
    }
    /** The cells an assignment sums, or null when it names a value outside the domain. */
    const varsOf = (assignment: Map<Dimension, string>): number[] | null => {
      const positions: [number, string][] = [];
      for (const [d, v] of assignment) {
        const i = dims.indexOf(d);
        if (!domains[i]!.includes(v)) return null;
        positions.push([i, v]);
      }
      const vars: number[] = [];
      cellValues.forEach((values, index) => {
        if (positions.every(([i, v]) => values[i] === v)) vars.push(index);
      });
      return vars;
    };

    const rows: PublishedRow[] = [];
    const quantities: (LinearSum & { id: string; fact: Fact; truth: number })[] = [];
    let structuralZeros = 0;
    for (const [id, fact] of relevant) {
      const assignment = parseAssignmentKey(id);
      const vars = varsOf(assignment);
      if (vars === null) {
        if (fact.published !== undefined && fact.published !== 0) {
          this.problems.push(`${this.label}: ${id} names a value no table lists, yet ${fact.published} was published (${fact.publishedIn.join(' / ')})`);
        }
        if (fact.withheld) structuralZeros++;
        continue;
      }
      if (fact.published !== undefined) rows.push({ vars, value: fact.published });
      if (fact.withheld) quantities.push({ vars, id, fact, truth: this.oracle.count(assignment) });
    }

    if (size === 0) {
      // No answer listed a value of some dimension (every table refused): nothing to solve,
      // nothing is known about any withheld count.
      const result: CheckResult = { checked: quantities.length, structuralZeros, lps: 0, violations: [], cached: false, ranges: new Map() };
      this.checks.set(cacheKey, result);
      return result;
    }
    const range = withheldRanges(this.highs, size, rows, quantities, this.oracle.minCellSize);
    this.lps += range.lps;
    const violations: Violation[] = [];
    const ranges = new Map<string, { min: number; max: number; exact: boolean; truth: number }>();
    if (range.infeasible) {
      this.problems.push(`${this.label}: the counts published over ${dims.join(' × ')} admit no non-negative table`);
    } else {
      range.results.forEach((r, i) => {
        const q = quantities[i]!;
        ranges.set(q.id, { min: r.min, max: r.max, exact: r.exact, truth: q.truth });
        if (r.exact && (q.truth < r.min - 1e-6 || q.truth > r.max + 1e-6)) {
          this.problems.push(`${this.label}: LP sanity: ${q.id} is truly ${q.truth}, outside the LP's [${r.min}, ${r.max}]`);
        }
        if (!r.protected) {
          violations.push({
            dimensions: dims,
            assignment: q.id || '(grand total)',
            truth: q.truth,
            min: r.min,
            max: r.max,
            minCellSize: this.oracle.minCellSize,
            withheldIn: q.fact.withheldIn,
            publishedIn: q.fact.publishedIn,
          });
        }
      });
    }
    const result: CheckResult = { checked: quantities.length, structuralZeros, lps: range.lps, violations, cached: false, ranges };
    this.checks.set(cacheKey, result);
    return result;
  }
}

/** Text of a violation for a failure report. */
export function describeViolation(v: Violation): string {
  const round = (x: number): string => (Number.isFinite(x) ? String(Math.round(x * 1000) / 1000) : String(x));
  const published = v.publishedIn.length > 0 ? `; published as ${v.publishedIn.join(' / ')}` : '';
  return (
    `withheld ${v.assignment} (true count ${v.truth}) is pinned to [${round(v.min)}, ${round(v.max)}], ` +
    `width ${round(v.max - v.min)} < minCellSize ${v.minCellSize}, by the tables over subsets of ${v.dimensions.join(' × ')}; ` +
    `withheld in ${v.withheldIn.join(' / ')}${published}`
  );
}

export { UNKNOWN };
