/**
 * Erasure that lasts (docs/api.md section 6): an erased record stays erased when a file
 * that holds it is imported again, by the library and by `npm run import`; the import
 * says so per record and writes the rest of the file; the record's consents are not
 * restored either; nothing but the tombstone (id, holder, time, reason) is stored.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db, MongoClient } from 'mongodb';
import { collectionsOf } from '../../src/data/database';
import { importWorld } from '../../src/world/importWorld';
import { eraseMigrantRecord } from '../../src/data/migrants';
import { connectTestDb, loadFixture } from '../support/testGateway';

const DB_NAME = 'test_erasure_lasts';
const ERASED_AT = new Date('2025-05-20T10:00:00Z');
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  ({ client, db } = await connectTestDb(DB_NAME));
});
afterAll(async () => {
  await client.close();
});

it('keeps an erased record erased through a re-import of the same file, and says so', async () => {
  const collections = collectionsOf(db);
  const world = loadFixture();
  await importWorld(client, db, world, 'small-world.json');
  const consentsBefore = await collections.consents.countDocuments({ migrantId: 'm-0001' });
  expect(consentsBefore).toBeGreaterThan(0);
  expect(await eraseMigrantRecord(collections, 'm-0001', 'ITA', 'subject request (Art. 17)', ERASED_AT)).toBe(true);

  const summary = await importWorld(client, db, world, 'small-world.json');
  expect(summary.erasedNotRestored).toEqual([{ id: 'm-0001', erasedAt: ERASED_AT }]);
  expect(summary.migrants).toBe((world['migrants'] as unknown[]).length - 1);
  // Only the tombstone: no personal value came back, and neither did its consents.
  expect(await collections.migrants.findOne({ _id: 'm-0001' })).toEqual({
    _id: 'm-0001',
    holder: 'ITA',
    erasedAt: ERASED_AT,
    erasureReason: 'subject request (Art. 17)',
  });
  expect(await collections.consents.countDocuments({ migrantId: 'm-0001' })).toBe(0);
  // The rest of the file was written: another record is live and complete.
  expect(await collections.migrants.findOne({ _id: 'm-0002', erasedAt: null })).toMatchObject({ _id: 'm-0002' });
});

it('npm run import prints the record it did not restore and succeeds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-erasure-'));
  const file = join(dir, 'world.json');
  writeFileSync(file, JSON.stringify(loadFixture()));
  const env = { ...process.env, MONGODB_URI: process.env['MONGODB_URI']!, MONGODB_DB: DB_NAME };
  const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  const cli = join(__dirname, '..', '..', 'src', 'cli', 'import.ts');
  const run = spawnSync(tsx, [cli, file], { env, encoding: 'utf8', timeout: 60_000 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toContain(`${file}: m-0001: erased on 2025-05-20, not restored`);
});
