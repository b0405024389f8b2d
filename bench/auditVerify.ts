/**
 * `npm run bench:audit`: how long `audit:verify`'s verification takes and how much memory
 * it needs, by the number of events. For each size (BENCH_AUDIT_SIZES, default
 * "10000,200000"): writes that many valid events (in chains of BENCH_AUDIT_CHAIN events,
 * default 50,000, with their heads) into a fresh database, then runs the verification in
 * a child process of its own (the same function `npm run audit:verify` runs) and reads
 * its wall time and peak RSS. BENCH_AUDIT_HEAP_MB caps the child's V8 heap (a run that
 * completes under a small cap shows that nothing grows with the events). Ends with
 * `audit-verify peak-rss-mb: <smallest> <x> <largest> <y> growth-mb: <y - x>`.
 */
import { spawnSync } from 'node:child_process';
import { MongoClient } from 'mongodb';
import { chainEvent, type AuditEvent, type AuditFacts } from '../src/audit/chain';
import { AUDIT_CHAINS, AUDIT_EVENTS, ensureAuditIndexes, verifyAuditTrail } from '../src/data/auditStore';
import { startDatabase } from '../src/dev/testDatabase';
import { developmentAuditKeyring } from '../src/audit/keys';

const DEV_AUDIT_KEYS = developmentAuditKeyring();

const MB = 1024 * 1024;

function log(message: string): void {
  process.stderr.write(`bench:audit: ${message}\n`);
}

const FACTS: AuditFacts = {
  at: new Date('2026-12-01T10:00:00Z'),
  sub: 'bench',
  agency: 'bench',
  party: 'ITA',
  agreementId: 'AGR-MED-TIP-2024',
  purpose: 'ANTI_TRAFFICKING',
  operationName: 'Bench',
  documentHash: '0'.repeat(64),
  subjectIds: ['m-000001', 'm-000002'],
  coordinates: { DISCLOSED: ['Migrant.givenName', 'Migrant.nationality'], MINIMISED: ['Migrant.dateOfBirth'], REDACTED: ['Migrant.religion'] },
  outcome: 'DISCLOSED',
};

async function seed(uri: string, dbName: string, size: number, chainLength: number): Promise<void> {
  const client = await MongoClient.connect(uri);
  try {
    const db = client.db(dbName);
    await db.dropDatabase();
    await ensureAuditIndexes(db);
    const events = db.collection<AuditEvent>(AUDIT_EVENTS);
    let written = 0;
    for (let c = 0; written < size; c++) {
      const chain = `bench-${String(c).padStart(4, '0')}`;
      let prevHash = '0'.repeat(64);
      let seq = 0;
      let batch: AuditEvent[] = [];
      for (; seq < chainLength && written < size; seq++, written++) {
        const event = chainEvent(chain, seq, prevHash, FACTS, DEV_AUDIT_KEYS.current);
        prevHash = event.hash;
        batch.push(event);
        if (batch.length === 5_000) {
          await events.insertMany(batch, { ordered: false });
          batch = [];
        }
      }
      if (batch.length > 0) await events.insertMany(batch, { ordered: false });
      await db.collection<{ _id: string; lastSeq: number; lastHash: string }>(AUDIT_CHAINS).insertOne({ _id: chain, lastSeq: seq - 1, lastHash: prevHash });
    }
  } finally {
    await client.close();
  }
}

/** The child: verify and print wall time and peak RSS as JSON. */
async function child(uri: string, dbName: string): Promise<void> {
  const client = await MongoClient.connect(uri);
  try {
    const started = performance.now();
    const report = await verifyAuditTrail(client.db(dbName), DEV_AUDIT_KEYS.byId);
    const ms = performance.now() - started;
    process.stdout.write(`${JSON.stringify({ ms, maxRss: process.resourceUsage().maxRSS * 1024, valid: report.valid, events: report.checkedEvents, chains: report.chains })}\n`);
  } finally {
    await client.close();
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]!, process.argv[4]!);
  const sizes = (process.env['BENCH_AUDIT_SIZES'] ?? '10000,200000').split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 10_000_000)) throw new Error('BENCH_AUDIT_SIZES must be integers from 1 to 10000000');
  const chainLength = Number(process.env['BENCH_AUDIT_CHAIN'] ?? '50000');
  const database = await startDatabase({ log });
  const rows: { size: number; ms: number; maxRss: number; events: number; chains: number }[] = [];
  try {
    for (const size of sizes) {
      const dbName = `bench_audit_${size}`;
      const seeded = performance.now();
      await seed(database.uri, dbName, size, chainLength);
      log(`${size} events written in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
      const heap = process.env['BENCH_AUDIT_HEAP_MB'];
      const flags = heap ? [`--max-old-space-size=${Number(heap)}`] : [];
      const run = spawnSync(process.execPath, [...flags, '--import', 'tsx', __filename, '--child', database.uri, dbName], { encoding: 'utf8', timeout: 3_600_000 });
      if (run.status !== 0) throw new Error(`verification child failed: ${run.stderr}`);
      const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { ms: number; maxRss: number; valid: boolean; events: number; chains: number };
      if (!result.valid || result.events !== size) throw new Error(`${size}: expected a valid trail of ${size} events, got ${JSON.stringify(result)}`);
      rows.push({ size, ...result });
      log(`${size}: verified in ${(result.ms / 1000).toFixed(1)} s, peak RSS ${(result.maxRss / MB).toFixed(1)} MB`);
    }
  } finally {
    await database.stop();
  }
  process.stdout.write('events      chains  verify s  events/s  peak rss MB\n');
  for (const r of rows) {
    process.stdout.write(
      `${String(r.size).padStart(9)} ${String(r.chains).padStart(7)} ${(r.ms / 1000).toFixed(1).padStart(9)} ${Math.round(r.size / (r.ms / 1000)).toString().padStart(9)} ${(r.maxRss / MB).toFixed(1).padStart(12)}\n`,
    );
  }
  const first = rows[0]!;
  const last = rows.at(-1)!;
  process.stdout.write(
    `audit-verify peak-rss-mb: ${first.size} ${(first.maxRss / MB).toFixed(1)} ${last.size} ${(last.maxRss / MB).toFixed(1)} growth-mb: ${((last.maxRss - first.maxRss) / MB).toFixed(1)}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:audit: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
