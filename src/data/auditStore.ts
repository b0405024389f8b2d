/**
 * Storage of the audit trail: one append-only collection of events and one of chain
 * heads. Each gateway instance appends to a chain of its own, in order, so sequence
 * numbers and links need no global lock.
 */
import { randomUUID } from 'node:crypto';
import type { Collection, Db, Filter } from 'mongodb';
import { ChainVerifier, GENESIS, chainEvent, type AuditEvent, type AuditFacts, type ChainHead, type CheckpointedHead, type IntegrityReport } from '../audit/chain';
import type { AuditKey } from '../audit/keys';

export const AUDIT_EVENTS = 'auditEvents';
export const AUDIT_CHAINS = 'auditChains';

export interface AuditWriter {
  readonly chain: string;
  /** Appends one event; resolves to its id once it is stored, rejects if it is not. */
  append(facts: AuditFacts): Promise<string>;
}

/** Most events one write stores (group commit under load). */
const MAX_BATCH = 200;

interface PendingAppend {
  readonly facts: AuditFacts;
  readonly resolve: (id: string) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A writer for a new chain (one per gateway instance start), whose events carry MACs
 * under `key` (src/audit/keys.ts). Appends are chained in call
 * order. While one write is under way, the appends that arrive wait and are then stored
 * together: one `insertMany` (ordered) and one head update for the whole group, sent
 * side by side, so under load the trail costs two commands per group, not per response,
 * and a response waits for one round trip. Each append resolves only once its event and
 * the head are stored.
 */
export function createAuditWriter(db: Db, key: AuditKey, chain: string = randomUUID()): AuditWriter {
  const events = db.collection<AuditEvent>(AUDIT_EVENTS);
  const heads = db.collection<ChainHead>(AUDIT_CHAINS);
  // The chain is registered as it opens (no event yet), so a checkpoint names it from then on.
  const registered = heads.updateOne({ _id: chain }, { $setOnInsert: { lastSeq: -1, lastHash: GENESIS } }, { upsert: true }).catch(() => undefined);
  let seq = 0;
  let prevHash = GENESIS;
  const pending: PendingAppend[] = [];
  let writing = false;
  // Set when a write failed: some of its events may have been stored all the same (the
  // database went away before its reply). The next write then reads where the chain
  // really ends, or every later event would collide with those and the chain would stay
  // stuck. Events stored that way over-report a disclosure that was withheld, never the
  // reverse.
  let unsure = false;

  const writeGroup = async (group: readonly PendingAppend[]): Promise<AuditEvent[]> => {
    await registered;
    if (unsure) {
      const last = await events.find({ chain }, { sort: { seq: -1 }, limit: 1, projection: { seq: 1, hash: 1 } }).next();
      if (last) {
        seq = last.seq + 1;
        prevHash = last.hash;
      }
      unsure = false;
    }
    const stored: AuditEvent[] = [];
    let nextSeq = seq;
    let nextHash = prevHash;
    for (const append of group) {
      const event = chainEvent(chain, nextSeq++, nextHash, append.facts, key);
      nextHash = event.hash;
      stored.push(event);
    }
    try {
      await storeGroup(events, heads, stored, { seq: seq - 1, hash: prevHash });
    } catch (error) {
      unsure = true;
      throw error;
    }
    seq = nextSeq;
    prevHash = nextHash;
    return stored;
  };

  const drain = async (): Promise<void> => {
    if (writing) return;
    writing = true;
    try {
      while (pending.length > 0) {
        const group = pending.splice(0, MAX_BATCH);
        try {
          const stored = await writeGroup(group);
          group.forEach((append, i) => append.resolve(stored[i]!._id));
        } catch (error) {
          for (const append of group) append.reject(error);
        }
      }
    } finally {
      writing = false;
    }
  };

  return {
    chain,
    append(facts) {
      return new Promise<string>((resolve, reject) => {
        pending.push({ facts, resolve, reject });
        void drain();
      });
    },
  };
}

/**
 * Stores a group's events with the chain head beside them, not after them: one round trip
 * for the response. If the events are refused and the head is not, the head is put back
 * where it was (`previous`); should that fail too, the head names events that are not
 * there, and verification reports the chain's tail until the next write (which reads
 * where the chain really ends and writes the head again): an alarm too many, never one
 * too few. The same holds when the events are stored and the head is not.
 */
async function storeGroup(
  events: Collection<AuditEvent>,
  heads: Collection<ChainHead>,
  stored: readonly AuditEvent[],
  previous: { readonly seq: number; readonly hash: string },
): Promise<void> {
  const last = stored.at(-1)!;
  const chain = last.chain;
  const head = heads.updateOne({ _id: chain }, { $set: { lastSeq: last.seq, lastHash: last.hash } }, { upsert: true }).then(
    () => true,
    () => false,
  );
  try {
    if (stored.length === 1) await events.insertOne(stored[0]!);
    else await events.insertMany([...stored], { ordered: true });
  } catch (error) {
    if (await head) {
      await heads.updateOne({ _id: chain, lastSeq: last.seq, lastHash: last.hash }, { $set: { lastSeq: previous.seq, lastHash: previous.hash } }).catch(() => undefined);
    }
    throw error;
  }
  await head;
}

/**
 * Verifies every chain in the database, streaming the events in (chain, seq) order (the
 * `chain_seq` index) through a ChainVerifier: memory does not grow with the number of
 * events, only with the number of chains (one per gateway start).
 */
export async function verifyAuditTrail(db: Db, keys: ReadonlyMap<string, AuditKey>, checkpoint: readonly CheckpointedHead[] = []): Promise<IntegrityReport> {
  const heads = await db.collection<ChainHead>(AUDIT_CHAINS).find().toArray();
  const verifier = new ChainVerifier(heads, keys, checkpoint);
  const cursor = db.collection<AuditEvent>(AUDIT_EVENTS).find({}, { sort: { chain: 1, seq: 1 }, batchSize: VERIFY_BATCH });
  for await (const event of cursor) verifier.push(event);
  return verifier.finish();
}

/** Every chain head (the registry of chains): what a checkpoint records. */
export async function chainHeads(db: Db): Promise<ChainHead[]> {
  return db.collection<ChainHead>(AUDIT_CHAINS).find({}, { projection: { _id: 1, lastSeq: 1, lastHash: 1 } }).toArray();
}

/** Events per batch while verifying. */
const VERIFY_BATCH = 1_000;

/** Indexes of the audit collections. */
export async function ensureAuditIndexes(db: Db): Promise<void> {
  await db.collection(AUDIT_EVENTS).createIndexes([
    { key: { chain: 1, seq: 1 }, name: 'chain_seq', unique: true },
    { key: { subjectIds: 1, at: -1 }, name: 'subject_at' },
    // Rectifications and erasures in order: what notices to recipients are computed from.
    { key: { 'changes.kind': 1, at: 1, _id: 1 }, name: 'changes_at' },
  ]);
}

/** Where a page of disclosures continues: after the event of this time and id (in newest-first order). */
export interface DisclosurePosition {
  readonly at: Date;
  readonly id: string;
}

/** The audit events that disclosed something about a subject (internal id). */
const disclosuresOf = (subjectId: string): Filter<AuditEvent> => ({ subjectIds: subjectId, outcome: 'DISCLOSED' });

/**
 * One page of the audit events that disclosed something about a subject (internal id),
 * newest first (`at` descending, then `_id` descending among events of the same instant),
 * after `after`. The range starts on `at` (the `subject_at` index bounds it); the `_id`
 * condition only orders the events of the cursor's own instant.
 */
export async function findDisclosurePage(
  events: Collection<AuditEvent>,
  subjectId: string,
  first: number,
  after: DisclosurePosition | null,
): Promise<{ events: AuditEvent[]; hasNextPage: boolean }> {
  const filter: Filter<AuditEvent> =
    after === null
      ? disclosuresOf(subjectId)
      : { ...disclosuresOf(subjectId), at: { $lte: after.at }, $or: [{ at: { $lt: after.at } }, { _id: { $lt: after.id } }] };
  const page = await events.find(filter, { sort: { at: -1, _id: -1 }, limit: first + 1 }).toArray();
  return { events: page.slice(0, first), hasNextPage: page.length > first };
}

/** Number of audit events that disclosed something about a subject (internal id). */
export async function countDisclosures(events: Collection<AuditEvent>, subjectId: string): Promise<number> {
  return events.countDocuments(disclosuresOf(subjectId));
}
