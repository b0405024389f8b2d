/**
 * The bench's results: per-server medians, the ratios of A to the others, the printed
 * table and `bench/results/latest.json`. Pure except `writeResults`.
 *
 * Contract of the printed report: a table (server, median req/s with its range over the
 * rounds, median p50 and p99 ms, the server's CPU ms per request, the database's CPU ms
 * per request, one idle request's latency, commands/req, reply KB/req), then the ratios
 * of A's median req/s to C's and D's, and as its very last line
 * `ratio A/B req/s: <value with 2 decimals>`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CommandCost } from './commands';
import type { LoadResult } from './load';

/**
 * The four servers, each its own process on the same database and world:
 * A the gateway; B the gateway with its privacy enforcement stripped (bench/baseline);
 * C stock Apollo Server 5 over the same SDL without the privacy directives, plain
 * resolvers with DataLoader, no privacy (bench/alternatives); D bare `node:http` with
 * graphql-jit over C's resolvers: the practical limit.
 */
export type ServerName = 'A' | 'B' | 'C' | 'D';
export const SERVERS: readonly ServerName[] = ['A', 'B', 'C', 'D'];
export const SERVER_LABEL: Readonly<Record<ServerName, string>> = {
  A: 'A gateway',
  B: 'B stripped',
  C: 'C stock Apollo',
  D: 'D http+jit',
};

export interface Round extends LoadResult {
  readonly server: ServerName;
  /** 1-based, per server. */
  readonly round: number;
  /** The server process's CPU time (user + system) over the round, per completed request. */
  readonly cpuMsPerRequest: number;
  /** The database process's CPU time over the round, per completed request; null when its process is not ours. */
  readonly dbCpuMsPerRequest: number | null;
}

export interface ServerSummary {
  readonly medianRequestsPerSecond: number;
  readonly medianP50Ms: number;
  readonly medianP99Ms: number;
  /** The slowest and the fastest round: how far to trust the median. */
  readonly minRequestsPerSecond: number;
  readonly maxRequestsPerSecond: number;
  readonly cpuMsPerRequest: number;
  readonly dbCpuMsPerRequest: number | null;
  /** The median latency of one request at a time on an otherwise idle server. */
  readonly idleMs: number;
  readonly commandsPerRequest: number;
  readonly replyKbPerRequest: number;
  readonly cost: CommandCost;
}

export type Ratios = Readonly<Record<'A/B' | 'A/C' | 'A/D', number>>;

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
  readonly servers: Readonly<Record<ServerName, ServerSummary>>;
  /** Median req/s of A over that of B, C and D. */
  readonly ratios: Ratios;
  readonly wallSeconds: number;
}

/** The median of `values` (mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The medians of `server`'s rounds, with its idle latency and database cost. */
export function summariseServer(rounds: readonly Round[], server: ServerName, facts: { cost: CommandCost; idleMs: number }): ServerSummary {
  const mine = rounds.filter((round) => round.server === server);
  const throughputs = mine.map((round) => round.requestsPerSecond);
  const dbCpu = mine.map((round) => round.dbCpuMsPerRequest).filter((v): v is number => v !== null);
  return {
    medianRequestsPerSecond: median(throughputs),
    medianP50Ms: median(mine.map((round) => round.p50Ms)),
    medianP99Ms: median(mine.map((round) => round.p99Ms)),
    minRequestsPerSecond: Math.min(...throughputs),
    maxRequestsPerSecond: Math.max(...throughputs),
    cpuMsPerRequest: median(mine.map((round) => round.cpuMsPerRequest)),
    dbCpuMsPerRequest: dbCpu.length === 0 ? null : median(dbCpu),
    idleMs: facts.idleMs,
    commandsPerRequest: facts.cost.commandsPerRequest,
    replyKbPerRequest: facts.cost.replyBytesPerRequest / 1024,
    cost: facts.cost,
  };
}

/** A's median req/s over B's, C's and D's. */
export function ratiosOf(servers: Readonly<Record<ServerName, ServerSummary>>): Ratios {
  const a = servers.A.medianRequestsPerSecond;
  return { 'A/B': a / servers.B.medianRequestsPerSecond, 'A/C': a / servers.C.medianRequestsPerSecond, 'A/D': a / servers.D.medianRequestsPerSecond };
}

/** The rounds as they ran, one line each. */
export function formatRounds(rounds: readonly Round[]): string {
  return rounds
    .map(
      (r) =>
        `  ${SERVER_LABEL[r.server].padEnd(14)} round ${r.round}: ${r.requestsPerSecond.toFixed(1).padStart(8)} req/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  ` +
        `cpu ${r.cpuMsPerRequest.toFixed(1)} ms/req  db cpu ${r.dbCpuMsPerRequest === null ? '-' : r.dbCpuMsPerRequest.toFixed(1)} ms/req`,
    )
    .join('\n');
}

/** The printed report; its last line is `ratio A/B req/s: <x.xx>`. */
export function formatReport(results: Pick<BenchResults, 'servers' | 'ratios' | 'database' | 'settings'>): string {
  const header = ['server', 'req/s', 'range', 'p50 ms', 'p99 ms', 'cpu ms/req', 'db cpu ms/req', 'idle ms', 'commands/req', 'reply KB/req'];
  const rows = SERVERS.map((server) => {
    const s = results.servers[server];
    return [
      SERVER_LABEL[server],
      s.medianRequestsPerSecond.toFixed(1),
      `${s.minRequestsPerSecond.toFixed(1)}–${s.maxRequestsPerSecond.toFixed(1)}`,
      s.medianP50Ms.toFixed(1),
      s.medianP99Ms.toFixed(1),
      s.cpuMsPerRequest.toFixed(1),
      s.dbCpuMsPerRequest === null ? '-' : s.dbCpuMsPerRequest.toFixed(1),
      s.idleMs.toFixed(1),
      s.commandsPerRequest.toFixed(1),
      s.replyKbPerRequest.toFixed(1),
    ];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const { settings, database, ratios } = results;
  return [
    `database ${database.kind}; ${settings.rounds} rounds × ${settings.seconds} s per server, ${settings.connections} connections; medians over the rounds`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    `ratio A/C req/s: ${ratios['A/C'].toFixed(2)}`,
    `ratio A/D req/s: ${ratios['A/D'].toFixed(2)}`,
    `ratio A/B req/s: ${ratios['A/B'].toFixed(2)}`,
  ].join('\n');
}

/** Writes `results` as indented JSON to `file`, creating its directory. */
export function writeResults(file: string, results: BenchResults): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}
