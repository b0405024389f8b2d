/**
 * The database helper. The mongo-java-server path is forced (jest's global setup has
 * already set MONGODB_URI for the other test files, so each call here removes it from the
 * environment): it starts, speaks the wire protocol to driver 7.x, enforces unique indexes,
 * stops (its port closes) and restarts on the same port. Also: MONGODB_URI is used as it
 * is, a bad TREATYGATE_TEST_DB is refused, a failed JVM start reports its stderr, and
 * without a local mongod the mongodb-memory-server step gives up within seconds rather than
 * waiting for a download that cannot happen. The install of mongo-java-server includes its
 * H2 backend, and an older install without it is completed (replaced atomically). The
 * persistent mode has tests of its own (persistentDatabase.test.ts,
 * persistentQueryShapes.test.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient, MongoServerError } from 'mongodb';
import {
  freePort,
  installMongoJavaServer,
  locateMongod,
  MONGO_JAVA_SERVER_VERSION,
  startDatabase,
  startMongoJavaServer,
  type StartedDatabase,
} from '../../src/dev/testDatabase';
import { withEnv } from './persistentSupport';

const JVM_START_MS = 90_000;


function portOf(uri: string): number {
  return Number(/^mongodb:\/\/127\.0\.0\.1:(\d+)\//.exec(uri)?.[1]);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function listen(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function withClient<T>(uri: string, action: (client: MongoClient) => Promise<T>): Promise<T> {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 5_000 });
  try {
    return await action(client);
  } finally {
    await client.close();
  }
}

describe('test database helper, mongo-java-server forced', () => {
  let database: StartedDatabase;
  const logs: string[] = [];

  beforeAll(async () => {
    database = await withEnv({ MONGODB_URI: undefined, TREATYGATE_TEST_DB: 'mongo-java-server' }, () =>
      startDatabase({ log: (message) => logs.push(message) }),
    );
  }, JVM_START_MS);

  afterAll(async () => {
    await database?.stop();
  });

  it('says which server it started, on 127.0.0.1 with directConnection', () => {
    expect(database.kind).toBe('mongo-java-server');
    expect(database.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/\?directConnection=true$/);
    expect(logs[logs.length - 1]).toMatch(
      /^database: mongo-java-server 1\.47\.0 at mongodb:\/\/127\.0\.0\.1:\d+\/\?directConnection=true \(forced by TREATYGATE_TEST_DB\)$/,
    );
  });

  it('answers ping and declares MongoDB 5.0.0', async () => {
    await withClient(database.uri, async (client) => {
      expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
      expect(await client.db().admin().command({ buildInfo: 1 })).toMatchObject({ version: '5.0.0', ok: 1 });
    });
  });

  it('serves driver 7.x: writes, reads, unique indexes (E11000)', async () => {
    await withClient(database.uri, async (client) => {
      const items = client.db('helper_test').collection<{ _id: string; n: number }>('items');
      await items.insertMany([
        { _id: 'a', n: 1 },
        { _id: 'b', n: 2 },
      ]);
      expect(await items.find({ n: { $gte: 2 } }).toArray()).toEqual([{ _id: 'b', n: 2 }]);
      await items.createIndex({ n: 1 }, { unique: true });
      const error: unknown = await items.insertOne({ _id: 'c', n: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MongoServerError);
      expect((error as MongoServerError).code).toBe(11000);
      expect((error as MongoServerError).message).toContain('E11000');
    });
  });

  it('stops, closing its port; stopping again is a no-op', async () => {
    const port = portOf(database.uri);
    expect(await portOpen(port)).toBe(true);
    await database.stop();
    expect(await portOpen(port)).toBe(false);
    await database.stop();
  });

  it(
    'restarts on the same port, empty (in memory)',
    async () => {
      const port = portOf(database.uri);
      const again = await startMongoJavaServer({ port });
      try {
        expect(again.uri).toBe(database.uri);
        await withClient(again.uri, async (client) => {
          expect(await client.db('helper_test').collection('items').countDocuments()).toBe(0);
        });
      } finally {
        await again.stop();
      }
    },
    JVM_START_MS,
  );
});

describe('test database helper, choices and failures', () => {
  it('uses MONGODB_URI as it is when set, and logs it without credentials', async () => {
    const uri = 'mongodb://user:secret@db.example.invalid:27017/?replicaSet=rs0';
    const seen: string[] = [];
    const external = await withEnv({ MONGODB_URI: uri, TREATYGATE_TEST_DB: 'mongo-java-server' }, () =>
      startDatabase({ log: (message) => seen.push(message) }),
    );
    expect(external).toMatchObject({ kind: 'external', uri });
    await external.stop();
    expect(seen).toEqual(['database: external, MONGODB_URI (mongodb://***@db.example.invalid:27017/?replicaSet=rs0)']);
  });

  it('refuses an unknown TREATYGATE_TEST_DB', async () => {
    await withEnv({ MONGODB_URI: undefined, TREATYGATE_TEST_DB: 'sqlite' }, async () => {
      await expect(startDatabase({ log: () => undefined })).rejects.toThrow(
        'TREATYGATE_TEST_DB must be mongodb-memory-server or mongo-java-server, got "sqlite"',
      );
    });
  });

  it(
    'reports the JVM stderr when the server cannot start (a port already taken)',
    async () => {
      const taken = await listen();
      const address = taken.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      try {
        await expect(startMongoJavaServer({ port })).rejects.toThrow(
          new RegExp(`java exited \\(exit 3\\) before it was ready; stderr: .*cannot bind 127\\.0\\.0\\.1:${port}.*in use`, 's'),
        );
      } finally {
        taken.close();
      }
    },
    JVM_START_MS,
  );

  describe('mongodb-memory-server when its download server cannot be reached', () => {
    let unreachable: Record<string, string | undefined>;
    let mongod: Awaited<ReturnType<typeof locateMongod>>;

    beforeAll(async () => {
      // A port nobody listens on: the download probe fails at once, as offline it does by DNS.
      unreachable = { MONGODB_URI: undefined, MONGOMS_DOWNLOAD_MIRROR: `http://127.0.0.1:${await freePort()}` };
      mongod = await locateMongod();
    });

    it(
      'forced: uses a local mongod if there is one, else fails within seconds, saying why and how to set MONGODB_URI',
      async () => {
        await withEnv({ ...unreachable, TREATYGATE_TEST_DB: 'mongodb-memory-server' }, async () => {
          if (mongod) {
            const started = await startDatabase({ log: () => undefined });
            await started.stop();
            expect(started.kind).toBe('mongodb-memory-server');
            return;
          }
          // Within seconds because nothing is downloaded: the probe's refusal ends the step
          // (said in the message), rather than a timed bound that a loaded machine could miss.
          const error: unknown = await startDatabase({ log: () => undefined }).catch((e: unknown) => e);
          expect((error as Error).message).toContain('skipped without downloading');
          expect((error as Error).message).toMatch(/^No database could be started\. Tried:\n {2}- mongodb-memory-server: no mongod on the PATH or in its cache, and its download server http:\/\/127\.0\.0\.1:\d+ is unreachable/);
          expect((error as Error).message).toContain('TREATYGATE_TEST_DB=mongodb-memory-server allowed only that one');
          expect((error as Error).message).toContain('Set MONGODB_URI');
        });
      },
      JVM_START_MS,
    );

    it(
      'not forced: falls back to mongo-java-server and says why',
      async () => {
        const seen: string[] = [];
        const started = await withEnv({ ...unreachable, TREATYGATE_TEST_DB: undefined }, () =>
          startDatabase({ log: (message) => seen.push(message) }),
        );
        await started.stop();
        if (mongod) {
          expect(started.kind).toBe('mongodb-memory-server');
          return;
        }
        expect(started.kind).toBe('mongo-java-server');
        expect(seen[seen.length - 1]).toMatch(
          /^database: mongo-java-server 1\.47\.0 at mongodb:\/\/127\.0\.0\.1:\d+\/\?directConnection=true \(fallback; mongodb-memory-server: no mongod on the PATH or in its cache, .* unreachable .*\)$/,
        );
      },
      JVM_START_MS,
    );
  });
});

describe('installing mongo-java-server', () => {
  let cache: string;

  beforeAll(() => {
    cache = mkdtempSync(join(tmpdir(), 'treatygate-cache-'));
  });

  afterAll(() => {
    rmSync(cache, { recursive: true, force: true });
  });

  it(
    'completes an install made before the H2 backend was part of it, replacing it atomically',
    async () => {
      // An install as the helper made it before: the server and its in-memory backend only.
      const target = join(cache, `mongo-java-server-${MONGO_JAVA_SERVER_VERSION}`);
      const oldLib = join(target, 'lib');
      mkdirSync(oldLib, { recursive: true });
      for (const jar of [`mongo-java-server-core-${MONGO_JAVA_SERVER_VERSION}.jar`, `mongo-java-server-memory-backend-${MONGO_JAVA_SERVER_VERSION}.jar`]) {
        writeFileSync(join(oldLib, jar), 'old');
      }
      const seen: string[] = [];
      const lib = await withEnv({ TREATYGATE_CACHE_DIR: cache }, () => installMongoJavaServer((message) => seen.push(message)));
      expect(lib).toBe(oldLib);
      const jars = readdirSync(lib);
      expect(jars).toEqual(
        expect.arrayContaining([
          `mongo-java-server-core-${MONGO_JAVA_SERVER_VERSION}.jar`,
          `mongo-java-server-memory-backend-${MONGO_JAVA_SERVER_VERSION}.jar`,
          `mongo-java-server-h2-backend-${MONGO_JAVA_SERVER_VERSION}.jar`,
        ]),
      );
      expect(jars.some((jar) => /^h2-2\.\d+\.\d+\.jar$/.test(jar))).toBe(true);
      expect(seen[0]).toBe(`completing (with the H2 backend) the install of mongo-java-server ${MONGO_JAVA_SERVER_VERSION} from Maven Central into ${target}`);
      // The old install was moved aside whole (a server started from it may still run), not edited in place.
      const aside = readdirSync(cache).filter((name) => name.startsWith(`.mongo-java-server-${MONGO_JAVA_SERVER_VERSION}.replaced-`));
      expect(aside).toHaveLength(1);
      expect(readdirSync(join(cache, aside[0]!, 'lib')).sort()).toEqual([
        `mongo-java-server-core-${MONGO_JAVA_SERVER_VERSION}.jar`,
        `mongo-java-server-memory-backend-${MONGO_JAVA_SERVER_VERSION}.jar`,
      ]);
      expect(readdirSync(cache).some((name) => name.includes('.installing-'))).toBe(false);

      // Complete now: used as it is, without Maven.
      const again: string[] = [];
      expect(await withEnv({ TREATYGATE_CACHE_DIR: cache }, () => installMongoJavaServer((message) => again.push(message)))).toBe(lib);
      expect(again).toEqual([]);
      expect(existsSync(join(lib, `mongo-java-server-h2-backend-${MONGO_JAVA_SERVER_VERSION}.jar`))).toBe(true);
    },
    JVM_START_MS,
  );
});
