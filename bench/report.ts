/**
 * The bench's results: per-mode medians, the A/B ratio, the printed table and
 * `bench/results/latest.json`. Pure except `writeResults`.
 *
 * Contract of the printed report: a table (mode, median req/s, median p50 ms, median
 * p99 ms, commands/req, reply KB/req), the range of req/s over the rounds, and as its
 * very last line
 * `ratio A/B req/s: <value with 2 decimals>`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BenchMode } from './baseline/stripped';
import type { CommandCost } from './commands';
import type { LoadResult } from './load';

/** A is the gateway, B its baseline without privacy enforcement. */
export const MODES: readonly BenchMode[] = ['enforced', 'stripped'];
export const MODE_LABEL: Readonly<Record<BenchMode, string>> = { enforced: 'A enforced', stripped: 'B stripped' };

export interface Round extends LoadResult {
  readonly mode: BenchMode;
  /** 1-based, per mode. */
  readonly round: number;
}

export interface ModeSummary {
  readonly medianRequestsPerSecond: number;
  readonly medianP50Ms: number;
  readonly medianP99Ms: number;
  /** The slowest and the fastest round: how far to trust the median. */
  readonly minRequestsPerSecond: number;
  readonly maxRequestsPerSecond: number;
  readonly commandsPerRequest: number;
  readonly replyKbPerRequest: number;
  readonly cost: CommandCost;
}

export interface BenchResults {
  readonly date: string;
  readonly node: string;
  readonly machine: { readonly platform: string; readonly arch: string; readonly cpus: number; readonly cpuModel: string };
  readonly database: { readonly kind: string };
  readonly world: { readonly migrants: number; readonly seed: number };
  readonly settings: { readonly seconds: number; readonly warmupSeconds: number; readonly rounds: number; readonly connections: number };
  readonly query: string;
  readonly context: Readonly<Record<string, unknown>>;
  readonly rounds: readonly Round[];
  readonly modes: Readonly<Record<BenchMode, ModeSummary>>;
  /** Median req/s of A (enforced) over that of B (stripped). */
  readonly ratio: number;
  readonly wallSeconds: number;
}

/** The median of `values` (mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The medians of `mode`'s rounds, with its database cost. */
export function summariseMode(rounds: readonly Round[], mode: BenchMode, cost: CommandCost): ModeSummary {
  const mine = rounds.filter((round) => round.mode === mode);
  const throughputs = mine.map((round) => round.requestsPerSecond);
  return {
    medianRequestsPerSecond: median(throughputs),
    medianP50Ms: median(mine.map((round) => round.p50Ms)),
    medianP99Ms: median(mine.map((round) => round.p99Ms)),
    minRequestsPerSecond: Math.min(...throughputs),
    maxRequestsPerSecond: Math.max(...throughputs),
    commandsPerRequest: cost.commandsPerRequest,
    replyKbPerRequest: cost.replyBytesPerRequest / 1024,
    cost,
  };
}

/** A/B of median req/s. */
export function ratioOf(modes: Readonly<Record<BenchMode, ModeSummary>>): number {
  return modes.enforced.medianRequestsPerSecond / modes.stripped.medianRequestsPerSecond;
}

/** The rounds as they ran, one line each. */
export function formatRounds(rounds: readonly Round[]): string {
  return rounds
    .map((r) => `  ${MODE_LABEL[r.mode].padEnd(10)} round ${r.round}: ${r.requestsPerSecond.toFixed(1).padStart(8)} req/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms`)
    .join('\n');
}

/** The printed report; its last line is `ratio A/B req/s: <x.xx>`. */
export function formatReport(results: Pick<BenchResults, 'modes' | 'ratio' | 'database' | 'settings'>): string {
  const header = ['mode', 'median req/s', 'median p50 ms', 'median p99 ms', 'commands/req', 'reply KB/req'];
  const rows = MODES.map((mode) => {
    const s = results.modes[mode];
    return [MODE_LABEL[mode], s.medianRequestsPerSecond.toFixed(1), s.medianP50Ms.toFixed(1), s.medianP99Ms.toFixed(1), s.commandsPerRequest.toFixed(1), s.replyKbPerRequest.toFixed(1)];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const { settings, database } = results;
  const spread = MODES.map((mode) => {
    const s = results.modes[mode];
    return `${MODE_LABEL[mode]} ${s.minRequestsPerSecond.toFixed(1)}–${s.maxRequestsPerSecond.toFixed(1)}`;
  }).join(', ');
  return [
    `database ${database.kind}; ${settings.rounds} rounds × ${settings.seconds} s per mode, ${settings.connections} connections`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    `req/s range over rounds: ${spread}`,
    `ratio A/B req/s: ${results.ratio.toFixed(2)}`,
  ].join('\n');
}

/** Writes `results` as indented JSON to `file`, creating its directory. */
export function writeResults(file: string, results: BenchResults): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}
