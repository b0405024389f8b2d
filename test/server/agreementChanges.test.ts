/**
 * Issue 7, point 7: an agreement suspended by a re-import (or through another gateway
 * instance on the same database) is refused by every instance within
 * AGREEMENT_CACHE_TTL_MS, and served again within it once back in force. Two gateway
 * instances, each with its own MongoClient with the production options, on one database
 * of the shared test server, over real HTTP; the re-import is `npm run import`'s
 * importWorld. The test server (mongo-java-server) has no change streams, so this is the
 * TTL path; on a replica set (MONGODB_URI) the change stream makes it immediate, and the
 * same bounds hold.
 *
 * No margin on the time: the bound is checked on the clock the agreement cache uses (the
 * instances run in this process, on Date.now): every request made once the TTL has
 * passed since the re-import completed must see the change, however long requests take
 * on a loaded machine. Before that, the test only waits (with a generous deadline) for
 * the change to be seen, and reports when it was.
 */
import { MongoClient, type Db } from 'mongodb';
import { createDevAuthenticator } from '../../src/dev/devAuthenticator';
import { signDevToken } from '../../src/dev/devKeys';
import { createDatabaseClient, ensureIndexes } from '../../src/data/database';
import { importWorld } from '../../src/world/importWorld';
import { loadConfig } from '../../src/server/config';
import { createGateway } from '../../src/server/createGateway';
import { createLogger } from '../../src/server/logger';
import { graphql, loadFixture, serveGateway, type GraphqlReply } from '../support/testGateway';

const DB_NAME = 'test_agreement_changes';
const TTL_MS = 300;
/** The longest wait for a change to be seen: far beyond the TTL, only a hung gateway exceeds it. */
const DEADLINE_MS = 20_000;
const TODAY = new Date('2025-06-01T09:00:00Z');
const AGREEMENT = 'AGR-MED-TIP-2024';
const QUERY = '{ migrants(first: 1) { totalCount edges { node { id } } } }';

interface Instance {
  url: string;
  close(): Promise<void>;
}

/** One gateway instance as `npm start` builds it: its own client, the configured TTL. */
async function startInstance(uri: string): Promise<Instance> {
  const client = createDatabaseClient(uri);
  await client.connect();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', MONGODB_URI: uri, MONGODB_DB: DB_NAME, AGREEMENT_CACHE_TTL_MS: String(TTL_MS) });
  const gateway = await createGateway({
    config,
    db: client.db(DB_NAME),
    logger: createLogger(config.logLevel),
    authenticate: createDevAuthenticator(),
    clock: () => TODAY,
  });
  return serveGateway(gateway, client);
}

/** The shared fixture with the agreement's status set. */
function worldWith(status: 'IN_FORCE' | 'SUSPENDED'): Record<string, unknown[]> {
  const world = loadFixture();
  const agreement = (world['agreements'] as { id: string; status: string }[]).find((a) => a.id === AGREEMENT)!;
  agreement.status = status;
  return world;
}

let importer: MongoClient;
let db: Db;
let instances: Instance[] = [];
let token: string;

const ask = (instance: Instance): Promise<GraphqlReply> => graphql(instance.url, { query: QUERY, token, agreementId: AGREEMENT, purpose: 'ANTI_TRAFFICKING' });
const served = (reply: GraphqlReply): boolean => reply.status === 200 && !reply.body.errors && reply.body.data?.['migrants'] !== undefined;
const refused = (reply: GraphqlReply): boolean =>
  reply.status === 403 && reply.body.errors?.[0]?.extensions?.code === 'AGREEMENT_NOT_IN_FORCE' && !reply.body.data;

/** Polls until `ok` holds for the instance's answer; resolves to the ms since `since`. */
async function pollUntil(instance: Instance, ok: (reply: GraphqlReply) => boolean, since: number): Promise<number> {
  for (;;) {
    const reply = await ask(instance);
    const elapsed = Date.now() - since;
    if (ok(reply)) return elapsed;
    if (elapsed > DEADLINE_MS) throw new Error(`no change after ${elapsed} ms; last answer ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Resolves once the TTL has passed since `since` on the cache's clock (Date.now): from
 * then on, no instance may use an agreement it read before `since`.
 */
async function ttlPassedSince(since: number): Promise<void> {
  // A timer may fire a little early: the clock is what decides.
  while (Date.now() <= since + TTL_MS) await new Promise((resolve) => setTimeout(resolve, since + TTL_MS + 1 - Date.now()));
}

/** Re-imports the world with the agreement in `status`; resolves to the time the import was complete. */
async function reimport(status: 'IN_FORCE' | 'SUSPENDED'): Promise<number> {
  await importWorld(importer, db, worldWith(status), `small-world (${status}).json`);
  return Date.now();
}

beforeAll(async () => {
  const uri = process.env['MONGODB_URI'];
  if (!uri) throw new Error('MONGODB_URI is not set: run tests through jest (global setup starts the database)');
  importer = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  db = importer.db(DB_NAME);
  await db.dropDatabase();
  await ensureIndexes(db);
  await importWorld(importer, db, loadFixture(), 'small-world.json');
  instances = [await startInstance(uri), await startInstance(uri)];
  token = await signDevToken({ party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] });
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.close()));
  await importer?.close();
});

describe('an agreement changed by a re-import, with two gateway instances on one database', () => {
  it('both serve it, both refuse it once the TTL has passed since it was suspended, both serve it again once back in force', async () => {
    // Both instances have the agreement cached (fresh: the worst case for the bound).
    for (const instance of instances) expect(served(await ask(instance))).toBe(true);

    const suspendedAt = await reimport('SUSPENDED');
    // Eventually seen (on the TTL path, when each instance's entry expires).
    const refusedAfter = await Promise.all(instances.map((instance) => pollUntil(instance, refused, suspendedAt)));
    // The bound: once the TTL has passed since the import, every request is refused by both.
    await ttlPassedSince(suspendedAt);
    for (const instance of instances) {
      const reply = await ask(instance);
      expect(refused(reply)).toBe(true);
      expect(reply.body.data ?? null).toBeNull();
    }

    const restoredAt = await reimport('IN_FORCE');
    const servedAfter = await Promise.all(instances.map((instance) => pollUntil(instance, served, restoredAt)));
    await ttlPassedSince(restoredAt);
    for (const instance of instances) expect(served(await ask(instance))).toBe(true);
    process.stderr.write(`agreement change seen after (ms): suspended ${refusedAfter.join(', ')}; restored ${servedAfter.join(', ')} (TTL ${TTL_MS})\n`);
  }, 3 * DEADLINE_MS);

  it('the token-only agreement queries read the stored agreement, never the cache', async () => {
    // Caches are warm on both instances; the status shown by `agreement(id:)` is the stored one at once.
    for (const instance of instances) expect(served(await ask(instance))).toBe(true);
    await reimport('SUSPENDED');
    try {
      for (const instance of instances) {
        const reply = await graphql(instance.url, { query: `{ agreement(id: "${AGREEMENT}") { id status } }`, token });
        expect(reply.body.data?.['agreement']).toEqual({ id: AGREEMENT, status: 'SUSPENDED' });
      }
    } finally {
      await reimport('IN_FORCE');
    }
  });
});
