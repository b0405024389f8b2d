/**
 * Pseudonymous record ids (pseudonymisation): a `Migrant.id` is stable within one
 * agreement, different between agreements, not guessable without the key, and maps
 * back to the internal id only inside the gateway.
 *
 * Construction: deterministic authenticated encryption with a synthetic IV. Per
 * agreement, HKDF derives a MAC key and an encryption key from `PSEUDONYM_KEY`; the IV
 * is HMAC(macKey, internalId) truncated to 96 bits, and the internal id is encrypted
 * with AES-256-GCM under that IV. Decoding decrypts, checks the GCM tag and recomputes
 * the IV, so a forged or cross-agreement pseudonym decodes to nothing.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

const PREFIX = 'p_';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAX_ID_BYTES = 128;

export interface Pseudonymiser {
  /** The pseudonym of `internalId` under this agreement. */
  encode(internalId: string): string;
  /** The internal id behind `pseudonym`, or null when it is not one of this agreement's. */
  decode(pseudonym: string): string | null;
}

/** A pseudonymiser for one agreement. `key` must hold at least 32 bytes of secret. */
export function createPseudonymiser(key: Buffer, agreementId: string): Pseudonymiser {
  if (key.length < 32) throw new TypeError('pseudonym key must be at least 32 bytes');
  const derived = Buffer.from(hkdfSync('sha256', key, 'treatygate/pseudonym/v1', `agreement:${agreementId}`, 64));
  const macKey = derived.subarray(0, 32);
  const encKey = derived.subarray(32, 64);
  const ivOf = (plain: Buffer): Buffer => createHmac('sha256', macKey).update(plain).digest().subarray(0, IV_BYTES);

  return {
    encode(internalId) {
      const plain = Buffer.from(internalId, 'utf8');
      const iv = ivOf(plain);
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
    },
    decode(pseudonym) {
      if (typeof pseudonym !== 'string' || !pseudonym.startsWith(PREFIX) || pseudonym.length > 400) return null;
      const raw = Buffer.from(pseudonym.slice(PREFIX.length), 'base64url');
      if (raw.length <= IV_BYTES + TAG_BYTES || raw.length > IV_BYTES + TAG_BYTES + MAX_ID_BYTES) return null;
      const iv = raw.subarray(0, IV_BYTES);
      const tag = raw.subarray(raw.length - TAG_BYTES);
      try {
        const decipher = createDecipheriv('aes-256-gcm', encKey, iv);
        decipher.setAuthTag(tag);
        const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
        return timingSafeEqual(ivOf(plain), iv) ? plain.toString('utf8') : null;
      } catch {
        return null;
      }
    },
  };
}

/**
 * `pseudonymiser` remembering what it encoded and decoded: for one request, where a
 * record's id and its cursor are the same pseudonym (computed once, not twice), and a
 * pseudonym sent back is decoded once. Encoding is deterministic, so a remembered
 * answer is the answer. Held by one request's treaty context and dropped with it.
 */
export function rememberingPseudonyms(pseudonymiser: Pseudonymiser): Pseudonymiser {
  const encoded = new Map<string, string>();
  const decoded = new Map<string, string | null>();
  return {
    encode(internalId) {
      let pseudonym = encoded.get(internalId);
      if (pseudonym === undefined) {
        pseudonym = pseudonymiser.encode(internalId);
        encoded.set(internalId, pseudonym);
      }
      return pseudonym;
    },
    decode(pseudonym) {
      if (typeof pseudonym !== 'string') return null;
      let internalId = decoded.get(pseudonym);
      if (internalId === undefined) {
        internalId = pseudonymiser.decode(pseudonym);
        decoded.set(pseudonym, internalId);
      }
      return internalId;
    },
  };
}
