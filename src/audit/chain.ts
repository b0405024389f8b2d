/**
 * The tamper-evident audit trail: events form a hash chain per gateway instance (so
 * instances scale out without a global lock). Each event carries the hash of the one
 * before it in its chain and the hash of its own canonical form; a chain head records
 * the last sequence number and hash, so a deleted tail is detected too.
 *
 * Pure: hashing and verification take plain objects; no I/O.
 */
import { createHash } from 'node:crypto';

/** What an event records: decisions and identifiers, never a personal value. */
export interface AuditFacts {
  readonly at: Date;
  readonly sub: string;
  readonly agency: string;
  readonly party: string;
  readonly agreementId: string | null;
  readonly purpose: string | null;
  readonly operationName: string | null;
  /** SHA-256 of the operation document, hex. */
  readonly documentHash: string;
  /** Internal ids of the records something was disclosed or minimised about. */
  readonly subjectIds: readonly string[];
  /** Coordinates by action (AGGREGATED: fields counted by in statistics; only when there are some). */
  readonly coordinates: {
    readonly DISCLOSED: readonly string[];
    readonly MINIMISED: readonly string[];
    readonly REDACTED: readonly string[];
    readonly AGGREGATED?: readonly string[];
  };
  /** Statistics tables released: dimensions, filter codes, cells and withheld cells (only when there are some). */
  readonly aggregates?: ReadonlyArray<{
    readonly groupBy: readonly string[];
    readonly filter: Readonly<Record<string, string>>;
    readonly cells: number;
    readonly suppressedCells: number;
    readonly totalWithheld: boolean;
  }>;
  /**
   * DISCLOSED: a read. ATTEMPTED: a mutation about to run (written before it runs, so no
   * change can stand without an event). MUTATED or REFUSED: how that mutation ended.
   */
  readonly outcome: 'DISCLOSED' | 'ATTEMPTED' | 'REFUSED' | 'MUTATED';
  /** For MUTATED and REFUSED: the id of the ATTEMPTED event of the same mutation. */
  readonly attemptId?: string;
}

export interface AuditEvent extends AuditFacts {
  /** `<chain>:<seq>` */
  readonly _id: string;
  readonly chain: string;
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

export interface ChainHead {
  readonly _id: string;
  readonly lastSeq: number;
  readonly lastHash: string;
}

/** The hash before the first event of every chain. */
export const GENESIS = '0'.repeat(64);

/** JSON with object keys sorted, dates as ISO strings: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The hash of an event: everything but its own hash. */
export function hashEvent(event: Omit<AuditEvent, 'hash'>): string {
  const { _id, chain, seq, prevHash, ...facts } = event;
  return createHash('sha256').update(canonicalJson({ _id, chain, seq, prevHash, facts })).digest('hex');
}

/** The next event of a chain whose last event has `prevHash` and number `seq - 1`. */
export function chainEvent(chain: string, seq: number, prevHash: string, facts: AuditFacts): AuditEvent {
  const unsigned = { ...facts, _id: `${chain}:${seq}`, chain, seq, prevHash };
  return { ...unsigned, hash: hashEvent(unsigned) };
}

export interface IntegrityReport {
  readonly valid: boolean;
  readonly checkedEvents: number;
  readonly chains: number;
  readonly firstInvalidEventId: string | null;
}

/**
 * Verifies chains: `events` of each chain in stored order by `seq`, `heads` as stored.
 * Detects an edited event (hash), a deleted or inserted one (sequence or link), a
 * reordered one (sequence, link or hash) and a deleted tail (head). Names the first bad
 * event (by chain, then sequence); a deleted tail is named by the head's id.
 */
export function verifyChains(eventsByChain: ReadonlyMap<string, readonly AuditEvent[]>, heads: readonly ChainHead[]): IntegrityReport {
  let checked = 0;
  const chainIds = [...new Set([...eventsByChain.keys(), ...heads.map((h) => h._id)])].sort();
  const headOf = new Map(heads.map((h) => [h._id, h]));
  for (const chain of chainIds) {
    const events = eventsByChain.get(chain) ?? [];
    let prevHash = GENESIS;
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      checked++;
      const { hash, ...unsigned } = event;
      const broken =
        event.chain !== chain || event.seq !== i || event._id !== `${chain}:${i}` || event.prevHash !== prevHash || hashEvent(unsigned) !== hash;
      if (broken) return { valid: false, checkedEvents: checked, chains: chainIds.length, firstInvalidEventId: String(event._id) };
      prevHash = hash;
    }
    const head = headOf.get(chain);
    const lastSeq = events.length - 1;
    if (!head || head.lastSeq !== lastSeq || head.lastHash !== (lastSeq >= 0 ? prevHash : GENESIS)) {
      return { valid: false, checkedEvents: checked, chains: chainIds.length, firstInvalidEventId: `${chain}:${head ? head.lastSeq : lastSeq}` };
    }
  }
  return { valid: true, checkedEvents: checked, chains: chainIds.length, firstInvalidEventId: null };
}
