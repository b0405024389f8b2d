/**
 * The keys of the audit trail's MACs (docs/api.md section 8). Each event carries an
 * HMAC-SHA256 over its content and the previous event's hash, keyed by a secret that is
 * not in the database, and the id of that key: an insider who rewrites an event and
 * recomputes every SHA-256 hash after it still cannot make the MACs, so verification
 * fails at the rewritten event.
 *
 * - `AUDIT_KEY`: the key new events are made with; at least 32 bytes, as 64+ hex digits or
 *   base64. Required in production; elsewhere a fixed development key (never secret).
 * - `AUDIT_KEYS_RETIRED`: earlier keys, comma-separated, kept to verify the events made
 *   with them after a rotation.
 * A key's id is derived from the key (the first 16 hex digits of a SHA-256 of it), so
 * nothing else needs configuring and an id never names two keys.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface AuditKey {
  readonly id: string;
  readonly secret: Buffer;
}

export interface AuditKeyring {
  /** The key new events are made with. */
  readonly current: AuditKey;
  /** Every key events may be verified with (the current one and the retired ones), by id. */
  readonly byId: ReadonlyMap<string, AuditKey>;
  /** Whether the current key is the development key. */
  readonly development: boolean;
}

/** The key outside production when AUDIT_KEY is unset: never secret. */
const DEVELOPMENT_AUDIT_SECRET = 'treatygate development audit key: not for production';

export function auditKeyOf(secret: Buffer): AuditKey {
  const id = createHash('sha256').update('treatygate audit key id\u0000').update(secret).digest('hex').slice(0, 16);
  return { id, secret };
}

/** The MAC of `content` (canonical JSON) under `key`, hex. */
export function macOf(key: AuditKey, content: string): string {
  return createHmac('sha256', key.secret).update(content).digest('hex');
}

/** Whether `mac` is the MAC of `content` under `key` (constant time). */
export function macMatches(key: AuditKey, content: string, mac: unknown): boolean {
  if (typeof mac !== 'string' || !/^[0-9a-f]{64}$/.test(mac)) return false;
  return timingSafeEqual(Buffer.from(macOf(key, content), 'hex'), Buffer.from(mac, 'hex'));
}

function parseSecret(raw: string, name: string, problems: string[]): Buffer | null {
  const text = raw.trim();
  const bytes = /^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (bytes.length < 32) {
    problems.push(`${name} must hold at least 32 bytes (64 hex digits or 44 base64 characters)`);
    return null;
  }
  return bytes;
}

/**
 * The keyring from AUDIT_KEY and AUDIT_KEYS_RETIRED; each problem is pushed onto
 * `problems` (the caller refuses to start).
 */
export function readAuditKeyring(key: string | undefined, retired: string | undefined, production: boolean, problems: string[]): AuditKeyring {
  let current: AuditKey;
  let development = false;
  if (key === undefined || key.trim() === '') {
    if (production) problems.push('AUDIT_KEY is required in production (at least 32 random bytes, hex or base64): it keys the audit trail\'s MACs');
    current = auditKeyOf(createHash('sha256').update(DEVELOPMENT_AUDIT_SECRET).digest());
    development = true;
  } else {
    current = auditKeyOf(parseSecret(key, 'AUDIT_KEY', problems) ?? Buffer.alloc(32));
  }
  const byId = new Map<string, AuditKey>([[current.id, current]]);
  for (const raw of (retired ?? '').split(',').filter((part) => part.trim() !== '')) {
    const secret = parseSecret(raw, 'each key of AUDIT_KEYS_RETIRED', problems);
    if (secret) {
      const old = auditKeyOf(secret);
      byId.set(old.id, old);
    }
  }
  return { current, byId, development };
}

/** The keyring of a process without AUDIT_KEY outside production (tests, tools, the demo). */
export function developmentAuditKeyring(): AuditKeyring {
  return readAuditKeyring(undefined, undefined, false, []);
}
