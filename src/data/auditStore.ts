/**
 * Storage of the audit trail: one append-only collection of events and one of chain
 * heads. Each gateway instance appends to a chain of its own, one event at a time, so
 * sequence numbers and links need no global lock.
 */
import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { GENESIS, chainEvent, verifyChains, type AuditEvent, type AuditFacts, type ChainHead, type IntegrityReport } from '../audit/chain';

export const AUDIT_EVENTS = 'auditEvents';
export const AUDIT_CHAINS = 'auditChains';

export interface AuditWriter {
  readonly chain: string;
  /** Appends one event; resolves to its id once it is stored, rejects if it is not. */
  append(facts: AuditFacts): Promise<string>;
}

/** A writer for a new chain (one per gateway instance start). */
export function createAuditWriter(db: Db, chain: string = randomUUID()): AuditWriter {
  const events = db.collection<AuditEvent>(AUDIT_EVENTS);
  const heads = db.collection<ChainHead>(AUDIT_CHAINS);
  let seq = 0;
  let prevHash = GENESIS;
  let tail: Promise<unknown> = Promise.resolve();
  // Set when an insert failed: it may have been stored all the same (the database went
  // away before its reply). The next append then reads where the chain really ends, or
  // every later event would collide with that one and the chain would stay stuck.
  let unsure = false;
  return {
    chain,
    append(facts) {
      const run = tail.then(async () => {
        if (unsure) {
          const last = await events.find({ chain }, { sort: { seq: -1 }, limit: 1, projection: { seq: 1, hash: 1 } }).next();
          if (last) {
            seq = last.seq + 1;
            prevHash = last.hash;
          }
          unsure = false;
        }
        const event = chainEvent(chain, seq, prevHash, facts);
        try {
          await events.insertOne(event);
        } catch (error) {
          unsure = true;
          throw error;
        }
        // The event is stored: the chain moves on even if the head update fails (the
        // next append repairs the head; until then verification reports the tail).
        seq++;
        prevHash = event.hash;
        await heads.updateOne({ _id: chain }, { $set: { lastSeq: event.seq, lastHash: event.hash } }, { upsert: true });
        return event._id;
      });
      tail = run.catch(() => undefined);
      return run;
    },
  };
}

/** Verifies every chain in the database. */
export async function verifyAuditTrail(db: Db): Promise<IntegrityReport> {
  const heads = await db.collection<ChainHead>(AUDIT_CHAINS).find().toArray();
  const byChain = new Map<string, AuditEvent[]>();
  const cursor = db.collection<AuditEvent>(AUDIT_EVENTS).find({}, { sort: { chain: 1, seq: 1 } });
  for await (const event of cursor) {
    const list = byChain.get(event.chain);
    if (list) list.push(event);
    else byChain.set(event.chain, [event]);
  }
  return verifyChains(byChain, heads);
}

/** Indexes of the audit collections. */
export async function ensureAuditIndexes(db: Db): Promise<void> {
  await db.collection(AUDIT_EVENTS).createIndexes([
    { key: { chain: 1, seq: 1 }, name: 'chain_seq', unique: true },
    { key: { subjectIds: 1, at: -1 }, name: 'subject_at' },
  ]);
}

/** Audit events that disclosed something about a subject (internal id), newest first. */
export async function findDisclosures(events: Collection<AuditEvent>, subjectId: string, limit = 1_000): Promise<AuditEvent[]> {
  return events.find({ subjectIds: subjectId, outcome: 'DISCLOSED' }, { sort: { at: -1 }, limit }).toArray();
}
