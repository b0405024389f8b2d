/**
 * Hostile input corpus for `npm run import` (issue 7, point 8): the shared fixture,
 * corrupted by ./worldCorruption.ts (every corruption invalidates the file), is imported
 * through the real path (`importWorldFile`: read, parse, validate against the stored
 * ids, write) into a database that already holds the valid fixture. Each file must be
 * rejected as a whole with an `ImportRejectedError` (nothing else may be thrown) whose
 * problems name every corrupted record (collection, index, field), with messages of
 * bounded size and no control characters; and nothing may be written: every collection
 * is digested after every case and compared with the digest taken after the fixture.
 *
 * A few cases run the actual command (`tsx src/cli/import.ts <file>`, as `npm run import`
 * does) as a child process: exit code 1, the file named as rejected, no stack trace.
 *
 * Deterministic: FUZZ_SEED seeds the properties (fast-check prints seed and path on a
 * failure); FUZZ_SCALE multiplies the number of runs.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Db, MongoClient } from 'mongodb';
import { ensureIndexes } from '../../src/data/database';
import { ImportRejectedError, importWorld, importWorldFile } from '../../src/world/importWorld';
import type { ImportProblem } from '../../src/world/validateWorld';
import { connectTestDb, loadFixture } from '../support/testGateway';
import { digestDatabase, type DatabaseDigest } from './digest';
import { corrupt, corruptWorldArbitrary, describePlan, type CorruptWorld, type Expectation, type World } from './worldCorruption';

const SEED = Number(process.env['FUZZ_SEED'] ?? 7_082_025);
const SCALE = Number(process.env['FUZZ_SCALE'] ?? 1);
const RUNS = 400;
const CLI_CASES = 4;
const DB_NAME = 'test_fuzz_import';
/** FUZZ_COLLECT=1: run every case, write the problems found to test-artifacts/fuzz-import-problems.json. */
const COLLECT = process.env['FUZZ_COLLECT'] === '1';

let client: MongoClient;
let db: Db;
let dir: string;
let fixture: World;
let stored: DatabaseDigest;
let fileNumber = 0;

/** The database holds exactly the valid fixture; `stored` is its digest. */
async function restoreFixture(): Promise<void> {
  await db.dropDatabase();
  await ensureIndexes(db);
  await importWorld(client, db, loadFixture(), 'small-world.json');
  stored = await digestDatabase(db, []);
}

beforeAll(async () => {
  ({ client, db } = await connectTestDb(DB_NAME));
  fixture = loadFixture() as World;
  await restoreFixture();
  dir = mkdtempSync(join(tmpdir(), 'tg-import-fuzz-'));
}, 60_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await client?.close();
});

function matches(problem: ImportProblem, e: Expectation): boolean {
  if (problem.collection !== e.collection || problem.index !== e.index) return false;
  return problem.field === e.field || (!e.exact && (problem.field.startsWith(`${e.field}.`) || problem.field.startsWith(`${e.field}[`)));
}

/** What is wrong with how the importer treated one corrupted file (empty: all is well). */
async function importProblems(plan: CorruptWorld): Promise<string[]> {
  const { bytes, expectations, invalidJson } = corrupt(fixture, plan);
  const file = join(dir, `case-${++fileNumber}.json`);
  writeFileSync(file, bytes);
  const out: string[] = [];
  let error: unknown = null;
  try {
    const summary = await importWorldFile(client, db, file);
    out.push(`accepted: ${JSON.stringify(summary)}`);
  } catch (e) {
    error = e;
  }
  rmSync(file, { force: true });
  if (error !== null && !(error instanceof ImportRejectedError)) {
    out.push(`threw ${(error as Error)?.name ?? typeof error} instead of ImportRejectedError: ${String((error as Error)?.message ?? error).slice(0, 300)}`);
  }
  if (error instanceof ImportRejectedError) {
    const message = error.message;
    if (!message.startsWith(`${file}: `)) out.push(`the message does not start with the file name: ${message.slice(0, 120)}`);
    if (invalidJson) {
      const utf8 = plan.text?.kind === 'invalidUtf8';
      if (!utf8 && !/not valid JSON/.test(message)) out.push(`a file that is not JSON, refused with: ${message.slice(0, 200)}`);
    } else {
      if (!message.includes('rejected, nothing was written')) out.push(`message without "rejected, nothing was written": ${message.slice(0, 200)}`);
      for (const e of expectations) {
        if (!error.problems.some((p) => matches(p, e))) {
          const near = error.problems.filter((p) => p.collection === e.collection && p.index === e.index).map((p) => `${p.field}: ${p.message}`);
          out.push(`no problem names ${e.collection}[${e.index ?? '-'}] field ${e.field}${e.exact ? '' : '(.*)'}; for that record: ${JSON.stringify(near).slice(0, 300)}`);
        }
      }
    }
    for (const p of error.problems) {
      if (p.message.length > 400) out.push(`a problem message of ${p.message.length} characters (${p.collection}[${p.index}] ${p.field})`);
    }
    if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(message)) out.push('the message carries control characters');
  }
  const after = await digestDatabase(db, []);
  if (JSON.stringify(after) !== JSON.stringify(stored)) {
    const changed = Object.keys(after.collections).filter((c) => after.collections[c] !== stored.collections[c]);
    out.push(`the database changed (${changed.join(', ')})`);
    // Collecting: put the fixture back, so that later cases are judged on their own.
    if (COLLECT) await restoreFixture();
  }
  return out;
}

describe('npm run import with corrupted files', () => {
  it(
    `rejects every corrupted file whole, naming each corrupted record, and writes nothing (${RUNS * SCALE} files)`,
    async () => {
      const plans = corruptWorldArbitrary(fixture).map((plan) => Object.assign(plan, { [fc.toStringMethod]: () => describePlan(plan) }));
      const collected = new Map<string, { count: number; example: string }>();
      await fc.assert(
        fc.asyncProperty(plans, async (plan) => {
          const problems = await importProblems(plan);
          if (problems.length > 0 && COLLECT) {
            for (const p of problems) {
              const key = p.replace(/\d+/g, 'N').slice(0, 90);
              const entry = collected.get(key) ?? { count: 0, example: `${describePlan(plan).slice(0, 300)}: ${p.slice(0, 300)}` };
              entry.count++;
              collected.set(key, entry);
            }
            return;
          }
          if (problems.length > 0) throw new Error(`${describePlan(plan)}:\n  ${problems.join('\n  ')}`);
        }),
        { seed: SEED, numRuns: Math.max(1, Math.round(RUNS * SCALE)) },
      );
      if (COLLECT) {
        const dir = join(__dirname, '..', '..', 'test-artifacts');
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'fuzz-import-problems.json'), `${JSON.stringify(Object.fromEntries(collected), null, 2)}\n`);
      }
    },
    120_000 * SCALE,
  );

  it(
    `the command itself: exit 1, the file named as rejected, no stack trace, nothing written (${CLI_CASES} files)`,
    async () => {
      const plans = fc.sample(corruptWorldArbitrary(fixture), { seed: SEED, numRuns: CLI_CASES });
      const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
      const cli = join(__dirname, '..', '..', 'src', 'cli', 'import.ts');
      const env = { ...process.env, MONGODB_URI: process.env['MONGODB_URI']!, MONGODB_DB: DB_NAME };
      const runs = plans.map(async (plan, i) => {
        const file = join(dir, `cli-${i}.json`);
        writeFileSync(file, corrupt(fixture, plan).bytes);
        const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn(tsx, [cli, file], { env });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
          child.on('close', (code) => resolve({ code, stdout, stderr }));
        });
        return { plan: describePlan(plan), file, ...result };
      });
      for (const r of await Promise.all(runs)) {
        const account = { plan: r.plan, code: r.code, stdout: r.stdout.slice(0, 300), stderr: r.stderr.slice(0, 600) };
        expect({ ...account, code: r.code }).toEqual({ ...account, code: 1 });
        expect(r.stderr).toMatch(new RegExp(`${r.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (rejected, nothing was written|not valid JSON|not valid UTF-8)`));
        expect(r.stderr).not.toMatch(/\n\s+at \S|node_modules/);
        expect(r.stdout).not.toContain('imported');
      }
      expect(await digestDatabase(db, [])).toEqual(stored);
    },
    60_000,
  );
});
