/**
 * The agreement cache: served from memory within the TTL, never after it, re-read at
 * once after `invalidate`, and fail closed when the re-read fails (the old agreement is
 * never served in place of a database answer).
 */
import { createAgreementCache } from '../../src/context/agreementCache';

interface Agreement {
  id: string;
  status: 'IN_FORCE' | 'SUSPENDED';
}

/** A database of agreements with a manual clock, counting reads and failing on demand. */
function setup(ttlMs = 1_000) {
  let now = 1_000_000;
  const stored = new Map<string, Agreement>([['AGR-1', { id: 'AGR-1', status: 'IN_FORCE' }]]);
  const state = { reads: 0, down: false };
  const load = async (id: string): Promise<Agreement | null> => {
    state.reads++;
    if (state.down) throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'MongoNetworkError' });
    const found = stored.get(id);
    return found ? { ...found } : null;
  };
  const cache = createAgreementCache(load, ttlMs, () => now);
  return {
    cache,
    stored,
    state,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('agreement cache', () => {
  it('serves a read from memory within the TTL', async () => {
    const { cache, stored, state, advance } = setup(1_000);
    expect(await cache.get('AGR-1')).toEqual({ id: 'AGR-1', status: 'IN_FORCE' });
    stored.set('AGR-1', { id: 'AGR-1', status: 'SUSPENDED' });
    advance(999);
    expect((await cache.get('AGR-1'))?.status).toBe('IN_FORCE');
    expect(state.reads).toBe(1);
  });

  it('never uses an entry once the TTL has passed: the change is seen', async () => {
    const { cache, stored, state, advance } = setup(1_000);
    await cache.get('AGR-1');
    stored.set('AGR-1', { id: 'AGR-1', status: 'SUSPENDED' });
    advance(1_000);
    expect((await cache.get('AGR-1'))?.status).toBe('SUSPENDED');
    expect(state.reads).toBe(2);
  });

  it('reads again at once after invalidate(id), and after invalidate() of all', async () => {
    const { cache, stored, state } = setup(60_000);
    stored.set('AGR-2', { id: 'AGR-2', status: 'IN_FORCE' });
    await cache.get('AGR-1');
    await cache.get('AGR-2');
    stored.set('AGR-1', { id: 'AGR-1', status: 'SUSPENDED' });
    stored.set('AGR-2', { id: 'AGR-2', status: 'SUSPENDED' });
    cache.invalidate('AGR-1');
    expect((await cache.get('AGR-1'))?.status).toBe('SUSPENDED');
    expect((await cache.get('AGR-2'))?.status).toBe('IN_FORCE');
    cache.invalidate();
    expect((await cache.get('AGR-2'))?.status).toBe('SUSPENDED');
    expect(state.reads).toBe(4);
  });

  it('fails closed when the re-read after expiry fails: the error, never the old agreement', async () => {
    const { cache, state, advance } = setup(1_000);
    expect((await cache.get('AGR-1'))?.status).toBe('IN_FORCE');
    state.down = true;
    advance(500);
    // Within the TTL the agreement read 500 ms ago is still used.
    expect((await cache.get('AGR-1'))?.status).toBe('IN_FORCE');
    advance(500);
    await expect(cache.get('AGR-1')).rejects.toMatchObject({ name: 'MongoNetworkError' });
    // Still down: still an error (the failure is not cached, and the old entry is gone).
    await expect(cache.get('AGR-1')).rejects.toMatchObject({ name: 'MongoNetworkError' });
    expect(state.reads).toBe(3);
    state.down = false;
    expect((await cache.get('AGR-1'))?.status).toBe('IN_FORCE');
    expect(state.reads).toBe(4);
  });

  it('a failed read is not cached: the next request reads again, within the TTL too', async () => {
    const { cache, state } = setup(60_000);
    state.down = true;
    await expect(cache.get('AGR-1')).rejects.toThrow();
    state.down = false;
    expect((await cache.get('AGR-1'))?.status).toBe('IN_FORCE');
    expect(state.reads).toBe(2);
  });

  it('an invalidate during a read in progress makes later requests read again', async () => {
    let release!: (value: Agreement) => void;
    let reads = 0;
    const cache = createAgreementCache<Agreement>(
      (id) => {
        reads++;
        return reads === 1 ? new Promise((resolve) => (release = resolve)) : Promise.resolve({ id, status: 'SUSPENDED' });
      },
      60_000,
      () => 1_000_000, // a clock that stands still: nothing here expires by time
    );
    const first = cache.get('AGR-1');
    expect(cache.get('AGR-1')).toBe(first); // concurrent requests share one read
    cache.invalidate('AGR-1');
    const second = cache.get('AGR-1');
    release({ id: 'AGR-1', status: 'IN_FORCE' });
    expect((await first)?.status).toBe('IN_FORCE');
    expect((await second)?.status).toBe('SUSPENDED');
    expect((await cache.get('AGR-1'))?.status).toBe('SUSPENDED');
    expect(reads).toBe(2);
  });

  it('caches an unknown id as null, and a TTL of 0 reads every time', async () => {
    const { cache, state } = setup(1_000);
    expect(await cache.get('AGR-NONE')).toBeNull();
    expect(await cache.get('AGR-NONE')).toBeNull();
    expect(state.reads).toBe(1);
    const zero = setup(0);
    await zero.cache.get('AGR-1');
    await zero.cache.get('AGR-1');
    expect(zero.state.reads).toBe(2);
  });

  it('keeps a bounded number of entries, dropping expired ones first', async () => {
    const { cache, state, advance } = setup(1_000);
    for (let i = 0; i < 10_500; i++) await cache.get(`AGR-X${i}`);
    expect(state.reads).toBe(10_500);
    // The most recent ids are still cached; the oldest were dropped beyond the cap.
    await cache.get('AGR-X10499');
    expect(state.reads).toBe(10_500);
    await cache.get('AGR-X0');
    expect(state.reads).toBe(10_501);
    advance(1_000);
    await cache.get('AGR-1');
    expect(state.reads).toBe(10_502);
  });
});
