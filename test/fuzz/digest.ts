/**
 * "No stored document changed": a SHA-256 over every document of every collection of a
 * database (sorted by _id, as canonical Extended JSON), per collection. The audit
 * collections are left out by default: every disclosure appends to them by design.
 */
import { createHash } from 'node:crypto';
import { BSON, type Db } from 'mongodb';

export const AUDIT_COLLECTIONS = ['auditEvents', 'auditChains'] as const;

export interface DatabaseDigest {
  /** Collection name -> digest of its documents (and their count). */
  collections: Record<string, string>;
}

export async function digestDatabase(db: Db, exclude: readonly string[] = AUDIT_COLLECTIONS): Promise<DatabaseDigest> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !exclude.includes(n)).sort();
  const collections: Record<string, string> = {};
  for (const name of names) {
    const docs = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
    const hash = createHash('sha256');
    for (const doc of docs) hash.update(BSON.EJSON.stringify(doc, { relaxed: false })).update('\n');
    collections[name] = `${docs.length}:${hash.digest('hex').slice(0, 16)}`;
  }
  return { collections };
}
