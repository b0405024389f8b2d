/**
 * Helpers of the persistent-database tests (persistentDatabase.test.ts,
 * persistentQueryShapes.test.ts): a temporary data directory, environment overrides, a
 * persistent server of the test's own (never the shared one of MONGODB_URI), and a real
 * gateway on any server, built as startTestGateway builds one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { createDevAuthenticator } from '../../src/dev/devAuthenticator';
import { ensureIndexes } from '../../src/data/database';
import { freePort, startDatabase, type StartedDatabase } from '../../src/dev/testDatabase';
import { loadConfig } from '../../src/server/config';
import { createGateway } from '../../src/server/createGateway';
import { createLogger } from '../../src/server/logger';
import { serveGateway, type TestGateway } from '../support/testGateway';

/** A first JVM start compiles the launcher; a first install runs Maven. */
export const SERVER_START_MS = 120_000;

/** Runs `action` with the variables set (undefined: removed), then restores them. */
export async function withEnv<T>(vars: Record<string, string | undefined>, action: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(vars);
  try {
    return await action();
  } finally {
    apply(saved);
  }
}

/** A new temporary directory; the data directory is `<root>/data` (not created yet). */
export function temporaryRoot(label: string): { root: string; dataDir: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), `treatygate-${label}-`));
  return { root, dataDir: join(root, 'data'), remove: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * The embedded database in persistent mode on `dataDir`, chosen as `npm start` chooses
 * (a local mongod if there is one, else mongo-java-server with its H2 backend), but
 * never the shared server of MONGODB_URI, and without waiting for a mongod download
 * (an unreachable mirror makes that step give up at once when no mongod is present).
 */
export async function startPersistent(dataDir: string, log: (message: string) => void = () => undefined): Promise<StartedDatabase> {
  const unreachable = `http://127.0.0.1:${await freePort()}`;
  return withEnv({ MONGOMS_DOWNLOAD_MIRROR: unreachable, MONGOMS_DOWNLOAD_URL: undefined, TREATYGATE_TEST_DB: undefined }, () =>
    startDatabase({ dataDir, ignoreMongodbUri: true, log }),
  );
}

export interface GatewayOnOptions {
  dbName: string;
  clock?: () => Date;
  /** Drop the database first. */
  fresh?: boolean;
}

/** A real gateway (dev-key authenticator, HTTP on 127.0.0.1) on database `dbName` of the server at `uri`. */
export async function gatewayOn(uri: string, options: GatewayOnOptions): Promise<TestGateway> {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  const db: Db = client.db(options.dbName);
  try {
    if (options.fresh) await db.dropDatabase();
    await ensureIndexes(db);
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '0', MONGODB_URI: uri });
    const gateway = await createGateway({
      config,
      db,
      logger: createLogger(config.logLevel),
      authenticate: createDevAuthenticator(),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    const served = await serveGateway(gateway, client);
    return { url: served.url, db, client, gateway, config, server: served.server, close: served.close };
  } catch (error) {
    await client.close();
    throw error;
  }
}

/** Every document of every collection of `db` (system collections aside), by collection name, in `_id` order. */
export async function snapshot(db: Db): Promise<Record<string, unknown[]>> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((name) => !name.startsWith('system.'));
  const result: Record<string, unknown[]> = {};
  for (const name of names.sort()) result[name] = await db.collection(name).find({}, { sort: { _id: 1 } }).toArray();
  return result;
}
