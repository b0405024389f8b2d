/**
 * Caller authentication (contract section 1): who calls, from a bearer JWT verified with
 * jose. Accountability of every disclosure rests on this identity, so it fails closed:
 *
 * - only `Authorization: Bearer <token>` (scheme case-insensitive) is read;
 * - only RS256 and ES256 are accepted: never `none`, never HMAC, so a public key can
 *   never be used as an HMAC secret (key confusion);
 * - `exp`, `iss`, `aud` and `sub` are required, `nbf` is honoured, with a 5 s clock
 *   tolerance;
 * - the claims the gateway reads (`sub`, `agency`, `party`, `clearance`, `roles`) are
 *   validated strictly against the contract's vocabulary.
 *
 * Every refusal is an `AuthenticationError`: callers see only `UNAUTHENTICATED`; its
 * `reason` is for logs and never contains token or key material.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { CLEARANCES, ROLES, isOneOf, type Clearance, type Role } from '../policy/taxonomy';

/** The verified identity of one request. Frozen; exactly these five fields. */
export interface Caller {
  readonly sub: string;
  readonly agency: string;
  readonly party: string;
  readonly clearance: Clearance;
  readonly roles: readonly Role[];
}

export type JwtAlgorithm = 'RS256' | 'ES256';

/** The only signature algorithms the gateway accepts, ever. */
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = Object.freeze(['RS256', 'ES256'] as const);

/** A party code as carried in the `party` claim (e.g. `ITA`, `IOM`). */
export const PARTY_CODE_PATTERN = /^[A-Z0-9]{2,10}$/;

/** Longest `sub` and `agency` claim accepted; ids beyond it are not ids. */
export const MAX_CLAIM_ID_LENGTH = 200;

/**
 * Where the verification keys come from: exactly one of `publicKey`, `publicKeys` or
 * `jwksUrl`.
 *
 * A PEM (an SPKI public key, `-----BEGIN PUBLIC KEY-----`, or an X.509 certificate,
 * `-----BEGIN CERTIFICATE-----`) holds one key, and that key verifies only its own
 * algorithm: an RSA key (2048 bits or more) RS256, a P-256 key ES256. A certificate only
 * carries the key: its dates and chain are not checked, the configuration pins the key.
 * `publicKeys` lists several PEMs (both development keys, or a key rotation); a token is
 * tried against each key of its `alg`.
 */
export interface AuthConfig {
  readonly issuer: string;
  readonly audience: string;
  /** One PEM public key or certificate (JWT_PUBLIC_KEY, see `resolvePublicKeySetting`). */
  readonly publicKey?: string;
  /** Several PEM public keys or certificates. */
  readonly publicKeys?: readonly string[];
  /** A JWKS endpoint (JWT_JWKS_URL): cached 10 min, refetched on an unknown `kid` at most once per 30 s cool-down. */
  readonly jwksUrl?: string;
  /** Accepted algorithms, a non-empty subset of `JWT_ALGORITHMS`; default both. */
  readonly algorithms?: readonly JwtAlgorithm[];
  /** JWKS: the longest a fetched key set is used before it is fetched again (default 10 min): a removed key is refused within it. */
  readonly jwksCacheMaxAgeMs?: number;
  /** JWKS: the shortest pause between two fetches for an unknown `kid` (default 30 s). */
  readonly jwksCooldownMs?: number;
}

/** A refused token. `reason` is for logs only; callers see only the code. */
export class AuthenticationError extends Error {
  readonly code = 'UNAUTHENTICATED';
  constructor(readonly reason: string) {
    super('A valid bearer token is required.');
    this.name = 'AuthenticationError';
  }
}

/** The parts of an HTTP request a proof of possession (DPoP, RFC 9449) is checked against. */
export interface RequestFacts {
  /** The HTTP method. */
  readonly method: string;
  /** The request's URL as the caller addressed it, without query or fragment. */
  readonly url: string;
  /** The `DPoP` header, as Node gives it (absent, one value, or several). */
  readonly dpop?: string | readonly string[];
}

/**
 * Verifies one `Authorization` header value (and, where the token is sender-constrained,
 * the request's proof of possession); rejects with `AuthenticationError`.
 */
export type Authenticate = (authorizationHeader: string | undefined, request?: RequestFacts) => Promise<Caller>;

/**
 * Builds the verifier once, synchronously: the configuration and every PEM key are
 * checked here, so a bad key setting fails at boot with a `TypeError` naming the
 * setting (never echoing key material), not on the first request.
 */
export function createAuthenticator(config: AuthConfig): Authenticate {
  const verify = verifierFor(config);
  return async (authorizationHeader) => {
    const { scheme, token } = presentedToken(authorizationHeader);
    const payload = await verify(token);
    // A sender-constrained token is not a bearer token: without its proof it is refused.
    if (scheme !== 'Bearer' || payload['cnf'] !== undefined) throw new AuthenticationError('a DPoP-bound token needs the identity provider registry (DPoP is checked there)');
    return callerOf(payload);
  };
}

/** Checks a token's signature and registered claims; resolves to its payload. */
export type Verify = (token: string) => Promise<JWTPayload>;

/**
 * The verifier of one issuer: its keys (PEM, or a JWKS), audience and algorithms. Built
 * synchronously, so a bad setting fails at once with a `TypeError`.
 */
export function verifierFor(config: AuthConfig): Verify {
  const options = verifyOptions(config);
  const sources = [config.publicKey, config.publicKeys, config.jwksUrl].filter((s) => s !== undefined);
  if (sources.length !== 1) {
    throw new TypeError(`createAuthenticator needs exactly one of publicKey, publicKeys and jwksUrl; got ${sources.length}`);
  }
  if (config.jwksUrl !== undefined) {
    return jwksVerifier(config.jwksUrl, options, { cacheMaxAge: config.jwksCacheMaxAgeMs ?? JWKS_CACHE_MAX_AGE_MS, cooldownDuration: config.jwksCooldownMs ?? JWKS_COOLDOWN_MS });
  }
  const pems = config.publicKey !== undefined ? [config.publicKey] : [...(config.publicKeys ?? [])];
  if (pems.length === 0) throw new TypeError('createAuthenticator: publicKeys is empty');
  const keys = pems.map((pem, index) => importPublicKey(pem, config.publicKey !== undefined ? 'publicKey' : `publicKeys[${index}]`));
  for (const { alg } of keys) {
    if (!options.algorithms.includes(alg)) throw new TypeError(`createAuthenticator: a configured key is for ${alg}, which algorithms does not accept`);
  }
  return pemVerifier(keys, options);
}

/** How a token was presented: `Bearer` (RFC 6750) or `DPoP` (RFC 9449), and the token. */
export function presentedToken(header: string | undefined): { scheme: 'Bearer' | 'DPoP'; token: string } {
  if (header === undefined || header === '') throw new AuthenticationError('no Authorization header');
  const match = /^(Bearer|DPoP) +([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  if (!match?.[1] || !match[2]) throw new AuthenticationError('Authorization is not a Bearer or DPoP token');
  if (match[2].length > MAX_TOKEN_LENGTH) throw new AuthenticationError('token too long');
  return { scheme: match[1].toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer', token: match[2] };
}

// ---------------------------------------------------------------------------------
// Private helpers
// ---------------------------------------------------------------------------------

interface VerificationKey {
  readonly alg: JwtAlgorithm;
  readonly key: KeyObject;
}

const CLOCK_TOLERANCE_S = 5;
const MAX_TOKEN_LENGTH = 8_192;
const JWKS_COOLDOWN_MS = 30_000;
const JWKS_CACHE_MAX_AGE_MS = 600_000;
const JWKS_TIMEOUT_MS = 5_000;
const MIN_RSA_BITS = 2_048;

/** jose options shared by every source; `algorithms` is always a subset of RS256/ES256. */
function verifyOptions(config: AuthConfig): JWTVerifyOptions & { algorithms: JwtAlgorithm[] } {
  if (typeof config.issuer !== 'string' || config.issuer === '') throw new TypeError('createAuthenticator: issuer must be a non-empty string');
  if (typeof config.audience !== 'string' || config.audience === '') throw new TypeError('createAuthenticator: audience must be a non-empty string');
  const algorithms = [...(config.algorithms ?? JWT_ALGORITHMS)];
  if (algorithms.length === 0 || !algorithms.every((alg) => JWT_ALGORITHMS.includes(alg))) {
    throw new TypeError(`createAuthenticator: algorithms must be a non-empty subset of ${JWT_ALGORITHMS.join(', ')}`);
  }
  return {
    issuer: config.issuer,
    audience: config.audience,
    algorithms,
    requiredClaims: ['exp', 'iss', 'aud', 'sub'],
    clockTolerance: CLOCK_TOLERANCE_S,
  };
}

/**
 * Verifies against configured PEM keys. Only keys of the token's `alg` are candidates
 * (`none` and HS256 have none); each is tried in turn while the signature does not
 * match, and any other failure (expiry, issuer, ...) is final.
 */
function pemVerifier(keys: readonly VerificationKey[], options: JWTVerifyOptions): Verify {
  return async (token) => {
    const alg = tokenAlgorithm(token);
    const candidates = keys.filter((k) => k.alg === alg);
    if (candidates.length === 0) throw new AuthenticationError(`no configured key for the token's alg (keys are for ${[...new Set(keys.map((k) => k.alg))].join(', ')})`);
    let failure: unknown;
    for (const { key } of candidates) {
      try {
        return (await jwtVerify(token, key, options)).payload;
      } catch (error) {
        if (!(error instanceof joseErrors.JWSSignatureVerificationFailed)) throw new AuthenticationError(reasonOf(error));
        failure = error;
      }
    }
    throw new AuthenticationError(reasonOf(failure));
  };
}

/** Verifies against a remote JWKS; jose refetches the set on an unknown `kid`, at most once per cool-down. */
function jwksVerifier(url: string, options: JWTVerifyOptions, timing: { cacheMaxAge: number; cooldownDuration: number }): Verify {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError('createAuthenticator: jwksUrl is not a URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new TypeError('createAuthenticator: jwksUrl must be an http(s) URL');
  const jwks = createRemoteJWKSet(parsed, { ...timing, timeoutDuration: JWKS_TIMEOUT_MS });
  return async (token) => {
    try {
      return (await jwtVerify(token, jwks, options)).payload;
    } catch (error) {
      throw new AuthenticationError(reasonOf(error));
    }
  };
}

/** The `alg` of the protected header; a token that is not a JWS is refused. */
function tokenAlgorithm(token: string): unknown {
  try {
    return decodeProtectedHeader(token).alg;
  } catch (error) {
    throw new AuthenticationError(reasonOf(error));
  }
}

/**
 * A log line for a failure. jose's messages name the failed check, never a value; other
 * errors are reduced to their name, since their messages may quote the input.
 */
export function reasonOf(error: unknown): string {
  if (error instanceof AuthenticationError) return error.reason;
  if (error instanceof joseErrors.JOSEError) return `${error.code}: ${error.message}`;
  return `invalid token (${error instanceof Error ? error.name : typeof error})`;
}

/** The caller from verified claims; every claim the gateway reads is checked, nothing else is kept. */
export function callerOf(payload: JWTPayload): Caller {
  const { sub, agency, party, clearance, roles } = payload as Record<string, unknown>;
  if (!isClaimId(sub)) throw new AuthenticationError('bad sub claim');
  if (!isClaimId(agency)) throw new AuthenticationError('bad agency claim');
  if (typeof party !== 'string' || !PARTY_CODE_PATTERN.test(party)) throw new AuthenticationError('bad party claim');
  if (!isOneOf(CLEARANCES, clearance)) throw new AuthenticationError('bad clearance claim');
  if (!Array.isArray(roles) || !roles.every((role) => isOneOf(ROLES, role))) throw new AuthenticationError('bad roles claim');
  const uniqueRoles: readonly Role[] = Object.freeze([...new Set<Role>(roles)]);
  return Object.freeze({ sub, agency, party, clearance, roles: uniqueRoles });
}

function isClaimId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_CLAIM_ID_LENGTH;
}

/**
 * Reads one PEM as a verification key. Only public material is accepted: a private key
 * in a verifier's configuration means it has leaked, so it is refused, not derived from.
 */
function importPublicKey(pem: string, setting: string): VerificationKey {
  const label = typeof pem === 'string' ? /^-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem.trim())?.[1] : undefined;
  if (label !== 'PUBLIC KEY' && label !== 'CERTIFICATE') {
    throw new TypeError(`createAuthenticator: ${setting} must be an SPKI public key (BEGIN PUBLIC KEY) or an X.509 certificate (BEGIN CERTIFICATE) in PEM`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new TypeError(`createAuthenticator: ${setting} could not be read as a ${label === 'CERTIFICATE' ? 'certificate' : 'public key'}`);
  }
  return { alg: algorithmOf(key, setting), key };
}

/** The one algorithm a key may verify. */
function algorithmOf(key: KeyObject, setting: string): JwtAlgorithm {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    if ((details.modulusLength ?? 0) < MIN_RSA_BITS) throw new TypeError(`createAuthenticator: ${setting} is an RSA key shorter than ${MIN_RSA_BITS} bits`);
    return 'RS256';
  }
  if (key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') return 'ES256';
  throw new TypeError(`createAuthenticator: ${setting} is neither an RSA key (RS256) nor a P-256 key (ES256)`);
}
