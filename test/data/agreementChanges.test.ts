/**
 * The agreements change stream: each change drops its agreement, a gap drops them all,
 * a server without change streams is said once (info) and the TTL path remains, a stream
 * that fails is opened again with backoff, close() ends it. Scripted streams for the
 * paths a test server cannot produce, and the shared test database for the real one.
 */
import { MongoServerError, MongoServerSelectionError, MongoNetworkError } from 'mongodb';
import {
  watchAgreementChanges,
  type AgreementChangeEvent,
  type AgreementChangeStream,
  type WatchableAgreements,
} from '../../src/data/agreementChanges';
import { collectionsOf } from '../../src/data/database';
import { connectTestDb } from '../support/testGateway';

type Step = AgreementChangeEvent | null | Error;

/** A change stream whose answers are pushed by the test; it waits for the next one like a getMore. */
class ScriptedStream implements AgreementChangeStream {
  private readonly queue: Step[] = [];
  private waiting: (() => void) | undefined;
  closed = false;
  constructor(steps: Step[] = []) {
    this.queue.push(...steps);
  }
  push(...steps: Step[]): void {
    this.queue.push(...steps);
    this.waiting?.();
  }
  async tryNext(): Promise<AgreementChangeEvent | null> {
    while (this.queue.length === 0) {
      if (this.closed) throw new Error('ChangeStream is closed');
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
    const step = this.queue.shift()!;
    if (step instanceof Error) throw step;
    return step;
  }
  async close(): Promise<void> {
    this.closed = true;
    this.waiting?.();
  }
}

/** A collection whose nth watch() returns the nth stream given (then fresh, silent ones). */
function scriptedCollection(streams: ScriptedStream[]): WatchableAgreements & { opened: ScriptedStream[] } {
  const opened: ScriptedStream[] = [];
  return {
    opened,
    watch() {
      const stream = streams[opened.length] ?? new ScriptedStream();
      opened.push(stream);
      return stream;
    },
  };
}

function recorder() {
  const calls: string[] = [];
  const infos: string[] = [];
  return {
    calls,
    infos,
    handlers: { changed: (id: string) => calls.push(`changed ${id}`), all: () => calls.push('all') },
    log: { info: (_fields: object, message: string) => infos.push(message) },
  };
}

/** Waits for `condition`, polling; the deadline is generous (a loaded machine), only a hang exceeds it. */
async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const event = (operationType: string, id?: string): AgreementChangeEvent => (id === undefined ? { operationType } : { operationType, documentKey: { _id: id } });
const refused = (): MongoServerError => new MongoServerError({ message: 'Unknown error: null' });
const options = { retryMs: () => 5, refusedRetryMs: 20 };

describe('agreement change stream', () => {
  it('drops the changed agreement on each change, all of them on open and on a drop', async () => {
    const stream = new ScriptedStream([null]);
    const { calls, infos, handlers, log } = recorder();
    const watch = watchAgreementChanges(scriptedCollection([stream]), handlers, log, options);
    await until(() => watch.state() === 'active');
    expect(calls).toEqual(['all']);
    stream.push(event('update', 'AGR-1'), event('replace', 'AGR-2'), event('delete', 'AGR-3'), event('insert', 'AGR-4'), null, event('drop'));
    await until(() => calls.length === 6);
    expect(calls).toEqual(['all', 'changed AGR-1', 'changed AGR-2', 'changed AGR-3', 'changed AGR-4', 'all']);
    expect(infos).toEqual([expect.stringMatching(/change stream open/)]);
    await watch.close();
    expect(stream.closed).toBe(true);
    expect(watch.state()).toBe('closed');
  });

  it('a server that refuses change streams is said once at info; it is asked again later, quietly', async () => {
    // The third stream answers only when the test says so: until then the watch is
    // still unavailable, whenever this test gets to look.
    const third = new ScriptedStream();
    const collection = scriptedCollection([new ScriptedStream([refused()]), new ScriptedStream([refused()]), third]);
    const { calls, infos, handlers, log } = recorder();
    const watch = watchAgreementChanges(collection, handlers, log, options);
    await until(() => collection.opened.length === 3);
    expect(watch.state()).toBe('unavailable');
    expect(infos).toEqual([expect.stringMatching(/refused by the database.*AGREEMENT_CACHE_TTL_MS/)]);
    third.push(null);
    await until(() => watch.state() === 'active');
    expect(infos).toHaveLength(2);
    expect(calls).toEqual(['all']);
    expect(collection.opened.every((s, i) => i === collection.opened.length - 1 || s.closed)).toBe(true);
    await watch.close();
  });

  it('an unreachable database is retried with backoff until the stream opens', async () => {
    const down = () => new ScriptedStream([new MongoServerSelectionError('connect ECONNREFUSED', { type: 'Unknown' } as never)]);
    const collection = scriptedCollection([down(), down(), down(), new ScriptedStream([null])]);
    const { calls, infos, handlers, log } = recorder();
    const delays: number[] = [];
    const watch = watchAgreementChanges(collection, handlers, log, {
      retryMs: (attempt) => {
        delays.push(attempt);
        return 5;
      },
    });
    await until(() => watch.state() === 'active');
    expect(delays).toEqual([1, 2, 3]);
    expect(infos).toEqual([expect.stringMatching(/unavailable.*within AGREEMENT_CACHE_TTL_MS/), expect.stringMatching(/open/)]);
    expect(calls).toEqual(['all']);
    await watch.close();
  });

  it('a stream that fails after it was open drops every agreement and is opened again', async () => {
    const first = new ScriptedStream([null, event('update', 'AGR-1')]);
    const collection = scriptedCollection([first, new ScriptedStream([null])]);
    const { calls, handlers, log } = recorder();
    const watch = watchAgreementChanges(collection, handlers, log, options);
    await until(() => calls.length === 2);
    first.push(new MongoNetworkError('connection reset'));
    await until(() => collection.opened.length === 2 && watch.state() === 'active' && calls.length === 4);
    // all (open), changed, all (the gap), all (open again)
    expect(calls).toEqual(['all', 'changed AGR-1', 'all', 'all']);
    expect(first.closed).toBe(true);
    await watch.close();
  });

  it('an invalidate event (collection dropped or renamed) drops all and opens a new stream', async () => {
    const first = new ScriptedStream([null, event('invalidate')]);
    const collection = scriptedCollection([first, new ScriptedStream([null])]);
    const { calls, handlers, log } = recorder();
    const watch = watchAgreementChanges(collection, handlers, log, options);
    await until(() => collection.opened.length === 2 && calls.length === 3);
    expect(calls).toEqual(['all', 'all', 'all']);
    await watch.close();
  });

  it('close() while waiting to retry stops for good', async () => {
    const collection = scriptedCollection([new ScriptedStream([refused()])]);
    const { handlers, log } = recorder();
    // close() waits for the loop to end (no time limit here): once it resolves, no
    // stream can be opened any more, so what was opened is final.
    const watch = watchAgreementChanges(collection, handlers, log, { refusedRetryMs: 60_000, closeTimeoutMs: 60_000 });
    await until(() => watch.state() === 'unavailable');
    await watch.close();
    expect(watch.state()).toBe('closed');
    expect(collection.opened).toHaveLength(1);
  });

  it('on the shared test database: changes are reported where it has change streams, refused once otherwise', async () => {
    const { client, db } = await connectTestDb('agreement_changes_test');
    const agreements = collectionsOf(db).agreements;
    await db.createCollection('agreements');
    const { calls, infos, handlers, log } = recorder();
    const watch = watchAgreementChanges(agreements, handlers, log, { refusedRetryMs: 60_000 });
    try {
      await until(() => watch.state() !== 'opening');
      if (watch.state() === 'active') {
        // A replica set (MONGODB_URI): the change arrives as it happens.
        await db.collection('agreements').insertOne({ _id: 'AGR-WATCHED' } as never);
        await until(() => calls.includes('changed AGR-WATCHED'));
      } else {
        // mongo-java-server or a standalone mongod: no change streams, the TTL is the bound.
        expect(watch.state()).toBe('unavailable');
        expect(infos).toEqual([expect.stringMatching(/refused by the database/)]);
      }
    } finally {
      await watch.close();
      await client.close();
    }
  });
});
