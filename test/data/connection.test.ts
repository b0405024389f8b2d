/**
 * The background connect-and-index loop of `npm start` (the process-level behaviour is in
 * test/server/databaseFaults.test.ts): retries until the database answers, says so once
 * (and reminds while it stays down), creates the indexes with retries, logs the driver's
 * view of each server going away and coming back, and stops on demand.
 */
import { EventEmitter } from 'node:events';
import type { Db, MongoClient } from 'mongodb';
import { keepDatabaseConnected } from '../../src/data/connection';

const unreachable = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'MongoServerSelectionError' });

/** A client whose first `failures` connects fail, and a db whose first `indexFailures` index creations fail. */
function fakes(failures: number, indexFailures = 0, indexError: () => Error = unreachable) {
  const client = Object.assign(new EventEmitter(), {
    connects: 0,
    async connect() {
      client.connects++;
      if (client.connects <= failures) throw unreachable();
      return client;
    },
  });
  let indexCalls = 0;
  const db = {
    collection: () => ({
      async createIndexes() {
        indexCalls++;
        // ensureIndexes creates the audit indexes first: count whole passes by those.
        if (indexCalls <= indexFailures) throw indexError();
        return [];
      },
    }),
  };
  const lines: string[] = [];
  const log = {
    info: (_f: object, m: string) => lines.push(`info ${m}`),
    warn: (_f: object, m: string) => lines.push(`warn ${m}`),
    error: (_f: object, m: string) => lines.push(`error ${m}`),
  };
  return { client, db, lines, log, clientAsMongo: client as unknown as MongoClient, dbAsMongo: db as unknown as Db };
}

const fast = { connectPauseMs: () => 1, indexPauseMs: () => 1 };

/** Waits for `condition`, polling; the deadline is generous (a loaded machine), only a hang exceeds it. */
async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('keepDatabaseConnected', () => {
  it('retries the connect until the database answers, then creates the indexes', async () => {
    const f = fakes(5);
    const keeper = keepDatabaseConnected(f.clientAsMongo, f.dbAsMongo, f.log, { ...fast, remindEvery: 2 });
    await keeper.ready;
    expect(f.client.connects).toBe(6);
    expect(f.lines).toEqual([
      expect.stringMatching(/^warn database unreachable: serving anyway/),
      'warn database still unreachable',
      'warn database still unreachable',
      'info database reachable: connected',
      'info indexes ensured',
    ]);
    await keeper.stop();
  });

  it('connects at once when the database is up, quietly', async () => {
    const f = fakes(0);
    const keeper = keepDatabaseConnected(f.clientAsMongo, f.dbAsMongo, f.log, fast);
    await keeper.ready;
    expect(f.lines).toEqual(['info indexes ensured']);
    await keeper.stop();
  });

  it('retries index creation: a warning while the database is unreachable, an error for a refusal', async () => {
    const f = fakes(0, 1);
    const keeper = keepDatabaseConnected(f.clientAsMongo, f.dbAsMongo, f.log, fast);
    await keeper.ready;
    expect(f.lines).toEqual([expect.stringMatching(/^warn indexes not created yet \(database unreachable\)/), 'info indexes ensured']);
    await keeper.stop();

    const conflict = fakes(0, 1, () => Object.assign(new Error('Index with name: x already exists with different options'), { name: 'MongoServerError', code: 85 }));
    const second = keepDatabaseConnected(conflict.clientAsMongo, conflict.dbAsMongo, conflict.log, fast);
    await second.ready;
    expect(conflict.lines).toEqual([expect.stringMatching(/^error indexes could not be created/), 'info indexes ensured']);
    await second.stop();
  });

  it('logs each server going away and coming back, as the driver sees it', async () => {
    const f = fakes(0);
    const keeper = keepDatabaseConnected(f.clientAsMongo, f.dbAsMongo, f.log, fast);
    await keeper.ready;
    const change = (from: string, to: string) =>
      f.client.emit('serverDescriptionChanged', {
        address: 'db:27017',
        previousDescription: { type: from },
        newDescription: { type: to, error: to === 'Unknown' ? unreachable() : null },
      });
    change('Standalone', 'Unknown');
    change('Unknown', 'Unknown');
    change('Unknown', 'Standalone');
    change('RSPrimary', 'RSPrimary');
    expect(f.lines.slice(1)).toEqual(['warn database server unreachable', 'info database server reachable again']);
    await keeper.stop();
    change('Standalone', 'Unknown');
    expect(f.lines).toHaveLength(3);
  });

  it('stop() ends the loop while the database is down; ready never resolves then', async () => {
    const f = fakes(Number.MAX_SAFE_INTEGER);
    const keeper = keepDatabaseConnected(f.clientAsMongo, f.dbAsMongo, f.log, { connectPauseMs: () => 60_000 });
    let ready = false;
    void keeper.ready.then(() => (ready = true));
    // The first connect has failed and been said: the loop is in its 60 s pause.
    await until(() => f.lines.length === 1);
    // stop() resolves once the loop has ended: no connect can follow it.
    await keeper.stop();
    expect(f.client.connects).toBe(1);
    // Whatever was going to settle has (a macrotask runs after every pending promise reaction).
    await new Promise((resolve) => setImmediate(resolve));
    expect(f.client.connects).toBe(1);
    expect(ready).toBe(false);
  });
});
