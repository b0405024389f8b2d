/**
 * Development keys (keys/dev/): an RS256 (RSA 2048) and an ES256 (P-256) key pair that
 * sign tokens for `npm run token`, the tests and the personas of `npm start`.
 *
 * They are committed, hence public knowledge, so they never authenticate anyone in
 * production: `signDevToken` and `devAuthConfig` throw when NODE_ENV=production, and the
 * gateway trusts these keys only when no key is configured outside production.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, importPKCS8 } from 'jose';
import { CLEARANCES, ROLES, isOneOf, type Clearance, type Role } from '../policy/taxonomy';
import { projectPath } from '../projectRoot';
import { MAX_CLAIM_ID_LENGTH, PARTY_CODE_PATTERN, type AuthConfig, type JwtAlgorithm } from '../context/authenticate';

export const DEV_ISSUER = 'treatygate-dev';
export const DEV_AUDIENCE = 'treatygate';

export interface DevKeyPair {
  /** PKCS#8 PEM. */
  readonly privateKey: string;
  /** SPKI PEM. */
  readonly publicKey: string;
}

export type DevKeys = Readonly<Record<JwtAlgorithm, DevKeyPair>>;

/** Both development key pairs, read from keys/dev/ in the repository. */
export function loadDevKeys(): DevKeys {
  return Object.freeze({
    RS256: Object.freeze({ privateKey: devKeyPem('RS256', 'private'), publicKey: devKeyPem('RS256', 'public') }),
    ES256: Object.freeze({ privateKey: devKeyPem('ES256', 'private'), publicKey: devKeyPem('ES256', 'public') }),
  });
}

/** The PEM text of one development key (keys/dev/<alg>-<kind>.pem). */
export function devKeyPem(alg: JwtAlgorithm, kind: 'private' | 'public'): string {
  return readFileSync(join(devKeyDirectory(), `${alg.toLowerCase()}-${kind}.pem`), 'utf8');
}

/** Both development public keys, RS256 first: the `publicKeys` that verify development tokens. */
export function devPublicKeys(): string[] {
  return [devKeyPem('RS256', 'public'), devKeyPem('ES256', 'public')];
}

/**
 * The development identity provider of one party, `treatygate-dev-<party>`: registered for
 * that party in the trust registry of a development database (the personas' tokens come
 * from it), with the committed development keys.
 */
export function devIssuerOf(party: string): string {
  return `${DEV_ISSUER}-${party.toLowerCase()}`;
}

/** The trust-registry entry of a party's development identity provider. Throws under NODE_ENV=production. */
export function devIdentityProvider(party: string): { issuer: string; audience: string; jwksUrl: null; publicKeys: string[]; algorithms: JwtAlgorithm[] } {
  refuseInProduction();
  return { issuer: devIssuerOf(party), audience: DEV_AUDIENCE, jwksUrl: null, publicKeys: devPublicKeys(), algorithms: ['RS256', 'ES256'] };
}

/** The verification settings for development tokens. Throws under NODE_ENV=production. */
export function devAuthConfig(): AuthConfig {
  refuseInProduction();
  return { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, publicKeys: devPublicKeys() };
}

export interface DevClaims {
  party: string;
  /** Default `officer-<party lowercase>-1`. */
  sub?: string;
  /** Default `<party>-AGENCY`. */
  agency?: string;
  /** Default `STANDARD`. */
  clearance?: Clearance;
  /** Default `[CASEWORKER]`; may be empty. */
  roles?: Role[];
}

export interface DevTokenOptions {
  /** Default RS256. */
  alg?: JwtAlgorithm;
  /** A jose time span ("8h", "30m") or an absolute `exp` in seconds since the epoch; default "8h". */
  expiresIn?: string | number;
  /**
   * The issuer: default the shared development issuer (any party); `devIssuerOf(party)` for
   * the party's own development identity provider (accepted where it is registered).
   */
  issuer?: string;
  /** Binds the token to a proof-of-possession key (DPoP): that key's RFC 7638 thumbprint, as `cnf.jkt`. */
  jkt?: string;
}

/**
 * A token signed with a development key, `iss`/`aud` set for `devAuthConfig`. Throws
 * under NODE_ENV=production, and throws a `TypeError` for claims the gateway would
 * refuse, so a development token is either accepted or never made.
 */
export async function signDevToken(claims: DevClaims, options: DevTokenOptions = {}): Promise<string> {
  refuseInProduction();
  const alg = options.alg ?? 'RS256';
  const full = withDefaults(claims);
  const key = await importPKCS8(devKeyPem(alg, 'private'), alg);
  const issuer = options.issuer ?? DEV_ISSUER;
  if (issuer !== DEV_ISSUER && issuer !== devIssuerOf(full.party)) throw new TypeError(`signDevToken: the issuer must be ${DEV_ISSUER} or ${devIssuerOf(full.party)}`);
  return new SignJWT({ agency: full.agency, party: full.party, clearance: full.clearance, roles: [...full.roles], ...(options.jkt ? { cnf: { jkt: options.jkt } } : {}) })
    .setProtectedHeader({ alg, typ: 'JWT' })
    .setSubject(full.sub)
    .setIssuer(issuer)
    .setAudience(DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '8h')
    .sign(key);
}

// ---------------------------------------------------------------------------------
// Private helpers
// ---------------------------------------------------------------------------------

function refuseInProduction(): void {
  if (process.env['NODE_ENV'] === 'production') throw new Error('development keys are never used in production');
}

function withDefaults(claims: DevClaims): Required<DevClaims> {
  const party = claims.party;
  if (typeof party !== 'string' || !PARTY_CODE_PATTERN.test(party)) throw new TypeError('signDevToken: party must be 2-10 capital letters or digits');
  const full: Required<DevClaims> = {
    party,
    sub: claims.sub ?? `officer-${party.toLowerCase()}-1`,
    agency: claims.agency ?? `${party}-AGENCY`,
    clearance: claims.clearance ?? 'STANDARD',
    roles: claims.roles ?? ['CASEWORKER'],
  };
  for (const field of ['sub', 'agency'] as const) {
    const value = full[field];
    if (value.length === 0 || value.length > MAX_CLAIM_ID_LENGTH) throw new TypeError(`signDevToken: ${field} must be 1-${MAX_CLAIM_ID_LENGTH} characters`);
  }
  if (!isOneOf(CLEARANCES, full.clearance)) throw new TypeError(`signDevToken: clearance must be one of ${CLEARANCES.join(', ')}`);
  if (!full.roles.every((role) => isOneOf(ROLES, role))) throw new TypeError(`signDevToken: roles must be among ${ROLES.join(', ')}`);
  return full;
}

/** keys/dev/ in the repository (found from src/ with tsx or jest, and from a build in dist/). */
function devKeyDirectory(): string {
  return projectPath('keys', 'dev');
}
