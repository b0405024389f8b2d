/**
 * `npm run soak`: the gateway under a steady mixed load for a minute, to show that it
 * neither fails, nor leaks, nor develops a long tail.
 *
 * 1. starts the database (startDatabase) and imports a fresh
 *    `generateWorld({ migrants: 2000, seed: 1 })` into the database `soak`;
 * 2. starts one gateway process (bench/server.ts, enforced, built as `npm start` builds
 *    it, RATE_LIMIT_PER_MINUTE=0: the soak loads the gateway, not its rate limiter);
 * 2b. asks each statistics table of the mix once (the one-off counting and protection of
 *    the day's lattice, logged with its time, is not part of the steady state);
 * 3. measures the saturation rate of the mix (bench/soakMix.ts) with a closed loop of
 *    SOAK_CONNECTIONS workers (3 s warm-up, then SOAK_SATURATION_SECONDS) from a
 *    load-generator process (bench/soakLoad.ts);
 * 4. soaks: an open loop at SOAK_LOAD_PERCENT (80) % of that rate (or SOAK_RATE), from
 *    a fresh load-generator process: SOAK_WARMUP_SECONDS, then SOAK_SECONDS measured,
 *    while this process samples the gateway's memory, event-loop delay and GC pauses
 *    every second (`GET /bench/memory`);
 * 5. prints the table and ends with `soak errors: <n> rss-growth-mb: <x.x> p99/p50: <y.yy>`.
 *
 * Contracts: progress goes to standard error, the report to standard output, and
 * nothing is printed after the summary line. The exit code is 0 when the run completed,
 * whatever the figures (SOAK_ENFORCE=1: 1 when a target is missed); 1 when it could not
 * complete. Every child process and the database are stopped on success, on error, on
 * SIGINT/SIGTERM and when the hard time limit passes.
 */
import { cpus, loadavg } from 'node:os';
import { MongoClient } from 'mongodb';
import { ensureIndexes } from '../src/data/database';
import { generateWorld } from '../src/world/generateWorld';
import { importWorld } from '../src/world/importWorld';
import { startDatabase, type StartedDatabase } from '../src/dev/testDatabase';
import { Children, outputOf, waitForLine, type BenchChild, superviseRun } from './processes';
import { READY_LINE } from './server';
import { signDevToken } from '../src/dev/devKeys';
import { AGREEMENT_MED, CALLERS, STATISTICS, STATISTICS_TABLES } from './soakMix';
import { PHASE_END, PHASE_MEASURE, type SoakLoadResult, type SoakLoadSpec } from './soakLoad';
import type { RuntimeSample } from './runtimeProbe';
import { formatSoakReport, memoryTimeline, missedTargets, operationRows, readSoakSettings, rssGrowth, runtimeSummary, type MemorySample, type SoakSettings } from './soakReport';

export const SOAK_DB = 'soak';
export const SOAK_WORLD = { migrants: 2_000, seed: 1 } as const;

/** Closed-loop warm-up before the saturation window. */
const SATURATION_WARMUP_SECONDS = 3;
const SERVER_READY_TIMEOUT_MS = 90_000;
/** Set-up of a load process (tokens, discovery) and its drain and clean-up. */
const LOAD_OVERHEAD_MS = 60_000;

function log(message: string): void {
  process.stderr.write(`soak: ${message}\n`);
}

function hardLimitMs(settings: SoakSettings): number {
  return (240 + SATURATION_WARMUP_SECONDS + settings.saturationSeconds + settings.warmupSeconds + settings.seconds + 2 * LOAD_OVERHEAD_MS / 1_000) * 1_000;
}

async function seed(uri: string): Promise<void> {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    const db = client.db(SOAK_DB);
    await db.dropDatabase();
    await ensureIndexes(db);
    const summary = await importWorld(client, db, generateWorld(SOAK_WORLD), '<soak world>');
    log(`imported ${summary.migrants} migrants, ${summary.dataRequests} data requests, ${summary.consents} consents into "${SOAK_DB}"`);
  } finally {
    await client.close();
  }
}

async function startGateway(children: Children, uri: string): Promise<string> {
  const env = { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent', MONGODB_URI: uri, MONGODB_DB: SOAK_DB, RATE_LIMIT_PER_MINUTE: '0' };
  const child = children.spawnTs('gateway', 'bench/server.ts', ['enforced', '0'], env);
  const match = await waitForLine(child, READY_LINE, SERVER_READY_TIMEOUT_MS);
  return `http://127.0.0.1:${match[2]}`;
}

function spawnLoad(children: Children, spec: SoakLoadSpec): BenchChild {
  return children.spawnTs(`load generator (${spec.mode})`, 'bench/soakLoad.ts', [JSON.stringify(spec)], process.env);
}

async function resultOf(child: BenchChild, timeoutMs: number): Promise<SoakLoadResult> {
  const output = await outputOf(child, timeoutMs);
  return JSON.parse(output.trim().split('\n').pop() ?? '') as SoakLoadResult;
}

/** Samples the gateway's memory every second until stopped. */
function startSampler(baseUrl: string): { samples: MemorySample[]; failures: number; stop(): void } {
  const state = { samples: [] as MemorySample[], failures: 0, stop: () => undefined as void };
  let running = true;
  const sample = async (): Promise<void> => {
    const atMs = Date.now();
    try {
      const response = await fetch(`${baseUrl}/bench/memory`, { signal: AbortSignal.timeout(5_000) });
      const body = (await response.json()) as { rss: number; heapUsed: number; runtime?: RuntimeSample };
      state.samples.push({ atMs, rss: body.rss, heapUsed: body.heapUsed, ...(body.runtime ? { runtime: body.runtime } : {}) });
    } catch {
      state.failures++;
    }
  };
  const timer = setInterval(() => void (running ? sample() : undefined), 1_000);
  void sample();
  state.stop = () => {
    running = false;
    clearInterval(timer);
  };
  return state;
}

/**
 * Asks each statistics table of the mix once before the load: the first question for a
 * version of the records counts and protects the tables it needs (seconds of CPU on this
 * sparse world, `npm run bench:stats` measures it), a one-off that would otherwise land in
 * the saturation window and be taken for the steady state. Its time is logged.
 */
async function protectStatistics(baseUrl: string): Promise<void> {
  const caller = CALLERS.iomAnalyst;
  const token = await signDevToken({ party: caller.party, clearance: caller.clearance, roles: ['ANALYST'] });
  const started = performance.now();
  for (const table of STATISTICS_TABLES) {
    const response = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-agreement-id': AGREEMENT_MED, 'x-purpose': 'STATISTICS' },
      body: JSON.stringify({ query: STATISTICS, variables: { groupBy: table.groupBy, filter: table.filter } }),
    });
    const body = (await response.json()) as { errors?: unknown[] };
    if (response.status !== 200 || body.errors) throw new Error(`statistics ${table.groupBy.join(' x ')}: HTTP ${response.status} ${JSON.stringify(body.errors)}`);
  }
  log(`statistics: the mix's ${STATISTICS_TABLES.length} tables counted and protected once in ${((performance.now() - started) / 1000).toFixed(1)} s (before the load)`);
}

async function soak(children: Children, state: { database: StartedDatabase | null }, settings: SoakSettings): Promise<{ report: string; missed: string[] }> {
  const loadStart = loadavg()[0]!;
  const database = await startDatabase({ log });
  state.database = database;
  await seed(database.uri);
  const baseUrl = await startGateway(children, database.uri);
  log(`gateway at ${baseUrl} (database ${database.kind})`);
  await protectStatistics(baseUrl);

  log(`saturation: closed loop, ${settings.connections} connections, ${SATURATION_WARMUP_SECONDS} s warm-up + ${settings.saturationSeconds} s`);
  const saturationSpec: SoakLoadSpec = {
    baseUrl,
    mode: 'closed',
    warmupSeconds: SATURATION_WARMUP_SECONDS,
    seconds: settings.saturationSeconds,
    connections: settings.connections,
    seed: settings.seed,
    firstConsentPair: 0,
  };
  const saturation = await resultOf(spawnLoad(children, saturationSpec), (SATURATION_WARMUP_SECONDS + settings.saturationSeconds) * 1_000 + LOAD_OVERHEAD_MS);
  const saturationAll = operationRows(saturation).all;
  log(`saturation: ${saturation.completedPerSecond.toFixed(1)} req/s (p50 ${saturationAll.p50Ms.toFixed(1)} ms, p99 ${saturationAll.p99Ms.toFixed(1)} ms), ${saturation.unexpected} unexpected`);

  const rate = settings.rate ?? Math.max(1, Math.round(saturation.completedPerSecond * settings.loadFactor * 10) / 10);
  log(`soak: open loop at ${rate} req/s, ${settings.warmupSeconds} s warm-up + ${settings.seconds} s measured`);
  const soakSpec: SoakLoadSpec = {
    baseUrl,
    mode: 'open',
    warmupSeconds: settings.warmupSeconds,
    seconds: settings.seconds,
    rate,
    seed: settings.seed + 1,
    firstConsentPair: saturation.nextConsentPair,
  };
  const sampler = startSampler(baseUrl);
  let measureStart: number;
  let measureEnd: number;
  let result: SoakLoadResult;
  try {
    const load = spawnLoad(children, soakSpec);
    const phaseTimeout = (settings.warmupSeconds + settings.seconds) * 1_000 + LOAD_OVERHEAD_MS;
    await waitForLine(load, new RegExp(PHASE_MEASURE), phaseTimeout);
    measureStart = Date.now();
    log('warm-up done: measuring');
    await waitForLine(load, new RegExp(PHASE_END), phaseTimeout);
    measureEnd = Date.now();
    log('measured phase done: draining and cleaning up');
    result = await resultOf(load, LOAD_OVERHEAD_MS);
  } finally {
    sampler.stop();
  }
  if (sampler.failures > 0) log(`${sampler.failures} memory samples failed`);
  const memory = rssGrowth(sampler.samples, measureStart, measureEnd);
  const all = operationRows(result).all;
  const unexpected = saturation.unexpected + result.unexpected;
  return {
    report: formatSoakReport({
      database: database.kind,
      machine: { cpus: cpus().length, loadStart, loadEnd: loadavg()[0]! },
      saturation,
      soak: result,
      memory,
      memoryTimeline: memoryTimeline(sampler.samples.filter((sample) => sample.atMs <= measureEnd), measureStart),
      runtime: runtimeSummary(sampler.samples, measureStart, measureEnd),
      loadFactor: settings.rate === null ? settings.loadFactor : rate / saturation.completedPerSecond,
    }),
    missed: missedTargets(unexpected, memory.growthMb, all.p99Ms / all.p50Ms),
  };
}

async function main(): Promise<number> {
  const settings = readSoakSettings();
  const { children, state, cleanup } = superviseRun(log, hardLimitMs(settings));

  let outcome: { report: string; missed: string[] };
  try {
    outcome = await soak(children, state, settings);
  } finally {
    await cleanup();
  }
  process.stdout.write(`${outcome.report}\n`);
  if (settings.enforce && outcome.missed.length > 0) {
    log(`SOAK_ENFORCE=1 and targets missed: ${outcome.missed.join('; ')}`);
    return 1;
  }
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`soak failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
