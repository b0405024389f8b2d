/**
 * The version of the migrant records (src/data/dataVersion.ts), which keys the statistics
 * cache: every write path to `migrants` through the gateway's code gives it a new value,
 * after the write, whether the write found its record or not; an import that is rejected
 * moves nothing; a dropped database never repeats a version.
 */
import type { Db, MongoClient } from 'mongodb';
import { collectionsOf, type Collections } from '../../src/data/database';
import { migrantsVersion, NO_VERSION } from '../../src/data/dataVersion';
import { ImportRejectedError, importWorld } from '../../src/world/importWorld';
import { eraseMigrantRecord, rectifyMigrantRecord } from '../../src/data/migrants';
import { connectTestDb, loadFixture } from '../support/testGateway';

let client: MongoClient;
let db: Db;
let collections: Collections;

beforeAll(async () => {
  ({ client, db } = await connectTestDb('test_data_version'));
  collections = collectionsOf(db);
});
afterAll(async () => {
  await client.close();
});

it('starts at none and takes a new value with every import, rectification and erasure, never an earlier one', async () => {
  const seen = [await migrantsVersion(collections)];
  expect(seen[0]).toBe(NO_VERSION);
  const moved = async (): Promise<void> => {
    const version = await migrantsVersion(collections);
    expect(seen).not.toContain(version);
    seen.push(version);
  };
  await importWorld(client, db, loadFixture() as never, 'small-world.json');
  await moved();
  expect(await rectifyMigrantRecord(collections, 'm-0001', 'ITA', { legalStatus: 'REFUGEE' })).toBe(true);
  await moved();
  // A rectification that finds no record still moves it (the write was attempted).
  expect(await rectifyMigrantRecord(collections, 'm-9999', 'ITA', { legalStatus: 'REFUGEE' })).toBe(false);
  await moved();
  expect(await eraseMigrantRecord(collections, 'm-0002', 'ITA', 'test', new Date('2025-06-01T00:00:00Z'))).toBe(true);
  await moved();
  // Dropped and imported again: a version never seen before.
  await db.dropDatabase();
  await importWorld(client, db, loadFixture() as never, 'small-world.json');
  await moved();
});

it('does not move for an import rejected before anything is written', async () => {
  const before = await migrantsVersion(collections);
  const world = loadFixture();
  (world['migrants'] as Record<string, unknown>[])[0]!['nationality'] = 'not a code';
  await expect(importWorld(client, db, world as never, 'bad.json')).rejects.toBeInstanceOf(ImportRejectedError);
  expect(await migrantsVersion(collections)).toBe(before);
});
