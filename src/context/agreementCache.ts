/**
 * A short-lived cache of agreements by id. An agreement changed outside this instance
 * (an import, another instance) takes effect here within `ttlMs`, or at once where the
 * database reports changes (src/server/plugins/agreementChanges.ts calls `invalidate`);
 * a change made through this gateway must call `invalidate` too (no operation of the
 * schema changes an agreement today: they change only by import).
 *
 * Fail closed: an entry is never used once `ttlMs` has passed since its read began. Its
 * re-read goes to the database; if that fails, the caller gets the failure (the gateway
 * answers SERVICE_UNAVAILABLE), never the old agreement, and nothing is cached.
 */
export interface AgreementCache<T> {
  /** The agreement (or null when there is none), from the cache or from `load`. */
  get(id: string): Promise<T | null>;
  /** Drops one agreement, or all when no id is given. */
  invalidate(id?: string): void;
}

/** Entries kept at most (ids come from a header: unknown ids are cached as null too). */
const MAX_ENTRIES = 10_000;

export function createAgreementCache<T>(
  load: (id: string) => Promise<T | null>,
  ttlMs: number,
  clock: () => number = Date.now,
): AgreementCache<T> {
  const entries = new Map<string, { value: Promise<T | null>; expires: number }>();
  /** Drops expired entries, oldest first (the map is in insertion order), and the oldest beyond the cap. */
  const sweep = (now: number): void => {
    for (const [id, entry] of entries) {
      if (entry.expires > now && entries.size < MAX_ENTRIES) break;
      entries.delete(id);
    }
  };
  return {
    get(id) {
      const now = clock();
      const hit = entries.get(id);
      if (hit && hit.expires > now) return hit.value;
      const value = load(id);
      entries.delete(id);
      sweep(now);
      entries.set(id, { value, expires: now + ttlMs });
      // A failed load is not cached: the next request tries the database again.
      value.catch(() => {
        if (entries.get(id)?.value === value) entries.delete(id);
      });
      return value;
    },
    invalidate(id) {
      // A read in progress is dropped too: requests after this call read again.
      if (id === undefined) entries.clear();
      else entries.delete(id);
    },
  };
}
