/**
 * Import against the real test database: the shared fixture imports (twice, with no
 * duplicates), a file with bad records is rejected whole naming each of them, and the
 * database is left exactly as it was.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoServerError, type Collection, type Db, type MongoClient } from 'mongodb';
import { collectionsOf } from '../../src/data/database';
import { ImportInterruptedError, ImportRejectedError, importWorld, importWorldFile } from '../../src/world/importWorld';
import { FIXTURE_PATH, connectTestDb, loadFixture } from '../support/testGateway';

const DB_NAME = 'test_import';
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  ({ client, db } = await connectTestDb(DB_NAME));
});
afterAll(async () => {
  await client.close();
});

async function snapshot(database: Db): Promise<Record<string, unknown[]>> {
  const all = (name: string) => database.collection(name).find().sort({ _id: 1 }).toArray();
  return {
    parties: await all('parties'),
    agreements: await all('agreements'),
    migrants: await all('migrants'),
    dataRequests: await all('dataRequests'),
    consents: await all('consents'),
  };
}

function counts(s: Record<string, unknown[]>): Record<string, number> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.length]));
}

/** `database`, with the bulk writes to `name` replaced by `bulkWrite`. */
function withBulkWrite(database: Db, name: string, bulkWrite: (collection: Collection) => Promise<unknown>): Db {
  return new Proxy(database, {
    get(target, prop) {
      if (prop !== 'collection') {
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (collectionName: string) => {
        const collection = target.collection(collectionName);
        if (collectionName !== name) return collection;
        return new Proxy(collection, {
          get(c, p) {
            if (p === 'bulkWrite') return () => bulkWrite(c);
            const value = Reflect.get(c, p, c) as unknown;
            return typeof value === 'function' ? value.bind(c) : value;
          },
        });
      };
    },
  });
}

describe('import', () => {
  it('imports the shared fixture, and again with no duplicates', async () => {
    const fixture = loadFixture();
    const first = await importWorldFile(client, db, FIXTURE_PATH);
    expect(first).toMatchObject({ parties: 5, agreements: 4, migrants: 12, dataRequests: 3, consents: 3 });
    const afterFirst = await snapshot(db);
    await importWorldFile(client, db, FIXTURE_PATH);
    const afterSecond = await snapshot(db);
    expect(counts(afterSecond)).toEqual({ parties: 5, agreements: 4, migrants: 12, dataRequests: 3, consents: 3 });
    // Identical documents, apart from the agreements' write time.
    const strip = (s: Record<string, unknown[]>) => ({
      ...s,
      agreements: s['agreements']!.map((a) => ({ ...(a as object), updatedAt: null })),
    });
    expect(strip(afterSecond)).toEqual(strip(afterFirst));
    // Stored shapes: ids become _id, dates become BSON dates.
    const m1 = await collectionsOf(db).migrants.findOne({ _id: 'm-0001' });
    expect(m1?.dateOfBirth).toEqual(new Date('1994-07-12T00:00:00Z'));
    expect(m1?.familyName).toBe((fixture['migrants']![0] as { familyName: string }).familyName);
  });

  it('replaces a stored record by id (a re-import can suspend an agreement)', async () => {
    const world = loadFixture();
    (world['agreements']![0] as { status: string }).status = 'SUSPENDED';
    await importWorld(client, db, world, 'suspend.json');
    const agreement = await collectionsOf(db).agreements.findOne({ _id: 'AGR-MED-TIP-2024' });
    expect(agreement?.status).toBe('SUSPENDED');
    expect(await collectionsOf(db).agreements.countDocuments()).toBe(4);
    await importWorldFile(client, db, FIXTURE_PATH);
  });

  it('rejects a file with three bad records, naming each, and writes nothing', async () => {
    const before = await snapshot(db);
    const world = loadFixture();
    const migrants = world['migrants'] as Record<string, unknown>[];
    migrants[3]!['dateOfBirth'] = '1999-13-40';
    migrants[5]!['givenName'] = 'Changed, must not be written';
    (world['consents'] as Record<string, unknown>[])[1]!['purpose'] = 'SIGHTSEEING';
    (world['dataRequests'] as Record<string, unknown>[])[2]!['agreementId'] = 'AGR-DOES-NOT-EXIST';
    const error: unknown = await importWorld(client, db, world, 'bad.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportRejectedError);
    const problems = (error as ImportRejectedError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ collection: 'migrants', index: 3, field: 'dateOfBirth' }),
        expect.objectContaining({ collection: 'consents', index: 1, field: 'purpose' }),
        expect.objectContaining({ collection: 'dataRequests', index: 2, field: 'agreementId' }),
      ]),
    );
    const message = (error as Error).message;
    expect(message).toContain('bad.json: rejected, nothing was written');
    expect(message).toMatch(/migrants\[3\].*dateOfBirth/);
    expect(message).toMatch(/consents\[1\].*purpose/);
    expect(message).toMatch(/dataRequests\[2\].*agreementId/);
    expect(await snapshot(db)).toEqual(before);
  });

  it('rejects a file that is not JSON, and one that cannot be read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-import-'));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "parties": [ ');
    await expect(importWorldFile(client, db, broken)).rejects.toThrow(/broken\.json: not valid JSON/);
    await expect(importWorldFile(client, db, join(dir, 'missing.json'))).rejects.toThrow(/missing\.json: cannot read the file \(ENOENT\)/);
  });

  it('a write the database fails part-way stops the import, saying what may be incomplete; importing again completes it', async () => {
    const { client: own, db: fresh } = await connectTestDb(`${DB_NAME}_interrupted`);
    try {
      // The error mongo-java-server answers when an index is built under the write.
      const failing = withBulkWrite(fresh, 'migrants', () => Promise.reject(new MongoServerError({ message: 'Unknown error: null' })));
      const error: unknown = await importWorld(own, failing, loadFixture(), 'small-world.json').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImportInterruptedError);
      const interrupted = error as ImportInterruptedError;
      expect(interrupted.collection).toBe('migrants');
      expect(interrupted.cause).toBeInstanceOf(MongoServerError);
      expect(interrupted.message).toMatch(/^small-world\.json: import interrupted while writing migrants \(MongoServerError: Unknown error: null\)/);
      expect(interrupted.message).toMatch(/Run the same import again to complete it\.$/);
      if (!interrupted.transactional) {
        expect(interrupted.message).toContain('the collections before migrants are complete, migrants and those after it may be incomplete');
        expect(counts(await snapshot(fresh))).toEqual({ parties: 5, agreements: 4, migrants: 0, dataRequests: 0, consents: 0 });
      } else {
        expect(interrupted.message).toContain('nothing was written');
      }
      await importWorld(own, fresh, loadFixture(), 'small-world.json');
      expect(counts(await snapshot(fresh))).toEqual({ parties: 5, agreements: 4, migrants: 12, dataRequests: 3, consents: 3 });
    } finally {
      await own.close();
    }
  });

  it('a write the database acknowledges for fewer records than were sent is an interruption, never a silent loss', async () => {
    const { client: own, db: fresh } = await connectTestDb(`${DB_NAME}_unacknowledged`);
    try {
      // Acknowledged, but only one record of the batch was stored.
      const lossy = withBulkWrite(fresh, 'consents', async () => ({ matchedCount: 0, upsertedCount: 1 }));
      const error: unknown = await importWorld(own, lossy, loadFixture(), 'small-world.json').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImportInterruptedError);
      expect((error as ImportInterruptedError).collection).toBe('consents');
      expect((error as Error).message).toMatch(/while writing consents \(UnacknowledgedWriteError: the database acknowledged 1 of 3 records sent\)/);
    } finally {
      await own.close();
    }
  });

  it('npm run import: exit 0 on the fixture, exit 1 naming the bad records', () => {
    const env = { ...process.env, MONGODB_URI: process.env['MONGODB_URI']!, MONGODB_DB: DB_NAME };
    const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
    const cli = join(__dirname, '..', '..', 'src', 'cli', 'import.ts');
    const ok = spawnSync(tsx, [cli, FIXTURE_PATH], { env, encoding: 'utf8', timeout: 60_000 });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('imported 5 parties, 4 agreements, 12 migrants, 3 data requests, 3 consents');

    const dir = mkdtempSync(join(tmpdir(), 'tg-import-'));
    const bad = join(dir, 'bad.json');
    const world = loadFixture();
    (world['migrants'] as Record<string, unknown>[])[0]!['holder'] = 'XXX';
    writeFileSync(bad, JSON.stringify(world));
    const rejected = spawnSync(tsx, [cli, bad], { env, encoding: 'utf8', timeout: 60_000 });
    expect(rejected.status).toBe(1);
    expect(rejected.stderr).toMatch(/bad\.json: rejected, nothing was written/);
    expect(rejected.stderr).toMatch(/migrants\[0\].*holder/);

    const usage = spawnSync(tsx, [cli], { env, encoding: 'utf8', timeout: 60_000 });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('usage: npm run import');
  });

  it('npm run seed: writes a deterministic world that imports', async () => {
    const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
    const cli = join(__dirname, '..', '..', 'src', 'cli', 'seed.ts');
    const dir = mkdtempSync(join(tmpdir(), 'tg-seed-'));
    const run = (out: string) => spawnSync(tsx, [cli, '--migrants', '40', '--seed', '9', '--out', out], { encoding: 'utf8', timeout: 60_000 });
    expect(run(join(dir, 'a.json')).status).toBe(0);
    expect(run(join(dir, 'b.json')).status).toBe(0);
    const a = readFileSync(join(dir, 'a.json'), 'utf8');
    expect(a).toBe(readFileSync(join(dir, 'b.json'), 'utf8'));
    const summary = await importWorldFile(client, db, join(dir, 'a.json'));
    expect(summary.migrants).toBe(40);
    const bad = spawnSync(tsx, [cli, '--migrants', 'many'], { encoding: 'utf8', timeout: 60_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--migrants must be an integer from 0 to 1000000');
  });
});
