/**
 * `npm run bench`: what privacy costs, and how the gateway compares with what a team
 * would write without it, in one invocation.
 *
 * 1. starts the database (startDatabase: MONGODB_URI, mongodb-memory-server or
 *    mongo-java-server) and imports a generated world of 2,000 migrants into `bench`;
 * 2. starts four servers on that database, each its own process: A the gateway, B the
 *    gateway with its privacy enforcement stripped (bench/baseline/stripped.ts), C stock
 *    Apollo Server 5 over the same SDL without the privacy directives and D bare
 *    `node:http` with graphql-jit over C's resolvers (bench/alternatives/);
 * 3. measures each server's MongoDB commands and reply bytes per request in process
 *    (bench/commands.ts; C and D share their resolvers, so one measurement serves both),
 *    and one request's latency on each idle server;
 * 4. loads each server from a separate autocannon process (bench/load.ts): a warm-up per
 *    server, then alternating rounds A B C D A B C D ... of BENCH_SECONDS each, reading
 *    the server's CPU time (`GET /bench/cpu`) and the database process's (`/proc`)
 *    around each round;
 * 5. writes bench/results/latest.json and prints the table, then the ratios, ending with
 *    the line `ratio A/B req/s: <x.xx>`.
 *
 * Contracts: progress goes to standard error, the report to standard output, and
 * nothing is printed after the ratio line. Every child process and the database are
 * stopped on success, on error, on SIGINT/SIGTERM and when the hard time limit passes;
 * the exit code is 0 only when every round ran without a failed request.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { ensureIndexes } from '../src/data/database';
import { generateWorld } from '../src/world/generateWorld';
import { importWorld } from '../src/world/importWorld';
import { startDatabase, type StartedDatabase } from '../src/dev/testDatabase';
import { plainServer } from './alternatives/inProcess';
import { gatewayServer, measureCommands, type CommandCost } from './commands';
import type { LoadResult, LoadSpec } from './load';
import { Children, PROJECT_ROOT, outputOf, waitForLine, superviseRun } from './processes';
import {
  SERVERS,
  SERVER_LABEL,
  formatReport,
  formatRounds,
  median,
  ratiosOf,
  summariseServer,
  writeResults,
  type BenchResults,
  type Round,
  type ServerName,
  type ServerSummary,
} from './report';
import { checkResponse, type ResponseCheck } from './response';
import { BENCH_CALLER, BENCH_DB, BENCH_QUERY, BENCH_WORLD, benchRequest, readSettings, type BenchRequest, type BenchSettings } from './scenario';
import { READY_LINE } from './server';

export const RESULTS_FILE = join(PROJECT_ROOT, 'bench', 'results', 'latest.json');

const SERVER_READY_TIMEOUT_MS = 90_000;

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** The whole run may take at most this long before everything is stopped. */
function hardLimitMs(settings: BenchSettings): number {
  const servers = SERVERS.length;
  return (240 + servers * (settings.warmupSeconds + 30) + servers * settings.rounds * (settings.seconds + 15)) * 1_000;
}

/** Empties the database `BENCH_DB`, creates the indexes and imports the bench world. */
async function seed(uri: string): Promise<void> {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    const db = client.db(BENCH_DB);
    await db.dropDatabase();
    await ensureIndexes(db);
    const summary = await importWorld(client, db, generateWorld(BENCH_WORLD), '<bench world>');
    log(`imported ${summary.migrants} migrants, ${summary.dataRequests} data requests, ${summary.consents} consents into "${BENCH_DB}"`);
  } finally {
    await client.close();
  }
}

/** Each server's process: the script under the project root and its arguments. */
const SERVER_PROCESSES: Readonly<Record<ServerName, { readonly script: string; readonly args: readonly string[] }>> = {
  A: { script: 'bench/server.ts', args: ['enforced', '0'] },
  B: { script: 'bench/server.ts', args: ['stripped', '0'] },
  C: { script: 'bench/alternatives/stockApollo.ts', args: ['0'] },
  D: { script: 'bench/alternatives/jit.ts', args: ['0'] },
};

/** Starts the four server processes and resolves with each one's base URL. */
async function startServers(children: Children, uri: string): Promise<Record<ServerName, string>> {
  const env = { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent', MONGODB_URI: uri, MONGODB_DB: BENCH_DB, RATE_LIMIT_PER_MINUTE: '0' };
  // (The benchmark loads the gateway, not its per-caller rate limiter: one token sends thousands of requests.)
  const urls = await Promise.all(
    SERVERS.map(async (server) => {
      const { script, args } = SERVER_PROCESSES[server];
      const child = children.spawnTs(SERVER_LABEL[server], script, args, env);
      const match = await waitForLine(child, READY_LINE, SERVER_READY_TIMEOUT_MS);
      return [server, `http://127.0.0.1:${match[2]}`] as const;
    }),
  );
  return Object.fromEntries(urls) as Record<ServerName, string>;
}

/** Each server's database cost, measured one after the other in process (C and D share their resolvers: one measurement). */
async function measureCosts(uri: string, request: BenchRequest): Promise<Record<ServerName, CommandCost>> {
  const a = await measureCommands(uri, BENCH_DB, gatewayServer('enforced', uri, BENCH_DB), request);
  const b = await measureCommands(uri, BENCH_DB, gatewayServer('stripped', uri, BENCH_DB), request);
  const plain = await measureCommands(uri, BENCH_DB, plainServer, request);
  return { A: a, B: b, C: plain, D: plain };
}

/** One load of `seconds` against `url` from a fresh load-generator process. */
async function runLoadProcess(children: Children, url: string, seconds: number, settings: BenchSettings, request: BenchRequest): Promise<LoadResult> {
  const spec: LoadSpec = { url: `${url}${request.path}`, seconds, connections: settings.connections, method: request.method, headers: request.headers, body: request.body };
  const child = children.spawnTs('load generator', 'bench/load.ts', [JSON.stringify(spec)], process.env);
  const output = await outputOf(child, (seconds + 30) * 1_000);
  const last = output.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as LoadResult;
}

/** A server process's CPU time so far, in ms (its `GET /bench/cpu`). */
async function serverCpuMs(url: string): Promise<number> {
  const usage = (await (await fetch(`${url}/bench/cpu`)).json()) as { user: number; system: number };
  return (usage.user + usage.system) / 1_000;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux, whatever the kernel's HZ). */
const USER_HZ = 100;

/** The database process's CPU time so far, in ms; null where it is not a process of ours or /proc is absent. */
function databaseCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000) / USER_HZ;
  } catch {
    return null;
  }
}

/** The median latency of `count` requests sent one at a time to an idle server. */
async function idleLatencyMs(url: string, request: BenchRequest, count = 20): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await checkResponse(url, request);
    times.push(performance.now() - started);
  }
  return median(times);
}

/** One measured round of `server`: its load, and the CPU its process and the database spent on it. */
async function measureRound(children: Children, server: ServerName, url: string, round: number, facts: { settings: BenchSettings; request: BenchRequest; dbPid: number | undefined }): Promise<Round> {
  const [cpuBefore, dbBefore] = [await serverCpuMs(url), databaseCpuMs(facts.dbPid)];
  const result = await runLoadProcess(children, url, facts.settings.seconds, facts.settings, facts.request);
  const [cpuAfter, dbAfter] = [await serverCpuMs(url), databaseCpuMs(facts.dbPid)];
  assertClean(server, result);
  const perRequest = (ms: number): number => ms / Math.max(1, result.requests);
  return {
    server,
    round,
    ...result,
    cpuMsPerRequest: perRequest(cpuAfter - cpuBefore),
    dbCpuMsPerRequest: dbBefore === null || dbAfter === null ? null : perRequest(dbAfter - dbBefore),
  };
}

/** Throws when a round had failed requests or none at all: its numbers would not measure the scenario. */
function assertClean(server: ServerName, result: LoadResult): void {
  if (result.requests === 0 || result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${SERVER_LABEL[server]}: ${result.requests} requests, ${result.non2xx} non-2xx, ${result.errors} errors (${result.timeouts} timeouts)`);
  }
}

function describeCheck(server: ServerName, check: ResponseCheck, cost: CommandCost): string {
  const decisions = Object.entries(check.decisions).map(([action, count]) => `${action} ${count}`).join(', ') || 'no privacy report';
  const commands = Object.entries(cost.byCommand).map(([name, count]) => `${name} ×${count}`).join(', ');
  return (
    `${SERVER_LABEL[server]}: ${(check.bytes / 1024).toFixed(1)} KB response, ${check.nullValues}/${check.values} top-level values null; ` +
    `decisions: ${decisions}; commands/req ${cost.commandsPerRequest} (${commands}); ` +
    `alone in process: ${cost.requestMs.toFixed(1)} ms per request, of which database ${cost.dbMsPerRequest.toFixed(1)} ms`
  );
}

async function bench(children: Children, state: { database: StartedDatabase | null }, settings: BenchSettings): Promise<BenchResults> {
  const started = Date.now();
  log(`${settings.rounds} rounds × ${settings.seconds} s per server, ${settings.connections} connections, warm-up ${settings.warmupSeconds} s per server`);
  const database = await startDatabase({ log });
  state.database = database;
  await seed(database.uri);
  const request = await benchRequest();
  const urls = await startServers(children, database.uri);
  const costs = await measureCosts(database.uri, request);
  for (const server of SERVERS) {
    const check = await checkResponse(urls[server], request);
    log(describeCheck(server, check, costs[server]));
  }
  const idle: Partial<Record<ServerName, number>> = {};
  for (const server of SERVERS) {
    log(`warm-up ${SERVER_LABEL[server]} (${settings.warmupSeconds} s)`);
    await runLoadProcess(children, urls[server], settings.warmupSeconds, settings, request);
    idle[server] = await idleLatencyMs(urls[server], request);
    log(`${SERVER_LABEL[server]}: one request on the idle server ${idle[server]!.toFixed(1)} ms (median of 20)`);
  }
  const rounds: Round[] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    for (const server of SERVERS) {
      rounds.push(await measureRound(children, server, urls[server], round, { settings, request, dbPid: database.pid }));
      log(formatRounds(rounds.slice(-1)).trim());
    }
  }
  const servers = Object.fromEntries(SERVERS.map((server) => [server, summariseServer(rounds, server, { cost: costs[server], idleMs: idle[server]! })])) as Record<
    ServerName,
    ServerSummary
  >;
  const cpu = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    machine: { platform: process.platform, arch: process.arch, cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown' },
    database: { kind: database.kind },
    world: { ...BENCH_WORLD },
    settings,
    query: BENCH_QUERY,
    context: { ...BENCH_CALLER },
    rounds,
    servers,
    ratios: ratiosOf(servers),
    wallSeconds: Math.round((Date.now() - started) / 1_000),
  };
}

async function main(): Promise<void> {
  const settings = readSettings();
  const { children, state, cleanup } = superviseRun(log, hardLimitMs(settings));

  let results: BenchResults;
  try {
    results = await bench(children, state, settings);
    writeResults(RESULTS_FILE, results);
  } finally {
    await cleanup();
  }
  log(`wrote ${RESULTS_FILE} (${results.wallSeconds} s)`);
  process.stdout.write(`${formatRounds(results.rounds)}\n\n${formatReport(results)}\n`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
