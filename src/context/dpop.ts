/**
 * Sender-constrained tokens: DPoP proofs of possession (RFC 9449, section 4.3), as a
 * resource server checks them.
 *
 * The cryptography is jose's (the library that already verifies every token here):
 * `EmbeddedJWK` verifies the proof's signature with the public key in its own header and
 * refuses a private or symmetric key there; `calculateJwkThumbprint` gives the key's
 * RFC 7638 thumbprint that a bound token's `cnf.jkt` names. The rest are comparisons:
 *
 * 1. exactly one `DPoP` header, a JWS with `typ: dpop+jwt` and an asymmetric `alg`;
 * 2. `htm` is the request's method and `htu` its URL (without query and fragment);
 * 3. `iat` within `iatWindowS` of now (a proof is short-lived);
 * 4. `ath` is the SHA-256 of the access token (the proof is for this token only);
 * 5. the key's thumbprint is the token's `cnf.jkt`;
 * 6. `jti` was never seen with this key: the replay cache remembers it (shared by every
 *    instance through MongoDB) until the proof could no longer pass step 3.
 *
 * Every refusal is an `AuthenticationError` whose reason names the failed check, never a
 * value of the request.
 */
import { createHash } from 'node:crypto';
import { EmbeddedJWK, calculateJwkThumbprint, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { AuthenticationError, reasonOf, type RequestFacts } from './authenticate';

/** Remembers proof ids; `false` when the id was already remembered (a replay). */
export interface ReplayCache {
  remember(id: string, until: Date): Promise<boolean>;
}

export interface DpopOptions {
  readonly replay: ReplayCache;
  /** Now, in milliseconds. */
  readonly now: number;
  /** How far `iat` may be from now, in seconds (default 60). */
  readonly iatWindowS?: number;
}

/** Asymmetric algorithms a proof may be signed with. */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'] as const;

const DEFAULT_IAT_WINDOW_S = 60;
const MAX_PROOF_LENGTH = 8_192;
const MAX_JTI_LENGTH = 200;

/**
 * Checks the request's proof of possession for `accessToken`, bound to the key whose
 * thumbprint is `jkt`. Resolves when it holds; rejects with `AuthenticationError`.
 */
export async function verifyDpopProof(request: RequestFacts | undefined, accessToken: string, jkt: string, options: DpopOptions): Promise<void> {
  const proof = singleProof(request?.dpop);
  if (!request) throw new AuthenticationError('DPoP proof without the request it is for');
  let payload: Record<string, unknown>;
  let jwk: JWK;
  try {
    const header = decodeProtectedHeader(proof);
    if (header.typ !== 'dpop+jwt') throw new AuthenticationError('DPoP proof typ is not dpop+jwt');
    const verified = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [...DPOP_ALGORITHMS] });
    payload = verified.payload as Record<string, unknown>;
    jwk = verified.protectedHeader.jwk as JWK;
  } catch (error) {
    throw new AuthenticationError(`DPoP proof: ${reasonOf(error)}`);
  }
  if (payload['htm'] !== request.method) throw new AuthenticationError('DPoP proof htm is not the request method');
  const expectedUrl = normalisedUrl(request.url);
  if (typeof payload['htu'] !== 'string' || expectedUrl === null || normalisedUrl(payload['htu']) !== expectedUrl) {
    throw new AuthenticationError('DPoP proof htu is not the request URL');
  }
  const window = options.iatWindowS ?? DEFAULT_IAT_WINDOW_S;
  const iat = payload['iat'];
  if (typeof iat !== 'number' || !Number.isFinite(iat) || Math.abs(options.now / 1000 - iat) > window) {
    throw new AuthenticationError('DPoP proof iat outside the accepted window');
  }
  const jti = payload['jti'];
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) throw new AuthenticationError('DPoP proof without a valid jti');
  if (payload['ath'] !== createHash('sha256').update(accessToken, 'ascii').digest('base64url')) {
    throw new AuthenticationError('DPoP proof ath is not the hash of the access token');
  }
  const thumbprint = await calculateJwkThumbprint(jwk, 'sha256');
  if (thumbprint !== jkt) throw new AuthenticationError('DPoP proof key is not the key the token is bound to');
  // Remembered until the proof's iat leaves the window (and a little more for clock skew).
  const until = new Date((iat + window + 5) * 1000);
  const id = createHash('sha256').update(`${thumbprint}\u0000${jti}`).digest('hex');
  if (!(await options.replay.remember(id, until))) throw new AuthenticationError('DPoP proof replayed (jti already used)');
}

/** The one DPoP header of a request. */
function singleProof(header: string | readonly string[] | undefined): string {
  if (header === undefined || header === '') throw new AuthenticationError('DPoP-bound token without a DPoP proof');
  if (typeof header !== 'string') {
    if (header.length !== 1) throw new AuthenticationError('more than one DPoP header');
    return singleProof(header[0]);
  }
  // Node joins repeated headers with ", ": a proof never contains a comma.
  if (header.includes(',')) throw new AuthenticationError('more than one DPoP header');
  if (header.length > MAX_PROOF_LENGTH) throw new AuthenticationError('DPoP proof too long');
  return header.trim();
}

/** A URL for comparison (RFC 9449 section 4.3, step 9): scheme and host lower case, default port dropped, no query or fragment. */
function normalisedUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return null;
  }
}
