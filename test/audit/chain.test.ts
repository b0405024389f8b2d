/** The hash chain: every kind of tampering is detected and the first bad event named. */
import { GENESIS, canonicalJson, chainEvent, hashEvent, verifyChains, type AuditEvent, type AuditFacts, type ChainHead } from '../../src/audit/chain';
import { auditKeyOf, readAuditKeyring, type AuditKey } from '../../src/audit/keys';

/** The gateway's key (not in the database) and an insider's own. */
const KEY = auditKeyOf(Buffer.alloc(32, 7));
const INSIDER = auditKeyOf(Buffer.alloc(32, 9));
const KEYS = new Map([[KEY.id, KEY]]);

const facts = (n: number): AuditFacts => ({
  at: new Date(Date.UTC(2025, 5, 1, 0, 0, n)),
  sub: 'officer-1',
  agency: 'ITA-POLICE',
  party: 'ITA',
  agreementId: 'AGR-1',
  purpose: 'ANTI_TRAFFICKING',
  operationName: `Op${n}`,
  documentHash: 'ab'.repeat(32),
  subjectIds: [`m-${n}`],
  coordinates: { DISCLOSED: ['Migrant.givenName'], MINIMISED: [], REDACTED: ['Migrant.religion'] },
  outcome: 'DISCLOSED',
});

function chain(id: string, length: number, key: AuditKey = KEY): { events: AuditEvent[]; head: ChainHead } {
  const events: AuditEvent[] = [];
  let prev = GENESIS;
  for (let i = 0; i < length; i++) {
    const event = chainEvent(id, i, prev, facts(i), key);
    events.push(event);
    prev = event.hash;
  }
  return { events, head: { _id: id, lastSeq: length - 1, lastHash: length ? prev : GENESIS } };
}

function verify(events: AuditEvent[], heads: ChainHead[], keys: ReadonlyMap<string, AuditKey> = KEYS) {
  const byChain = new Map<string, AuditEvent[]>();
  for (const e of events) byChain.set(e.chain, [...(byChain.get(e.chain) ?? []), e]);
  return verifyChains(byChain, heads, keys);
}

/**
 * The insider's rewrite: event `seq` of `events` gets `change`, and it and every event
 * after it are linked and hashed again (SHA-256 needs no key), with the head to match;
 * the MACs are made with `key` (the insider's own) or copied unchanged.
 */
function rewriteAndRehash(events: AuditEvent[], seq: number, change: Partial<AuditFacts>, key: AuditKey | 'copy'): { events: AuditEvent[]; head: ChainHead } {
  const out: AuditEvent[] = [];
  let prev = GENESIS;
  for (const event of events) {
    let next: AuditEvent;
    if (event.seq < seq) next = event;
    else {
      const { hash: _hash, ...rest } = event;
      const edited = { ...rest, ...(event.seq === seq ? change : {}), prevHash: prev };
      if (key === 'copy') next = { ...edited, hash: hashEvent(edited) } as AuditEvent;
      else {
        const { _id, chain: c, seq: n, prevHash: _p, keyId: _k, mac: _m, ...facts } = edited;
        next = chainEvent(c, n, prev, facts as AuditFacts, key);
        expect(next._id).toBe(_id);
      }
    }
    out.push(next);
    prev = next.hash;
  }
  const last = out.at(-1)!;
  return { events: out, head: { _id: last.chain, lastSeq: last.seq, lastHash: last.hash } };
}

describe('audit hash chain', () => {
  const a = chain('A', 5);
  const b = chain('B', 3);

  it('verifies intact chains', () => {
    expect(verify([...a.events, ...b.events], [a.head, b.head])).toEqual({
      valid: true,
      checkedEvents: 8,
      chains: 2,
      firstInvalidEventId: null,
      checkpointProblems: [],
      perChain: [
        { chain: 'A', events: 5, valid: true, firstInvalidEventId: null },
        { chain: 'B', events: 3, valid: true, firstInvalidEventId: null },
      ],
    });
  });

  it('detects an edited event', () => {
    const edited = a.events.map((e) => (e.seq === 2 ? { ...e, subjectIds: ['m-999'] } : e));
    expect(verify(edited, [a.head])).toMatchObject({ valid: false, firstInvalidEventId: 'A:2' });
  });

  it('detects a rewrite with every hash and the head recomputed: the MAC needs the key the database does not hold', () => {
    // The MACs copied as they were: the rewritten event's MAC no longer matches.
    const copied = rewriteAndRehash(a.events, 2, { subjectIds: ['m-999'] }, 'copy');
    expect(verify(copied.events, [copied.head])).toMatchObject({ valid: false, firstInvalidEventId: 'A:2' });
    // MACs made with the insider's own key: a key id the gateway does not know.
    const own = rewriteAndRehash(a.events, 2, { subjectIds: ['m-999'] }, INSIDER);
    expect(verify(own.events, [own.head])).toMatchObject({ valid: false, firstInvalidEventId: 'A:2' });
    // ...or claiming the gateway's key id: the MAC does not match.
    const claimed = rewriteAndRehash(a.events, 2, { subjectIds: ['m-999'] }, { id: KEY.id, secret: INSIDER.secret });
    expect(verify(claimed.events, [claimed.head])).toMatchObject({ valid: false, firstInvalidEventId: 'A:2' });
    // Swapping two events and rehashing everything after them is caught the same way.
    const swapped = rewriteAndRehash(a.events, 1, { subjectIds: a.events[2]!.subjectIds, operationName: a.events[2]!.operationName }, 'copy');
    expect(verify(swapped.events, [swapped.head])).toMatchObject({ valid: false, firstInvalidEventId: 'A:1' });
  });

  it('verifies events made with a retired key while it is listed, and not once it is dropped', () => {
    const old = chain('R', 3, INSIDER);
    const problems: string[] = [];
    const rotated = readAuditKeyring(Buffer.alloc(32, 7).toString('hex'), Buffer.alloc(32, 9).toString('base64'), true, problems);
    expect(problems).toEqual([]);
    expect(rotated.current.id).toBe(KEY.id);
    expect(verify(old.events, [old.head], rotated.byId)).toMatchObject({ valid: true });
    expect(verify(old.events, [old.head], KEYS)).toMatchObject({ valid: false, firstInvalidEventId: 'R:0' });
  });

  it('refuses to start in production without AUDIT_KEY, and a key shorter than 32 bytes', () => {
    const problems: string[] = [];
    readAuditKeyring(undefined, undefined, true, problems);
    readAuditKeyring('abcd', undefined, false, problems);
    expect(problems).toEqual([
      "AUDIT_KEY is required in production (at least 32 random bytes, hex or base64): it keys the audit trail's MACs",
      'AUDIT_KEY must hold at least 32 bytes (64 hex digits or 44 base64 characters)',
    ]);
  });

  it('detects an edit that also recomputes the event hash (the next link breaks)', () => {
    const forged = chainEvent('A', 2, a.events[1]!.hash, { ...facts(2), subjectIds: ['m-999'] }, KEY);
    const events = a.events.map((e) => (e.seq === 2 ? forged : e));
    expect(verify(events, [a.head])).toMatchObject({ valid: false, firstInvalidEventId: 'A:3' });
  });

  it('verifies every chain to its end and names the first bad event of each', () => {
    const c = chain('C', 4);
    const editedA = a.events.map((e) => (e.seq === 1 ? { ...e, purpose: 'STATISTICS' } : e));
    const report = verify([...editedA, ...b.events, ...c.events.slice(0, 2)], [a.head, b.head, c.head]);
    expect(report).toMatchObject({ valid: false, firstInvalidEventId: 'A:1', checkedEvents: 2, chains: 3 });
    expect(report.perChain).toEqual([
      { chain: 'A', events: 5, valid: false, firstInvalidEventId: 'A:1' },
      { chain: 'B', events: 3, valid: true, firstInvalidEventId: null },
      { chain: 'C', events: 2, valid: false, firstInvalidEventId: 'C:3' },
    ]);
  });

  it('names a chain whose events were all deleted (its head remains)', () => {
    expect(verify(b.events, [a.head, b.head]).perChain).toEqual([
      { chain: 'A', events: 0, valid: false, firstInvalidEventId: 'A:4' },
      { chain: 'B', events: 3, valid: true, firstInvalidEventId: null },
    ]);
  });

  it('detects a deleted event', () => {
    expect(verify(a.events.filter((e) => e.seq !== 1), [a.head])).toMatchObject({ valid: false, firstInvalidEventId: 'A:2' });
  });

  it('detects a deleted tail through the chain head', () => {
    expect(verify(a.events.slice(0, 4), [a.head])).toMatchObject({ valid: false, firstInvalidEventId: 'A:4' });
  });

  it('detects an inserted event', () => {
    const inserted = { ...a.events[1]!, _id: 'A:1b' };
    const events = [...a.events.slice(0, 2), inserted, ...a.events.slice(2)];
    expect(verify(events, [a.head])).toMatchObject({ valid: false, firstInvalidEventId: 'A:1b' });
  });

  it('detects reordered events (sequence numbers swapped)', () => {
    const swapped = a.events.map((e) => (e.seq === 1 ? { ...e, seq: 3, _id: 'A:3' } : e.seq === 3 ? { ...e, seq: 1, _id: 'A:1' } : e));
    swapped.sort((x, y) => x.seq - y.seq);
    expect(verify(swapped, [a.head])).toMatchObject({ valid: false, firstInvalidEventId: 'A:1' });
  });

  it('detects a missing chain head', () => {
    expect(verify(a.events, [])).toMatchObject({ valid: false, firstInvalidEventId: 'A:4' });
  });

  it('hashes a canonical form independent of key order', () => {
    expect(canonicalJson({ b: 1, a: [new Date(0), { d: null, c: 'x' }] })).toBe('{"a":["1970-01-01T00:00:00.000Z",{"c":"x","d":null}],"b":1}');
  });
});
