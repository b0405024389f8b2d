/**
 * Development keys (keys/dev/): sign tokens for `npm run token`, tests and the personas
 * of `npm start`. Public knowledge, so never used in production: signing refuses when
 * NODE_ENV=production, and the gateway trusts them only when no key is configured
 * outside production.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, importPKCS8 } from 'jose';
import type { Clearance, Role } from '../policy/taxonomy';
import type { JwtAlgorithm } from './authenticate';

export const DEV_ISSUER = 'treatygate-dev';
export const DEV_AUDIENCE = 'treatygate';

const KEY_DIR = join(__dirname, '..', '..', 'keys', 'dev');
const FILE: Record<JwtAlgorithm, string> = { RS256: 'rs256', ES256: 'es256' };

/** The PEM text of a development key. */
export function devKeyPem(alg: JwtAlgorithm, kind: 'private' | 'public'): string {
  return readFileSync(join(KEY_DIR, `${FILE[alg]}-${kind}.pem`), 'utf8');
}

/** Both development public keys, for the development authenticator. */
export function devPublicKeys(): string[] {
  return [devKeyPem('RS256', 'public'), devKeyPem('ES256', 'public')];
}

export interface DevClaims {
  party: string;
  sub?: string;
  agency?: string;
  clearance?: Clearance;
  roles?: Role[];
}

export interface DevTokenOptions {
  alg?: JwtAlgorithm;
  /** A jose time span ("8h", "30m") or seconds since the epoch; default 8 hours. */
  expiresIn?: string | number;
}

/** A token signed with the development key. Throws under NODE_ENV=production. */
export async function signDevToken(claims: DevClaims, options: DevTokenOptions = {}): Promise<string> {
  if (process.env['NODE_ENV'] === 'production') throw new Error('development keys are never used in production');
  const alg = options.alg ?? 'RS256';
  const key = await importPKCS8(devKeyPem(alg, 'private'), alg);
  return new SignJWT({
    agency: claims.agency ?? `${claims.party}-AGENCY`,
    party: claims.party,
    clearance: claims.clearance ?? 'STANDARD',
    roles: claims.roles ?? ['CASEWORKER'],
  })
    .setProtectedHeader({ alg, typ: 'JWT' })
    .setSubject(claims.sub ?? `officer-${claims.party.toLowerCase()}-1`)
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '8h')
    .sign(key);
}
