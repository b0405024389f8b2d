/**
 * The protected lattices of the contexts asked recently, by context and data version.
 *
 * Every `statistics` request counts its context's scope again (one aggregation) and
 * digests the counts; the digest is the data version. A lattice whose counts are the
 * same as a cached one's is answered from the cached protection, so the patterns decided
 * for it (and the linear programs behind them) are reused, and every answer over the
 * same data agrees with every other whatever the order of the questions. When the data
 * changes (an import, a rectification, an erasure, a new day moving people across age
 * bands or out of retention), the digest changes and the lattice is protected afresh.
 *
 * Bounded: the least recently used entry goes first.
 */
import type { Protection } from './protect';

export class ProtectionCache {
  private readonly entries = new Map<string, Protection>();

  constructor(readonly capacity = 16) {}

  /** The cached protection for `key`, or the one `create` makes (then cached). */
  get(key: string, create: () => Protection): Protection {
    const found = this.entries.get(key);
    if (found) {
      this.entries.delete(key);
      this.entries.set(key, found);
      return found;
    }
    const made = create();
    this.entries.set(key, made);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return made;
  }

  get size(): number {
    return this.entries.size;
  }
}
