/**
 * The version of the migrant records, for the statistics cache: a token in the `meta`
 * collection that every write path to `migrants` replaces with a new random one after it
 * writes (import, rectification, erasure). Random rather than counted, so that a database
 * dropped and imported again never repeats an earlier version. Statistics keep a context's counted and protected lattice
 * for as long as the version (and the day, and the context's scope) stays the same, so
 * every answer over the same data agrees with every other and costs no new counting.
 *
 * A write made around the gateway (directly in the database) does not move the version;
 * its effect on statistics shows from the next version or the next day. Every
 * instance reads the same counter, so instances agree.
 */
import { randomUUID } from 'node:crypto';
import type { Collections } from './database';

/** The `meta` document that holds the version of the migrant records. */
export const MIGRANTS_VERSION_ID = 'migrants';

export interface MetaDoc {
  _id: string;
  version: string;
}

/** The version before any write through the gateway. */
export const NO_VERSION = 'none';

/** Marks the migrant records as changed. Called after every write to `migrants`, even a failed one. */
export async function bumpMigrantsVersion(collections: Collections): Promise<void> {
  await collections.meta.updateOne({ _id: MIGRANTS_VERSION_ID }, { $set: { version: randomUUID() } }, { upsert: true });
}

/** The current version of the migrant records (NO_VERSION before any write through the gateway). */
export async function migrantsVersion(collections: Collections): Promise<string> {
  const doc = await collections.meta.findOne({ _id: MIGRANTS_VERSION_ID });
  return typeof doc?.version === 'string' ? doc.version : NO_VERSION;
}
