/**
 * `npm run bench`: the privacy enforcement's cost in one invocation.
 *
 * 1. starts the database (startDatabase: MONGODB_URI, mongodb-memory-server or
 *    mongo-java-server) and imports a generated world of 2,000 migrants into `bench`;
 * 2. starts two gateway processes on the same database: A `enforced` (the gateway) and
 *    B `stripped` (the same server without privacy enforcement);
 * 3. measures each mode's MongoDB commands and reply bytes per request (bench/commands.ts);
 * 4. loads each server from a separate autocannon process (bench/load.ts): a warm-up per
 *    server, then alternating rounds A B A B ... of BENCH_SECONDS each;
 * 5. writes bench/results/latest.json and prints the table, ending with the line
 *    `ratio A/B req/s: <x.xx>`.
 *
 * Contracts: progress goes to standard error, the report to standard output, and
 * nothing is printed after the ratio line. Every child process and the database are
 * stopped on success, on error, on SIGINT/SIGTERM and when the hard time limit passes;
 * the exit code is 0 only when every round ran without a failed request.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { ensureIndexes } from '../src/data/database';
import { generateWorld } from '../src/world/generateWorld';
import { importWorld } from '../src/world/importWorld';
import { startDatabase, type StartedDatabase } from '../src/dev/testDatabase';
import type { BenchMode } from './baseline/stripped';
import { measureCommands, type CommandCost } from './commands';
import type { LoadResult, LoadSpec } from './load';
import { Children, PROJECT_ROOT, outputOf, waitForLine, superviseRun } from './processes';
import { MODES, MODE_LABEL, formatReport, formatRounds, ratioOf, summariseMode, writeResults, type BenchResults, type Round } from './report';
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
  return (180 + 2 * (settings.warmupSeconds + 15) + 2 * settings.rounds * (settings.seconds + 15)) * 1_000;
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

/** Starts one server process per mode and resolves with each one's base URL. */
async function startServers(children: Children, uri: string): Promise<Record<BenchMode, string>> {
  const env = { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent', MONGODB_URI: uri, MONGODB_DB: BENCH_DB, RATE_LIMIT_PER_MINUTE: '0' };
  // (The benchmark loads the gateway, not its per-caller rate limiter: one token sends thousands of requests.)
  const urls = await Promise.all(
    MODES.map(async (mode) => {
      const child = children.spawnTs(`server ${mode}`, 'bench/server.ts', [mode, '0'], env);
      const match = await waitForLine(child, READY_LINE, SERVER_READY_TIMEOUT_MS);
      return [mode, `http://127.0.0.1:${match[2]}`] as const;
    }),
  );
  return Object.fromEntries(urls) as Record<BenchMode, string>;
}

/** Each mode's database cost, measured one after the other on in-process gateways. */
async function measureCosts(uri: string, request: BenchRequest): Promise<Record<BenchMode, CommandCost>> {
  const costs: Partial<Record<BenchMode, CommandCost>> = {};
  for (const mode of MODES) costs[mode] = await measureCommands(uri, BENCH_DB, mode, request);
  return costs as Record<BenchMode, CommandCost>;
}

/** One load of `seconds` against `url` from a fresh load-generator process. */
async function runLoadProcess(children: Children, url: string, seconds: number, settings: BenchSettings, request: BenchRequest): Promise<LoadResult> {
  const spec: LoadSpec = { url: `${url}${request.path}`, seconds, connections: settings.connections, method: request.method, headers: request.headers, body: request.body };
  const child = children.spawnTs('load generator', 'bench/load.ts', [JSON.stringify(spec)], process.env);
  const output = await outputOf(child, (seconds + 30) * 1_000);
  const last = output.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as LoadResult;
}

/** Throws when a round had failed requests or none at all: its numbers would not measure the scenario. */
function assertClean(mode: BenchMode, result: LoadResult): void {
  if (result.requests === 0 || result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${MODE_LABEL[mode]}: ${result.requests} requests, ${result.non2xx} non-2xx, ${result.errors} errors (${result.timeouts} timeouts)`);
  }
}

function describeCheck(mode: BenchMode, check: ResponseCheck, cost: CommandCost): string {
  const decisions = Object.entries(check.decisions).map(([action, count]) => `${action} ${count}`).join(', ') || 'no privacy report';
  const commands = Object.entries(cost.byCommand).map(([name, count]) => `${name} ×${count}`).join(', ');
  return (
    `${MODE_LABEL[mode]}: ${(check.bytes / 1024).toFixed(1)} KB response, ${check.nullValues}/${check.values} top-level values null; ` +
    `decisions: ${decisions}; commands/req ${cost.commandsPerRequest} (${commands}); ` +
    `alone: ${cost.requestMs.toFixed(1)} ms per request, of which database ${cost.dbMsPerRequest.toFixed(1)} ms`
  );
}

async function bench(children: Children, state: { database: StartedDatabase | null }, settings: BenchSettings): Promise<BenchResults> {
  const started = Date.now();
  log(`${settings.rounds} rounds × ${settings.seconds} s per mode, ${settings.connections} connections, warm-up ${settings.warmupSeconds} s per server`);
  const database = await startDatabase({ log });
  state.database = database;
  await seed(database.uri);
  const request = await benchRequest();
  const urls = await startServers(children, database.uri);
  const costs = await measureCosts(database.uri, request);
  for (const mode of MODES) {
    const check = await checkResponse(urls[mode], request);
    log(describeCheck(mode, check, costs[mode]));
  }
  for (const mode of MODES) {
    log(`warm-up ${MODE_LABEL[mode]} (${settings.warmupSeconds} s)`);
    await runLoadProcess(children, urls[mode], settings.warmupSeconds, settings, request);
  }
  const rounds: Round[] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    for (const mode of MODES) {
      const result = await runLoadProcess(children, urls[mode], settings.seconds, settings, request);
      assertClean(mode, result);
      rounds.push({ mode, round, ...result });
      log(formatRounds(rounds.slice(-1)).trim());
    }
  }
  const modes = { enforced: summariseMode(rounds, 'enforced', costs.enforced), stripped: summariseMode(rounds, 'stripped', costs.stripped) };
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
    modes,
    ratio: ratioOf(modes),
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
