/**
 * The version of the migrant records (src/data/dataVersion.ts), which keys the statistics
 * cache: every write path to `migrants` through the gateway's code moves it, after the
 * write, whether the write found its record or not, and an import that is rejected moves
 * nothing.
 */
import type { Db, MongoClient } from 'mongodb';
import { collectionsOf, type Collections } from '../../src/data/database';
import { migrantsVersion } from '../../src/data/dataVersion';
import { ImportRejectedError, importWorld } from '../../src/data/importWorld';
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

it('starts at 0 and moves with every import, rectification and erasure', async () => {
  expect(await migrantsVersion(collections)).toBe(0);
  await importWorld(client, db, loadFixture() as never, 'small-world.json');
  const imported = await migrantsVersion(collections);
  expect(imported).toBe(1);

  expect(await rectifyMigrantRecord(collections, 'm-0001', 'ITA', { legalStatus: 'REFUGEE' })).toBe(true);
  expect(await migrantsVersion(collections)).toBe(imported + 1);
  // A rectification that finds no record still moves it (the write was attempted).
  expect(await rectifyMigrantRecord(collections, 'm-9999', 'ITA', { legalStatus: 'REFUGEE' })).toBe(false);
  expect(await migrantsVersion(collections)).toBe(imported + 2);

  expect(await eraseMigrantRecord(collections, 'm-0002', 'ITA', 'test', new Date('2025-06-01T00:00:00Z'))).toBe(true);
  expect(await migrantsVersion(collections)).toBe(imported + 3);
});

it('does not move for an import rejected before anything is written', async () => {
  const before = await migrantsVersion(collections);
  const world = loadFixture();
  (world['migrants'] as Record<string, unknown>[])[0]!['nationality'] = 'not a code';
  await expect(importWorld(client, db, world as never, 'bad.json')).rejects.toBeInstanceOf(ImportRejectedError);
  expect(await migrantsVersion(collections)).toBe(before);
});
