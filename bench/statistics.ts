/**
 * `npm run bench:stats`: `Query.statistics` on generated worlds of growing size, to show
 * that the gateway's memory does not grow with the number of records (counting happens
 * in the database; only groups reach the gateway) and what a table costs in time.
 *
 * For each size (BENCH_STATS_SIZES, default "10000,100000"):
 * 1. imports `generateWorld({ migrants: size, seed: 1 })` into its own database;
 * 2. starts a fresh gateway process (bench/server.ts, enforced, as `npm start` builds it);
 * 3. as an IOM statistics analyst under AGR-MED-TIP-2024 (purpose STATISTICS), runs each
 *    table of STATS_QUERIES once to warm up, reads the process's memory, then runs every
 *    table BENCH_STATS_REPEAT times (default 5) one after the other, timing each;
 * 4. reads the memory again: RSS, heap in use, and the process's peak RSS;
 * 5. times the protection step alone for the 1,296-cell table (NATIONALITY × AGE_BAND ×
 *    LEGAL_STATUS), in this process on the same counts: BENCH_STATS_PROTECT_ROUNDS
 *    (default 3) rounds, each from nothing (a fresh protection: the pairs of the table made
 *    safe against every third dimension, then the table itself).
 * The first run of each table (its "first ms") includes counting and protecting; later
 * runs find the protected lattice cached for the data version and only count again.
 * It prints one table and ends with the line
 * `stats peak-rss-mb: <smallest size> <x> <largest size> <y> growth-mb: <y - x>`.
 */
import { MongoClient } from 'mongodb';
import { signDevToken } from '../src/dev/devKeys';
import { ensureIndexes } from '../src/data/database';
import { generateWorld } from '../src/world/generateWorld';
import { importWorld } from '../src/world/importWorld';
import { startDatabase, type StartedDatabase } from '../src/dev/testDatabase';
import { Children, stopChild, waitForLine } from './processes';
import { median } from './report';
import { READY_LINE } from './server';
import { Protection } from '../src/policy/disclosure/protect';
import { statisticsLattice } from './statsContext';

const STATS_QUERIES: readonly { name: string; groupBy: string[]; filter?: Record<string, unknown> }[] = [
  { name: 'NATIONALITY', groupBy: ['NATIONALITY'] },
  { name: 'AGE_BAND x SEX', groupBy: ['AGE_BAND', 'SEX'] },
  { name: 'NATIONALITY x AGE_BAND x LEGAL_STATUS', groupBy: ['NATIONALITY', 'AGE_BAND', 'LEGAL_STATUS'] },
  { name: 'VICTIM_STATUS x HOLDER | sex F', groupBy: ['VICTIM_STATUS', 'HOLDER'], filter: { sex: 'F' } },
  { name: 'ARRIVAL_YEAR x LEGAL_STATUS', groupBy: ['ARRIVAL_YEAR', 'LEGAL_STATUS'] },
];

const QUERY = `query Stats($groupBy: [StatDimension!]!, $filter: StatisticsFilter) {
  statistics(groupBy: $groupBy, filter: $filter) { cells { key count suppressed } total suppressedCells }
}`;

interface Memory {
  rss: number;
  heapUsed: number;
  maxRss: number;
}

interface SizeResult {
  size: number;
  importSeconds: number;
  before: Memory;
  after: Memory;
  perQuery: { name: string; cells: number; suppressed: number; total: number | null; firstMs: number; medianMs: number; maxMs: number }[];
  /** The protection step for the 1,296-cell table, per round (ms), and its linear programs. */
  protectMs: number[];
  protectSolves: number;
}

const MB = 1024 * 1024;

function log(message: string): void {
  process.stderr.write(`bench:stats: ${message}\n`);
}

function settings(): { sizes: number[]; repeat: number; protectRounds: number } {
  const sizes = (process.env['BENCH_STATS_SIZES'] ?? '10000,100000').split(',').map((s) => Number(s.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 100 || n > 1_000_000)) {
    throw new Error('BENCH_STATS_SIZES must be a comma-separated list of integers from 100 to 1000000');
  }
  const repeat = Number(process.env['BENCH_STATS_REPEAT'] ?? '5');
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 100) throw new Error('BENCH_STATS_REPEAT must be an integer from 1 to 100');
  const protectRounds = Number(process.env['BENCH_STATS_PROTECT_ROUNDS'] ?? '3');
  if (!Number.isInteger(protectRounds) || protectRounds < 1 || protectRounds > 20) throw new Error('BENCH_STATS_PROTECT_ROUNDS must be an integer from 1 to 20');
  return { sizes, repeat, protectRounds };
}

async function seed(uri: string, dbName: string, size: number): Promise<number> {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    const db = client.db(dbName);
    await db.dropDatabase();
    await ensureIndexes(db);
    const started = performance.now();
    await importWorld(client, db, generateWorld({ migrants: size, seed: 1 }), '<stats bench world>');
    return (performance.now() - started) / 1000;
  } finally {
    await client.close();
  }
}

async function memoryOf(base: string): Promise<Memory> {
  const response = await fetch(`${base}/bench/memory`);
  return (await response.json()) as Memory;
}

async function runOne(base: string, token: string, q: (typeof STATS_QUERIES)[number]) {
  const started = performance.now();
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-agreement-id': 'AGR-MED-TIP-2024',
      'x-purpose': 'STATISTICS',
    },
    body: JSON.stringify({ query: QUERY, variables: { groupBy: q.groupBy, filter: q.filter ?? null } }),
  });
  const body = (await response.json()) as {
    data?: { statistics: { cells: unknown[]; total: number | null; suppressedCells: number } };
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  const ms = performance.now() - started;
  if (response.status !== 200 || body.errors || !body.data) {
    throw new Error(`${q.name}: HTTP ${response.status} ${JSON.stringify(body.errors ?? body)}`);
  }
  return { ms, table: body.data.statistics };
}

/** The protection step of the 1,296-cell table, from nothing, `rounds` times on the counts of `dbName`. */
async function protectionRounds(uri: string, dbName: string, rounds: number): Promise<{ ms: number[]; solves: number }> {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    const { lattice, minCellSize } = await statisticsLattice(client.db(dbName));
    const mask = ['NATIONALITY', 'AGE_BAND', 'LEGAL_STATUS'].reduce((m, d) => m | (1 << lattice.dimensions.indexOf(d)), 0);
    const ms: number[] = [];
    let solves = 0;
    for (let round = 0; round < rounds; round++) {
      const protection = new Protection(lattice, minCellSize);
      const started = performance.now();
      await protection.pattern(mask);
      ms.push(performance.now() - started);
      solves = protection.stats.solves;
    }
    return { ms, solves };
  } finally {
    await client.close();
  }
}

async function measureSize(children: Children, uri: string, size: number, repeat: number, protectRounds: number, token: string): Promise<SizeResult> {
  const dbName = `bench_stats_${size}`;
  log(`importing ${size} migrants into "${dbName}"`);
  const importSeconds = await seed(uri, dbName, size);
  const server = children.spawnTs(`gateway-${size}`, 'bench/server.ts', ['enforced'], { MONGODB_URI: uri, MONGODB_DB: dbName });
  try {
    const match = await waitForLine(server, READY_LINE, 90_000);
    const base = `http://127.0.0.1:${match[2]}`;
    const firstMs: number[] = [];
    for (const q of STATS_QUERIES) firstMs.push((await runOne(base, token, q)).ms);
    const before = await memoryOf(base);
    const perQuery: SizeResult['perQuery'] = [];
    for (const q of STATS_QUERIES) {
      const times: number[] = [];
      let last: Awaited<ReturnType<typeof runOne>>['table'] | null = null;
      for (let i = 0; i < repeat; i++) {
        const { ms, table } = await runOne(base, token, q);
        times.push(ms);
        last = table;
      }
      perQuery.push({
        name: q.name,
        cells: last!.cells.length,
        suppressed: last!.suppressedCells,
        total: last!.total,
        firstMs: firstMs[perQuery.length]!,
        medianMs: median(times),
        maxMs: Math.max(...times),
      });
      log(`${size}: ${q.name}: median ${median(times).toFixed(1)} ms, ${last!.cells.length} cells`);
    }
    const after = await memoryOf(base);
    const protect = await protectionRounds(uri, dbName, protectRounds);
    log(`${size}: protection step of the 1,296-cell table: ${protect.ms.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    return { size, importSeconds, before, after, perQuery, protectMs: protect.ms, protectSolves: protect.solves };
  } finally {
    await stopChild(server);
  }
}

function report(results: readonly SizeResult[]): string {
  const lines: string[] = [];
  const mb = (bytes: number) => (bytes / MB).toFixed(1);
  lines.push('records   import s  rss before MB  rss after MB  heap after MB  peak rss MB');
  for (const r of results) {
    lines.push(
      [
        String(r.size).padStart(7),
        r.importSeconds.toFixed(1).padStart(9),
        mb(r.before.rss).padStart(14),
        mb(r.after.rss).padStart(13),
        mb(r.after.heapUsed).padStart(14),
        mb(r.after.maxRss).padStart(12),
      ].join(' '),
    );
  }
  lines.push('');
  lines.push('table                                    ' + results.map((r) => `${String(r.size).padStart(7)}: first ms  median ms (max)  cells`).join('   '));
  for (let i = 0; i < STATS_QUERIES.length; i++) {
    const name = STATS_QUERIES[i]!.name.padEnd(40);
    const columns = results.map((r) => {
      const q = r.perQuery[i]!;
      return `${q.firstMs.toFixed(0).padStart(17)} ${q.medianMs.toFixed(1).padStart(10)} (${q.maxMs.toFixed(0).padStart(5)}) ${String(q.cells).padStart(6)}`;
    });
    lines.push(`${name} ${columns.join('   ')}`);
  }
  lines.push('');
  for (const r of results) {
    const sorted = [...r.protectMs].sort((a, b) => a - b);
    lines.push(
      `protection step, 1,296-cell table, ${r.size} records: median ${median(r.protectMs).toFixed(0)} ms, range ${sorted[0]!.toFixed(0)}-${sorted.at(-1)!.toFixed(0)} ms over ${r.protectMs.length} rounds, ${r.protectSolves} linear programs`,
    );
  }
  const first = results[0]!;
  const last = results.at(-1)!;
  lines.push('');
  lines.push(
    `stats peak-rss-mb: ${first.size} ${mb(first.after.maxRss)} ${last.size} ${mb(last.after.maxRss)} growth-mb: ${mb(last.after.maxRss - first.after.maxRss)}`,
  );
  return lines.join('\n');
}

async function main(): Promise<number> {
  const { sizes, repeat, protectRounds } = settings();
  const children = new Children();
  let database: StartedDatabase | null = null;
  const stop = async () => {
    await children.stopAll();
    await database?.stop();
  };
  process.on('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    database = await startDatabase({ log });
    const token = await signDevToken({ party: 'IOM', clearance: 'STANDARD', roles: ['ANALYST'] });
    const results: SizeResult[] = [];
    for (const size of sizes) results.push(await measureSize(children, database.uri, size, repeat, protectRounds, token));
    process.stdout.write(`${report(results)}\n`);
    return 0;
  } finally {
    await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:stats failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
