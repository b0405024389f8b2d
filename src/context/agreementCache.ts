/**
 * A short-lived cache of agreements by id. An agreement changed outside this instance
 * (an import, another instance) takes effect here within `ttlMs`; a change made through
 * this gateway calls `invalidate`, which takes effect at once.
 */
export interface AgreementCache<T> {
  /** The agreement (or null when there is none), from the cache or from `load`. */
  get(id: string): Promise<T | null>;
  /** Drops one agreement, or all when no id is given. */
  invalidate(id?: string): void;
}

export function createAgreementCache<T>(
  load: (id: string) => Promise<T | null>,
  ttlMs: number,
  clock: () => number = Date.now,
): AgreementCache<T> {
  const entries = new Map<string, { value: Promise<T | null>; expires: number }>();
  return {
    get(id) {
      const now = clock();
      const hit = entries.get(id);
      if (hit && hit.expires > now) return hit.value;
      const value = load(id);
      entries.set(id, { value, expires: now + ttlMs });
      // A failed load is not cached: the next request tries the database again.
      value.catch(() => {
        if (entries.get(id)?.value === value) entries.delete(id);
      });
      return value;
    },
    invalidate(id) {
      if (id === undefined) entries.clear();
      else entries.delete(id);
    },
  };
}
