/**
 * The database helper's mongo-java-server path, forced: it starts, speaks the wire
 * protocol to driver 7.x, enforces unique indexes, and stops (its port closes).
 */
import { createConnection } from 'node:net';
import { MongoClient, MongoServerError } from 'mongodb';
import { startDatabase, type StartedDatabase } from '../../src/data/testDatabase';

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

describe('test database helper', () => {
  let database: StartedDatabase;
  const saved = { uri: process.env['MONGODB_URI'], forced: process.env['TREATYGATE_TEST_DB'] };
  const logs: string[] = [];

  beforeAll(async () => {
    delete process.env['MONGODB_URI'];
    process.env['TREATYGATE_TEST_DB'] = 'mongo-java-server';
    try {
      database = await startDatabase({ log: (m) => logs.push(m) });
    } finally {
      if (saved.uri !== undefined) process.env['MONGODB_URI'] = saved.uri;
      if (saved.forced === undefined) delete process.env['TREATYGATE_TEST_DB'];
      else process.env['TREATYGATE_TEST_DB'] = saved.forced;
    }
  }, 120_000);

  it('says which server it started, on 127.0.0.1 with directConnection', () => {
    expect(database.kind).toBe('mongo-java-server');
    expect(database.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/\?directConnection=true$/);
    expect(logs.join('\n')).toMatch(/^database: mongo-java-server 1\.47\.0 at mongodb:\/\/127\.0\.0\.1:\d+/);
  });

  it('serves driver 7.x: writes, reads, unique indexes', async () => {
    const client = await MongoClient.connect(database.uri, { serverSelectionTimeoutMS: 5_000 });
    try {
      const collection = client.db('helper_test').collection<{ _id: string; n: number }>('items');
      await collection.insertMany([
        { _id: 'a', n: 1 },
        { _id: 'b', n: 2 },
      ]);
      expect(await collection.find({ n: { $gte: 2 } }).toArray()).toEqual([{ _id: 'b', n: 2 }]);
      await collection.createIndex({ n: 1 }, { unique: true });
      const error: unknown = await collection.insertOne({ _id: 'c', n: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MongoServerError);
      expect((error as MongoServerError).code).toBe(11000);
    } finally {
      await client.close();
    }
  });

  it('stops, closing its port', async () => {
    const port = Number(/:(\d+)\//.exec(database.uri)?.[1]);
    expect(await portOpen(port)).toBe(true);
    await database.stop();
    expect(await portOpen(port)).toBe(false);
  });

  it('uses MONGODB_URI as it is when set, and says so without its credentials', async () => {
    const previous = process.env['MONGODB_URI'];
    const seen: string[] = [];
    process.env['MONGODB_URI'] = 'mongodb://user:secret@db.example.invalid:27017/?replicaSet=rs0';
    try {
      const external = await startDatabase({ log: (m) => seen.push(m) });
      expect(external).toMatchObject({ kind: 'external', uri: 'mongodb://user:secret@db.example.invalid:27017/?replicaSet=rs0' });
      await external.stop();
    } finally {
      if (previous === undefined) delete process.env['MONGODB_URI'];
      else process.env['MONGODB_URI'] = previous;
    }
    expect(seen).toEqual(['database: external, MONGODB_URI (mongodb://***@db.example.invalid:27017/?replicaSet=rs0)']);
  });

  it('refuses an unknown TREATYGATE_TEST_DB', async () => {
    const previous = { uri: process.env['MONGODB_URI'], forced: process.env['TREATYGATE_TEST_DB'] };
    delete process.env['MONGODB_URI'];
    process.env['TREATYGATE_TEST_DB'] = 'sqlite';
    try {
      await expect(startDatabase({ log: () => undefined })).rejects.toThrow(
        'TREATYGATE_TEST_DB must be mongodb-memory-server or mongo-java-server, got "sqlite"',
      );
    } finally {
      if (previous.uri !== undefined) process.env['MONGODB_URI'] = previous.uri;
      if (previous.forced === undefined) delete process.env['TREATYGATE_TEST_DB'];
      else process.env['TREATYGATE_TEST_DB'] = previous.forced;
    }
  });
});
