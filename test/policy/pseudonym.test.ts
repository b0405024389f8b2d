import fc from 'fast-check';
import { createPseudonymiser, rememberingPseudonyms, type Pseudonymiser } from '../../src/policy/pseudonym';

const KEY = Buffer.alloc(32, 7);

describe('pseudonymous ids', () => {
  const a = createPseudonymiser(KEY, 'AGR-A');
  const b = createPseudonymiser(KEY, 'AGR-B');

  it('is stable within an agreement and round-trips', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64 }), (id) => {
        expect(a.encode(id)).toBe(a.encode(id));
        expect(a.decode(a.encode(id))).toBe(id);
      }),
      { numRuns: 300 },
    );
  });

  it('differs between agreements, and one agreement cannot decode another\'s', () => {
    expect(a.encode('m-0001')).not.toBe(b.encode('m-0001'));
    expect(b.decode(a.encode('m-0001'))).toBeNull();
  });

  it('differs under another key', () => {
    const other = createPseudonymiser(Buffer.alloc(32, 8), 'AGR-A');
    expect(other.encode('m-0001')).not.toBe(a.encode('m-0001'));
    expect(other.decode(a.encode('m-0001'))).toBeNull();
  });

  it('does not reveal the internal id', () => {
    expect(a.encode('m-0001')).not.toContain('m-0001');
    expect(Buffer.from(a.encode('m-0001').slice(2), 'base64url').toString('latin1')).not.toContain('m-0001');
  });

  it('rejects forged, truncated and malformed pseudonyms', () => {
    const valid = a.encode('m-0001');
    const flipped = valid.slice(0, -2) + (valid.at(-2) === 'A' ? 'B' : 'A') + valid.at(-1);
    for (const bad of ['', 'm-0001', 'p_', 'p_AAAA', valid.slice(0, -3), flipped, `${valid}x`, 'p_' + 'A'.repeat(500)]) {
      expect(a.decode(bad)).toBeNull();
    }
    fc.assert(fc.property(fc.string({ maxLength: 120 }), (s) => expect(a.decode(`p_${s}`)).toBeNull()), { numRuns: 300 });
  });

  it('refuses a short key', () => {
    expect(() => createPseudonymiser(Buffer.alloc(16), 'AGR-A')).toThrow('pseudonym key must be at least 32 bytes');
  });

  it('remembers, for one request, the same answers as the pseudonymiser it wraps, each computed once', () => {
    const calls = { encode: 0, decode: 0 };
    const counted: Pseudonymiser = {
      encode: (id) => (calls.encode++, a.encode(id)),
      decode: (p) => (calls.decode++, a.decode(p)),
    };
    const remembering = rememberingPseudonyms(counted);
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 16 }), { minLength: 1, maxLength: 20 }), (ids) => {
        for (const id of [...ids, ...ids]) {
          expect(remembering.encode(id)).toBe(a.encode(id));
          expect(remembering.decode(a.encode(id))).toBe(id);
          expect(remembering.decode(b.encode(id))).toBeNull();
        }
      }),
      { numRuns: 100 },
    );
    const before = { ...calls };
    remembering.encode('m-0001');
    remembering.encode('m-0001');
    expect(calls.encode - before.encode).toBeLessThanOrEqual(1);
    expect(remembering.decode(123 as unknown as string)).toBeNull();
  });
});
