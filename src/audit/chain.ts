/**
 * The tamper-evident audit trail: events form a hash chain per gateway instance (so
 * instances scale out without a global lock). Each event carries the hash of the one
 * before it in its chain and the hash of its own canonical form; a chain head records
 * the last sequence number and hash, so a deleted tail is detected too.
 *
 * Pure: hashing and verification take plain objects; no I/O.
 */
import { createHash } from 'node:crypto';
import { macMatches, macOf, type AuditKey } from './keys';

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
   * Subjects that received fewer coordinates than `DISCLOSED` and `MINIMISED` list
   * together: each group's subjects received only the group's coordinates (none: only
   * that they exist). A subject of `subjectIds` in no group received all of them. Only
   * when there are some; notices to recipients are computed from it.
   */
  readonly partialSubjects?: ReadonlyArray<{ readonly subjectIds: readonly string[]; readonly coordinates: readonly string[] }>;
  /**
   * Records a mutation changed: which subject, how, and the coordinates changed (never a
   * value). RECTIFIED lists the coordinates whose stored value changed; ERASED the ones
   * that held a value. Only when there are some.
   */
  readonly changes?: ReadonlyArray<SubjectChange>;
  /**
   * DISCLOSED: a read. ATTEMPTED: a mutation about to run (written before it runs, so no
   * change can stand without an event). MUTATED or REFUSED: how that mutation ended.
   */
  readonly outcome: 'DISCLOSED' | 'ATTEMPTED' | 'REFUSED' | 'MUTATED';
  /** For MUTATED and REFUSED: the id of the ATTEMPTED event of the same mutation. */
  readonly attemptId?: string;
}

/** One record a mutation changed (audit facts: coordinates only). */
export interface SubjectChange {
  readonly subjectId: string;
  readonly kind: 'RECTIFIED' | 'ERASED';
  readonly coordinates: readonly string[];
}

export interface AuditEvent extends AuditFacts {
  /** `<chain>:<seq>` */
  readonly _id: string;
  readonly chain: string;
  readonly seq: number;
  readonly prevHash: string;
  /** The id of the key of `mac` (src/audit/keys.ts). */
  readonly keyId: string;
  /** HMAC-SHA256 of the event's content and `prevHash` under the key `keyId`, hex. */
  readonly mac: string;
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

/** What an event's MAC covers: its id, place in the chain, the previous hash, the key's id and its facts. */
function macContent(event: Omit<AuditEvent, 'hash' | 'mac'>): string {
  const { _id, chain, seq, prevHash, keyId, ...facts } = event as Omit<AuditEvent, 'hash' | 'mac'> & { mac?: unknown; hash?: unknown };
  delete (facts as { mac?: unknown }).mac;
  delete (facts as { hash?: unknown }).hash;
  return canonicalJson({ _id, chain, seq, prevHash, keyId, facts });
}

/** The next event of a chain whose last event has `prevHash` and number `seq - 1`, with its MAC under `key`. */
export function chainEvent(chain: string, seq: number, prevHash: string, facts: AuditFacts, key: AuditKey): AuditEvent {
  // Only facts: fields of a stored event passed along are not carried into the new one.
  const { _id: _i, chain: _c, seq: _s, prevHash: _p, keyId: _k, mac: _m, hash: _h, ...plain } = facts as AuditFacts & Partial<AuditEvent>;
  const unmacked = { ...plain, _id: `${chain}:${seq}`, chain, seq, prevHash, keyId: key.id };
  const unsigned = { ...unmacked, mac: macOf(key, macContent(unmacked)) };
  return { ...unsigned, hash: hashEvent(unsigned) };
}

/** How one chain verified. */
export interface ChainReport {
  readonly chain: string;
  /** Events stored for the chain. */
  readonly events: number;
  readonly valid: boolean;
  /** The first bad event of the chain (a deleted tail: the head's id); null when valid. */
  readonly firstInvalidEventId: string | null;
}

export interface IntegrityReport {
  readonly valid: boolean;
  /** Events checked up to the first bad one (all events when valid). */
  readonly checkedEvents: number;
  readonly chains: number;
  /** The first bad event, chains in id order; null when valid. */
  readonly firstInvalidEventId: string | null;
  /** Every chain, in id order. */
  readonly perChain: readonly ChainReport[];
  /** What a signed checkpoint named and the trail no longer holds (empty without a checkpoint). */
  readonly checkpointProblems: readonly string[];
}

/** What a checkpoint says of one chain: its head then. */
export interface CheckpointedHead {
  readonly chain: string;
  readonly lastSeq: number;
  readonly lastHash: string;
}

/**
 * Verifies the audit trail one event at a time, in (chain, seq) order as stored, keeping
 * only the current chain's position and last hash: memory does not grow with the number
 * of events. Detects an edited event (hash, and the MAC: an event rewritten with every
 * hash recomputed still lacks the key), a deleted or inserted one (sequence or link), a
 * reordered one (sequence, link or hash), an event under an unknown key, and a deleted
 * tail (head). Every chain
 * is verified to its end, so the report names the first bad event of each.
 */
export class ChainVerifier {
  private readonly heads: Map<string, ChainHead>;
  private readonly reports: ChainReport[] = [];
  private current: { chain: string; next: number; prevHash: string; events: number; firstInvalid: string | null } | null = null;
  /** Chains a checkpoint named, by id, and the hash found at the checkpointed sequence number. */
  private readonly checkpointed = new Map<string, { readonly head: CheckpointedHead; found: string | null }>();
  private readonly checkpointProblems: string[] = [];
  /** Events counted toward `checkedEvents` (up to the first bad one of the trail). */
  private checked = 0;
  private trailBroken = false;

  constructor(
    heads: readonly ChainHead[],
    /** The keys events may carry MACs of; an event under another key is bad. */
    private readonly keys: ReadonlyMap<string, AuditKey>,
    /** The heads of a signed checkpoint, to compare with (none: no comparison). */
    checkpoint: readonly CheckpointedHead[] = [],
  ) {
    this.heads = new Map(heads.map((head) => [head._id, head]));
    // Several checkpoints: the longest head of each chain (it covers the shorter ones).
    for (const head of checkpoint) {
      const known = this.checkpointed.get(head.chain);
      if (!known || known.head.lastSeq < head.lastSeq) this.checkpointed.set(head.chain, { head, found: head.lastSeq < 0 ? GENESIS : null });
    }
  }

  push(event: AuditEvent): void {
    const chain = String(event.chain);
    if (this.current && this.current.chain !== chain) this.close();
    this.current ??= { chain, next: 0, prevHash: GENESIS, events: 0, firstInvalid: null };
    const c = this.current;
    c.events++;
    if (c.firstInvalid !== null) return;
    if (!this.trailBroken) this.checked++;
    const { hash, ...unsigned } = event;
    const key = this.keys.get(String(event.keyId));
    const broken =
      event.seq !== c.next ||
      event._id !== `${chain}:${c.next}` ||
      event.prevHash !== c.prevHash ||
      hashEvent(unsigned) !== hash ||
      key === undefined ||
      !macMatches(key, macContent(unsigned), event.mac);
    if (broken) {
      c.firstInvalid = String(event._id);
      this.trailBroken = true;
      return;
    }
    const expected = this.checkpointed.get(chain);
    if (expected && expected.head.lastSeq === c.next) expected.found = hash;
    c.next++;
    c.prevHash = hash;
  }

  finish(): IntegrityReport {
    if (this.current) this.close();
    // Chains with a head and no event: registered and not written to yet (valid), or
    // whose events were all deleted.
    for (const head of this.heads.values()) {
      const empty = head.lastSeq === -1 && head.lastHash === GENESIS;
      this.reports.push({ chain: head._id, events: 0, valid: empty, firstInvalidEventId: empty ? null : `${head._id}:${head.lastSeq}` });
    }
    this.heads.clear();
    const perChain = [...this.reports].sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0));
    const present = new Set(perChain.map((r) => r.chain));
    for (const { head, found } of [...this.checkpointed.values()].sort((a, b) => (a.head.chain < b.head.chain ? -1 : 1))) {
      if (!present.has(head.chain)) this.checkpointProblems.push(`chain ${head.chain} is missing (the checkpoint names it with ${head.lastSeq + 1} events)`);
      else if (found === null) this.checkpointProblems.push(`chain ${head.chain} is shorter than the checkpoint's ${head.lastSeq + 1} events (or broken before them)`);
      else if (found !== head.lastHash) this.checkpointProblems.push(`chain ${head.chain} holds another event at ${head.chain}:${head.lastSeq} than the checkpoint names`);
    }
    const firstBad = perChain.find((r) => !r.valid) ?? null;
    return {
      valid: firstBad === null && this.checkpointProblems.length === 0,
      checkedEvents: this.checked,
      chains: perChain.length,
      firstInvalidEventId: firstBad?.firstInvalidEventId ?? null,
      perChain,
      checkpointProblems: [...this.checkpointProblems],
    };
  }

  private close(): void {
    const c = this.current!;
    this.current = null;
    const head = this.heads.get(c.chain);
    this.heads.delete(c.chain);
    let firstInvalid = c.firstInvalid;
    if (firstInvalid === null) {
      const lastSeq = c.next - 1;
      if (!head || head.lastSeq !== lastSeq || head.lastHash !== (lastSeq >= 0 ? c.prevHash : GENESIS)) {
        firstInvalid = `${c.chain}:${head ? head.lastSeq : lastSeq}`;
        this.trailBroken = true;
      }
    }
    this.reports.push({ chain: c.chain, events: c.events, valid: firstInvalid === null, firstInvalidEventId: firstInvalid });
  }
}

/**
 * Verifies chains held in memory (`events` of each chain in stored order by `seq`,
 * `heads` as stored); see ChainVerifier.
 */
export function verifyChains(
  eventsByChain: ReadonlyMap<string, readonly AuditEvent[]>,
  heads: readonly ChainHead[],
  keys: ReadonlyMap<string, AuditKey>,
): IntegrityReport {
  const verifier = new ChainVerifier(heads, keys);
  for (const chain of [...eventsByChain.keys()].sort()) for (const event of eventsByChain.get(chain)!) verifier.push(event);
  return verifier.finish();
}
