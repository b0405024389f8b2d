/**
 * The fixed material of the HTTP fuzz run, built before the arbitraries: bearer tokens
 * (valid for several parties, roles and clearances; forged, expired, mis-issued,
 * algorithm-confused, garbage), each judged by the gateway's own authenticator, and the
 * treaty model (agreements in force on the gateway's date, usable data requests) read
 * from the shared fixture.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT, importPKCS8 } from 'jose';
import type { Authenticate } from '../../src/context/authenticate';
import { DEV_AUDIENCE, DEV_ISSUER, devKeyPem, signDevToken, type DevClaims } from '../../src/dev/devKeys';
import { FIXTURE_PATH } from '../support/testGateway';
import type { AuthOption, TreatyModel } from './cases';

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A token forged or mis-made in a way the contract says must be refused, and why. */
export interface ForgedToken {
  value: string;
  note: string;
}

/** Valid development tokens for the personas and a few more callers. */
async function validTokens(): Promise<{ value: string; party: string; note: string }[]> {
  const callers: (DevClaims & { alg?: 'RS256' | 'ES256' })[] = [
    { party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] },
    { party: 'ITA', clearance: 'STANDARD', roles: ['ANALYST'] },
    { party: 'ITA', clearance: 'SPECIAL', roles: ['DATA_CONTROLLER', 'OVERSIGHT'], sub: 'dpo-ita-1' },
    { party: 'NGA', clearance: 'STANDARD', roles: ['CASEWORKER'] },
    { party: 'NGA', clearance: 'STANDARD', roles: ['DATA_CONTROLLER'], sub: 'dc-nga-1' },
    { party: 'IOM', clearance: 'STANDARD', roles: ['ANALYST'] },
    { party: 'ESP', clearance: 'ELEVATED', roles: ['CASEWORKER'] },
    { party: 'GRC', clearance: 'STANDARD', roles: [] },
    { party: 'FRA', clearance: 'SPECIAL', roles: ['CASEWORKER'] },
    { party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'], alg: 'ES256', sub: 'officer-ita-es' },
  ];
  const out: { value: string; party: string; note: string }[] = [];
  for (const { alg, ...claims } of callers) {
    const token = await signDevToken(claims, alg ? { alg } : {});
    out.push({ value: `Bearer ${token}`, party: claims.party, note: `valid ${claims.party} ${claims.clearance} ${(claims.roles ?? []).join('+') || 'no roles'}${alg ? ` ${alg}` : ''}` });
  }
  return out;
}

/** Tokens that must be refused: forged signatures, `alg: none`, HMAC with the public key, wrong claims. */
export async function forgedTokens(): Promise<ForgedToken[]> {
  const base = await signDevToken({ party: 'ITA', clearance: 'STANDARD', roles: ['CASEWORKER'] });
  const [header, payload, signature] = base.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  const elevated = b64({ ...claims, clearance: 'SPECIAL', roles: ['OVERSIGHT', 'DATA_CONTROLLER'] });
  const publicPem = devKeyPem('RS256', 'public');
  const hmac = (h: unknown, p: string, secret: string): string => {
    const signingInput = `${b64(h)}.${p}`;
    return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
  };
  const key = await importPKCS8(devKeyPem('RS256', 'private'), 'RS256');
  const now = Math.floor(Date.now() / 1000);
  const sign = (body: Record<string, unknown>, opts: { iss?: string; aud?: string; exp?: number; nbf?: number; sub?: string | null } = {}): Promise<string> => {
    let jwt = new SignJWT(body).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).setIssuedAt();
    if (opts.sub !== null) jwt = jwt.setSubject(opts.sub ?? 'officer-ita-1');
    jwt = jwt.setIssuer(opts.iss ?? DEV_ISSUER).setAudience(opts.aud ?? DEV_AUDIENCE).setExpirationTime(opts.exp ?? now + 3600);
    if (opts.nbf !== undefined) jwt = jwt.setNotBefore(opts.nbf);
    return jwt.sign(key);
  };
  const good = { agency: 'ITA-AGENCY', party: 'ITA', clearance: 'STANDARD', roles: ['CASEWORKER'] };
  const tokens: ForgedToken[] = [
    { value: `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`, note: 'alg none' },
    { value: `${b64({ alg: 'none', typ: 'JWT' })}.${elevated}.`, note: 'alg none, elevated claims' },
    { value: `${b64({ alg: 'NONE' })}.${payload}.${signature}`, note: 'alg NONE with a signature' },
    { value: hmac({ alg: 'HS256', typ: 'JWT' }, payload, publicPem), note: 'HS256 keyed with the public key' },
    { value: hmac({ alg: 'HS256', typ: 'JWT' }, elevated, publicPem), note: 'HS256 keyed with the public key, elevated claims' },
    { value: `${header}.${elevated}.${signature}`, note: 'payload swapped, signature kept' },
    { value: `${header}.${payload}.${signature.slice(0, -4)}AAAA`, note: 'signature altered' },
    { value: `${header}.${payload}.`, note: 'signature removed' },
    { value: `${header}.${payload}`, note: 'two segments' },
    { value: `${header}.${payload}.${signature}.${signature}`, note: 'four segments' },
    { value: `${b64({ alg: 'RS256', kid: '../../../../etc/passwd' })}.${payload}.${signature}`, note: 'kid path traversal' },
    { value: `${b64({ alg: 'RS256', jku: 'http://evil.example/jwks.json' })}.${payload}.${signature}`, note: 'jku header' },
    { value: await signDevToken({ party: 'ITA' }, { expiresIn: now - 3_600 }), note: 'expired an hour ago' },
    { value: await sign(good, { iss: 'someone-else' }), note: 'wrong issuer' },
    { value: await sign(good, { aud: 'another-api' }), note: 'wrong audience' },
    { value: await sign(good, { nbf: now + 3_600 }), note: 'not yet valid' },
    { value: await sign(good, { sub: null }), note: 'no sub' },
    { value: await sign({ ...good, party: 'ita' }), note: 'party in lower case' },
    { value: await sign({ ...good, party: '__proto__' }), note: 'party __proto__' },
    { value: await sign({ ...good, clearance: 'GOD' }), note: 'unknown clearance' },
    { value: await sign({ ...good, roles: 'OVERSIGHT' }), note: 'roles not a list' },
    { value: await sign({ ...good, roles: ['ROOT'] }), note: 'unknown role' },
    { value: await sign({ ...good, roles: [{ $ne: null }] }), note: 'role an object' },
    { value: await sign({ agency: 'ITA-AGENCY', clearance: 'STANDARD', roles: [] }), note: 'no party' },
    { value: await sign({ ...good, agency: 'a'.repeat(5_000) }), note: 'agency of 5000 characters' },
    { value: await sign(good, { sub: '' }), note: 'empty sub' },
  ];
  return tokens.map((t) => ({ ...t, value: `Bearer ${t.value}` }));
}

/** Authorization values that are not tokens at all. */
const GARBAGE = ['', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer a.b.c', 'Bearer null', 'Bearer undefined', 'Bearer {}', 'Negotiate abc', 'Bearer eyJhbGciOiJSUzI1NiJ9', `Bearer ${'A'.repeat(6_000)}`, 'Bearer $where', 'Bearer __proto__'];

export interface AuthPools {
  valid: AuthOption[];
  invalid: AuthOption[];
  /** Forged tokens the authenticator accepted (must be none). */
  acceptedForgeries: string[];
}

/** Every Authorization value of the run, judged by `authenticate`. */
export async function authPools(authenticate: Authenticate): Promise<AuthPools> {
  const valid: AuthOption[] = [];
  const invalid: AuthOption[] = [];
  const acceptedForgeries: string[] = [];
  const judge = async (value: string, note: string, forged: boolean): Promise<void> => {
    try {
      const caller = await authenticate(value);
      valid.push({ value, valid: true, party: caller.party, note });
      if (forged) acceptedForgeries.push(note);
    } catch {
      invalid.push({ value, valid: false, note });
    }
  };
  for (const t of await validTokens()) {
    await judge(t.value, t.note, false);
    // Variants whose acceptance is the authenticator's to decide (scheme case, spacing, no scheme).
    const token = t.value.slice('Bearer '.length);
    if (t.note.includes('NGA STANDARD CASEWORKER')) {
      await judge(`bearer ${token}`, `${t.note}, scheme in lower case`, false);
      await judge(`Bearer  ${token}`, `${t.note}, two spaces`, false);
      await judge(token, `${t.note}, no scheme`, false);
      await judge(`Token ${token}`, `${t.note}, scheme Token`, false);
    }
  }
  for (const t of await forgedTokens()) await judge(t.value, t.note, true);
  for (const g of GARBAGE) await judge(g, `garbage ${JSON.stringify(g.slice(0, 20))}`, true);
  return { valid, invalid, acceptedForgeries };
}

/** Agreements in force on `today`, their parties and purposes; the usable data requests. */
export function treatyModel(today: string): TreatyModel {
  const world = JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as {
    agreements: { id: string; parties: string[]; status: string; effectiveFrom: string; expiresOn: string | null; grants: { purpose: string; categories: Record<string, string> }[] }[];
    dataRequests: { id: string; agreementId: string; requestingParty: string; purpose: string; status: string; validUntil: string | null }[];
  };
  const agreements = new Map<string, { parties: string[]; purposes: string[]; inForce: boolean; aggregateOnly: string[] }>();
  for (const a of world.agreements) {
    const inForce = a.status === 'IN_FORCE' && a.effectiveFrom <= today && (a.expiresOn === null || a.expiresOn >= today);
    // Contract section 5, as the API reference defines it: no category above AGGREGATE (special categories aside).
    const aggregateOnly = a.grants.filter((g) => Object.values(g.categories).every((level) => level === 'NONE' || level === 'AGGREGATE')).map((g) => g.purpose);
    agreements.set(a.id, { parties: a.parties, purposes: a.grants.map((g) => g.purpose), inForce, aggregateOnly });
  }
  const dataRequests = new Map<string, { party: string; agreementId: string; purpose: string }>();
  for (const r of world.dataRequests) {
    if (r.status === 'APPROVED' && r.validUntil !== null && r.validUntil >= today) dataRequests.set(r.id, { party: r.requestingParty, agreementId: r.agreementId, purpose: r.purpose });
  }
  return { agreements, dataRequests };
}
