/**
 * The rate limit's counters in MongoDB (src/data/rateLimits.ts): concurrent requests from
 * several stores (as from several instances) each count once, a window ends and a new one
 * starts, and the counters expire by a TTL index. On the real database.
 */
import type { Db, MongoClient } from 'mongodb';
import type { Options } from 'express-rate-limit';
import { ensureIndexes } from '../../src/data/database';
import { MongoRateLimitStore, RATE_LIMITS, type RateLimitDoc } from '../../src/data/rateLimits';
import { connectTestDb } from '../support/testGateway';

let client: MongoClient;
let db: Db;
beforeAll(async () => {
  ({ client, db } = await connectTestDb('test_rate_limits'));
  await ensureIndexes(db);
});
afterAll(() => client.close());

function storeAt(clock: () => Date): MongoRateLimitStore {
  const store = new MongoRateLimitStore(db.collection<RateLimitDoc>(RATE_LIMITS), clock);
  store.init({ windowMs: 60_000 } as Options);
  return store;
}

describe('the shared rate-limit counters', () => {
  it('count every request once, across stores and at once', async () => {
    const now = () => new Date();
    const stores = [storeAt(now), storeAt(now), storeAt(now)];
    const hits = await Promise.all(Array.from({ length: 60 }, (_, i) => stores[i % 3]!.increment('sub-concurrent')));
    // Every request counted once: the total is exact. (Each request's own count is exact
    // on MongoDB, whose findAndModify is atomic; mongo-java-server, the fallback test server,
    // can answer a neighbour's count under contention, so only the bounds are checked here.)
    expect((await stores[0]!.get('sub-concurrent'))?.totalHits).toBe(60);
    const counts = hits.map((h) => h.totalHits);
    expect(Math.max(...counts)).toBe(60);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);
    expect(new Set(hits.map((h) => h.resetTime?.getTime())).size).toBe(1);
  });

  it('start a new window when the last one is over, even when stores find it over at once', async () => {
    let at = new Date('2026-01-01T10:00:00Z');
    const stores = [storeAt(() => at), storeAt(() => at)];
    for (let i = 0; i < 5; i++) await stores[i % 2]!.increment('sub-window');
    expect((await stores[0]!.get('sub-window'))?.totalHits).toBe(5);
    at = new Date('2026-01-01T10:01:00.001Z');
    const fresh = await Promise.all(Array.from({ length: 10 }, (_, i) => stores[i % 2]!.increment('sub-window')));
    // The old window's 5 are gone: the new one holds these 10 (bounds only, as above).
    expect((await stores[0]!.get('sub-window'))?.totalHits).toBe(10);
    expect(Math.max(...fresh.map((h) => h.totalHits))).toBe(10);
    expect(new Set(fresh.map((h) => h.resetTime?.toISOString()))).toEqual(new Set(['2026-01-01T10:02:00.001Z']));
  });

  it('take a request back, and forget a caller', async () => {
    const store = storeAt(() => new Date());
    await store.increment('sub-back');
    await store.increment('sub-back');
    await store.decrement('sub-back');
    expect((await store.get('sub-back'))?.totalHits).toBe(1);
    await store.resetKey('sub-back');
    expect(await store.get('sub-back')).toBeUndefined();
  });

  it('expire with their window (a TTL index on resetAt)', async () => {
    const indexes = await db.collection(RATE_LIMITS).indexes();
    expect(indexes).toEqual(expect.arrayContaining([expect.objectContaining({ key: { resetAt: 1 }, expireAfterSeconds: 0 })]));
  });
});
