/**
 * The version of the migrant records, for the statistics cache: a counter in the `meta`
 * collection that every write path to `migrants` increments after it writes (import,
 * rectification, erasure). Statistics keep a context's counted and protected lattice
 * for as long as the version (and the day, and the context's scope) stays the same, so
 * every answer over the same data agrees with every other and costs no new counting.
 *
 * A write made around the gateway (directly in the database) does not move the version;
 * its effect on statistics shows from the next version or the next day. Every
 * instance reads the same counter, so instances agree.
 */
import type { Collections } from './database';

/** The `meta` document that holds the version of the migrant records. */
export const MIGRANTS_VERSION_ID = 'migrants';

export interface MetaDoc {
  _id: string;
  version: number;
}

/** Marks the migrant records as changed. Called after every write to `migrants`, even a failed one. */
export async function bumpMigrantsVersion(collections: Collections): Promise<void> {
  await collections.meta.updateOne({ _id: MIGRANTS_VERSION_ID }, { $inc: { version: 1 } }, { upsert: true });
}

/** The current version of the migrant records (0 before any write through the gateway). */
export async function migrantsVersion(collections: Collections): Promise<number> {
  const doc = await collections.meta.findOne({ _id: MIGRANTS_VERSION_ID });
  return typeof doc?.version === 'number' ? doc.version : 0;
}
