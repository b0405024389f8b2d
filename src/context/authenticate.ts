/**
 * Caller authentication (contract section 1): a bearer JWT, verified with jose.
 * Only RS256 and ES256 are accepted (no `none`, no HMAC, so a public key can never be
 * used as an HMAC secret); `iss`, `aud`, `exp` and `sub` are required, `nbf` is honoured.
 * The claims the gateway reads are validated strictly; anything else fails closed.
 */
import {
  createRemoteJWKSet,
  errors as joseErrors,
  importSPKI,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type CryptoKey,
} from 'jose';
import { CLEARANCES, ROLES, isOneOf, type Clearance, type Role } from '../policy/taxonomy';

export interface Caller {
  readonly sub: string;
  readonly agency: string;
  readonly party: string;
  readonly clearance: Clearance;
  readonly roles: readonly Role[];
}

export type JwtAlgorithm = 'RS256' | 'ES256';
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = ['RS256', 'ES256'];

export interface AuthConfig {
  readonly issuer: string;
  readonly audience: string;
  /** SPKI public keys in PEM (RSA for RS256, P-256 for ES256). */
  readonly publicKeys?: readonly string[];
  /** A JWKS URL; keys are cached and refetched on an unknown `kid`, with a cool-down. */
  readonly jwksUrl?: string;
  /** Least time between two JWKS fetches (an unknown `kid` refetches after it); default 30 s. */
  readonly jwksCooldownMs?: number;
}

/** A refused token. `reason` is for logs only; callers see only UNAUTHENTICATED. */
export class AuthenticationError extends Error {
  readonly code = 'UNAUTHENTICATED';
  constructor(readonly reason: string) {
    super('A valid bearer token is required.');
    this.name = 'AuthenticationError';
  }
}

export type Authenticate = (authorizationHeader: string | undefined) => Promise<Caller>;

const CLOCK_TOLERANCE_S = 5;
const PARTY = /^[A-Z0-9]{2,10}$/;
const MAX_TOKEN_LENGTH = 8_192;

/** Builds the verifier once (keys imported at start); each call verifies one header. */
export async function createAuthenticator(config: AuthConfig): Promise<Authenticate> {
  const getKey = await keyResolver(config);
  return async (header) => {
    const token = bearerToken(header);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: [...JWT_ALGORITHMS],
        requiredClaims: ['exp', 'iss', 'aud', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_S,
      }));
    } catch (error) {
      throw new AuthenticationError(verificationReason(error));
    }
    return callerOf(payload);
  };
}

function bearerToken(header: string | undefined): string {
  if (header === undefined || header === '') throw new AuthenticationError('no Authorization header');
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  if (!match?.[1]) throw new AuthenticationError('Authorization is not a Bearer token');
  if (match[1].length > MAX_TOKEN_LENGTH) throw new AuthenticationError('token too long');
  return match[1];
}

function verificationReason(error: unknown): string {
  if (error instanceof joseErrors.JOSEError) return `${error.code}: ${error.message}`;
  return `invalid token: ${(error as Error).name}`;
}

/** The caller from verified claims; every claim the gateway reads is checked. */
export function callerOf(payload: JWTPayload): Caller {
  const { sub, agency, party, clearance, roles } = payload as Record<string, unknown>;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 200) throw new AuthenticationError('bad sub claim');
  if (typeof agency !== 'string' || agency.length === 0 || agency.length > 200) throw new AuthenticationError('bad agency claim');
  if (typeof party !== 'string' || !PARTY.test(party)) throw new AuthenticationError('bad party claim');
  if (!isOneOf(CLEARANCES, clearance)) throw new AuthenticationError('bad clearance claim');
  if (!Array.isArray(roles) || !roles.every((r) => isOneOf(ROLES, r))) throw new AuthenticationError('bad roles claim');
  return Object.freeze({ sub, agency, party, clearance, roles: Object.freeze([...new Set(roles as Role[])]) });
}

async function keyResolver(config: AuthConfig): Promise<JWTVerifyGetKey> {
  if (config.jwksUrl) {
    return createRemoteJWKSet(new URL(config.jwksUrl), { cooldownDuration: config.jwksCooldownMs ?? 30_000, cacheMaxAge: 600_000, timeoutDuration: 5_000 });
  }
  const pems = config.publicKeys ?? [];
  if (pems.length === 0) throw new TypeError('createAuthenticator needs publicKeys or jwksUrl');
  const keys: { alg: JwtAlgorithm; key: CryptoKey }[] = [];
  for (const pem of pems) keys.push(await importPublicKey(pem));
  // A PEM key serves only its own algorithm; a token whose `alg` has no key is refused.
  return async (header) => {
    const match = keys.find((k) => k.alg === header.alg);
    if (!match) throw new AuthenticationError(`no key for alg ${String(header.alg)}`);
    return match.key;
  };
}

/** Imports an SPKI PEM as the algorithm its key type implies. */
async function importPublicKey(pem: string): Promise<{ alg: JwtAlgorithm; key: CryptoKey }> {
  const errors: string[] = [];
  for (const alg of JWT_ALGORITHMS) {
    try {
      return { alg, key: await importSPKI(pem, alg) };
    } catch (error) {
      errors.push(`${alg}: ${(error as Error).message}`);
    }
  }
  throw new TypeError(`the public key is neither an RSA key (RS256) nor a P-256 key (ES256) in SPKI PEM`);
}
