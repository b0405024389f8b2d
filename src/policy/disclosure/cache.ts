/**
 * The protected lattices of the contexts asked recently, by context and data version.
 *
 * A context's lattice is counted once (one aggregation) and protected table by table as
 * questions come; every answer for the same key is cut from the same protection, so
 * answers agree with each other whatever the order of the questions, and cost no new
 * counting. The key holds what the counts depend on: the context, its scope (which moves
 * with the day: retention), the day (ages), the dimensions, and the version of the migrant
 * records, which every write through the gateway moves (src/data/dataVersion.ts).
 *
 * Bounded: the least recently used entry goes first. A failed entry (the database or the
 * solver failed) is forgotten, so the next question tries again.
 */
import type { Protection } from './protect';

export class ProtectionCache {
  private readonly entries = new Map<string, Promise<Protection>>();

  constructor(readonly capacity = 8) {}

  /** The cached protection for `key`, or the one `create` makes (then cached). */
  get(key: string, create: () => Promise<Protection>): Promise<Protection> {
    const found = this.entries.get(key);
    if (found) {
      this.entries.delete(key);
      this.entries.set(key, found);
      return found;
    }
    const made = create();
    this.entries.set(key, made);
    made.catch(() => {
      if (this.entries.get(key) === made) this.entries.delete(key);
    });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return made;
  }

  get size(): number {
    return this.entries.size;
  }
}
