/** The hash chain: every kind of tampering is detected and the first bad event named. */
import { GENESIS, canonicalJson, chainEvent, verifyChains, type AuditEvent, type AuditFacts, type ChainHead } from '../../src/audit/chain';

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

function chain(id: string, length: number): { events: AuditEvent[]; head: ChainHead } {
  const events: AuditEvent[] = [];
  let prev = GENESIS;
  for (let i = 0; i < length; i++) {
    const event = chainEvent(id, i, prev, facts(i));
    events.push(event);
    prev = event.hash;
  }
  return { events, head: { _id: id, lastSeq: length - 1, lastHash: length ? prev : GENESIS } };
}

function verify(events: AuditEvent[], heads: ChainHead[]) {
  const byChain = new Map<string, AuditEvent[]>();
  for (const e of events) byChain.set(e.chain, [...(byChain.get(e.chain) ?? []), e]);
  return verifyChains(byChain, heads);
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

  it('detects an edit that also recomputes the event hash (the next link breaks)', () => {
    const forged = chainEvent('A', 2, a.events[1]!.hash, { ...facts(2), subjectIds: ['m-999'] });
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
