/**
 * Trust between states: which identity provider may speak for which party.
 *
 * The trust registry (the `trust` collection, imported like agreements) lists, per party,
 * the identity providers whose tokens may claim that party: issuer, audience, and a JWKS
 * URL or pinned public keys with their algorithms. A token is checked in this order:
 *
 * 1. its `iss` and `party` are read (not yet trusted) to find the one provider that may
 *    speak for that party under that issuer; an issuer registered for no party, or not
 *    for the party it claims, is refused before any key is used;
 * 2. its signature and claims are verified with **that provider's keys only** (the rules
 *    of src/context/authenticate.ts: RS256/ES256, exp, aud, sub, ...), so Italy's
 *    identity provider cannot mint a token that claims to be Spain;
 * 3. a token bound to a key (`cnf.jkt`) must come with a valid DPoP proof
 *    (src/context/dpop.ts), and a party whose entry says `requireDpop` accepts only
 *    bound tokens.
 *
 * The single-issuer settings (JWT_ISSUER with JWT_PUBLIC_KEY or JWT_JWKS_URL, and the
 * development keys) remain as a shortcut: that issuer speaks for the parties JWT_PARTIES
 * names (any party for the development issuer). The registry is read whole (one small
 * document per party) and cached like agreements: changed without a restart, in effect
 * within the cache bound, or at once where change streams report it.
 *
 * Every refusal is an `AuthenticationError` (401 UNAUTHENTICATED); its reason, for the log,
 * names the failed check and never token or key material. A registry that cannot be read
 * rejects with the database's error (the gateway answers 503, never a guess).
 */
import { createPublicKey } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { IdentityProviderDoc, TrustDoc } from '../data/documents';
import { AuthenticationError, PARTY_CODE_PATTERN, callerOf, presentedToken, verifierFor, type Authenticate, type AuthConfig, type Verify } from './authenticate';
import { verifyDpopProof, type ReplayCache } from './dpop';

/** The registry, by party code (cached by the caller of this module). */
export interface TrustRegistry {
  byParty(): Promise<ReadonlyMap<string, TrustDoc>>;
}

export interface IssuerTrustOptions {
  readonly registry: TrustRegistry;
  /** The single-issuer shortcut: its verifier settings and the parties it speaks for. */
  readonly shortcut?: { readonly config: AuthConfig; readonly parties: readonly string[] | 'ANY' };
  readonly replay: ReplayCache;
  /** Now, in milliseconds (for DPoP's `iat`). */
  readonly clock?: () => number;
  /** JWKS timing for registered providers (see AuthConfig). */
  readonly jwks?: { readonly cacheMaxAgeMs?: number; readonly cooldownMs?: number };
  /** How far a DPoP proof's `iat` may be from now, in seconds. */
  readonly dpopIatWindowS?: number;
  /** Public keys (PEM) never accepted whoever registers them: in production, the committed development keys. */
  readonly refusedKeys?: readonly string[];
}

/** Verifiers kept (one per party and provider setting). */
const MAX_VERIFIERS = 500;
/** Longest issuer quoted in a log line. */
const MAX_LOGGED_ISSUER = 100;

export function createIssuerTrustAuthenticator(options: IssuerTrustOptions): Authenticate {
  const clock = options.clock ?? Date.now;
  const shortcut = options.shortcut ? { ...options.shortcut, verify: verifierFor(options.shortcut.config) } : null;
  const verifiers = new Map<string, Verify>();
  const refused = new Set((options.refusedKeys ?? []).map(keyId));

  /** The verifier of one registered provider, built once per setting (a changed setting gets a new one). */
  const byDoc = new WeakMap<IdentityProviderDoc, Verify>();
  const verifierOf = (party: string, provider: IdentityProviderDoc): Verify => {
    // The registry's documents stay the same objects until it is read again: the fast path.
    const cached = byDoc.get(provider);
    if (cached) return cached;
    const key = JSON.stringify([party, provider.issuer, provider.audience, provider.jwksUrl, provider.publicKeys, provider.algorithms]);
    const known = verifiers.get(key);
    if (known) {
      byDoc.set(provider, known);
      return known;
    }
    if (provider.publicKeys.some((pem) => refused.has(keyIdOrNull(pem) ?? ''))) {
      throw new AuthenticationError(`the registered keys of issuer ${quoted(provider.issuer)} for ${party} include a development key, which is public knowledge and never accepted here`);
    }
    let verify: Verify;
    try {
      verify = verifierFor({
        issuer: provider.issuer,
        audience: provider.audience,
        ...(provider.jwksUrl !== null ? { jwksUrl: provider.jwksUrl } : { publicKeys: provider.publicKeys }),
        algorithms: provider.algorithms,
        ...(options.jwks?.cacheMaxAgeMs !== undefined ? { jwksCacheMaxAgeMs: options.jwks.cacheMaxAgeMs } : {}),
        ...(options.jwks?.cooldownMs !== undefined ? { jwksCooldownMs: options.jwks.cooldownMs } : {}),
      });
    } catch (error) {
      // A registry entry written around the import's validation: refused, never trusted.
      throw new AuthenticationError(`the registered keys of issuer ${quoted(provider.issuer)} for ${party} are unusable (${(error as Error).message})`);
    }
    if (verifiers.size >= MAX_VERIFIERS) verifiers.delete(verifiers.keys().next().value as string);
    verifiers.set(key, verify);
    byDoc.set(provider, verify);
    return verify;
  };

  return async (authorizationHeader, request) => {
    const { scheme, token } = presentedToken(authorizationHeader);
    const { iss, party } = unverifiedClaims(token);
    const registry = await options.registry.byParty();
    const trust = registry.get(party) ?? null;

    let verify: Verify;
    const provider = trust?.identityProviders.find((p) => p.issuer === iss);
    if (shortcut && iss === shortcut.config.issuer && (shortcut.parties === 'ANY' || shortcut.parties.includes(party))) {
      verify = shortcut.verify;
    } else if (provider) {
      verify = verifierOf(party, provider);
    } else if (shortcut && iss === shortcut.config.issuer) {
      throw new AuthenticationError(`issuer ${quoted(iss)} (JWT_ISSUER) does not speak for ${party} (JWT_PARTIES)`);
    } else {
      const registeredElsewhere = [...registry.values()].some((t) => t.identityProviders.some((p) => p.issuer === iss));
      throw new AuthenticationError(
        registeredElsewhere ? `issuer ${quoted(iss)} is not registered for ${party}, the party the token claims` : `issuer ${quoted(iss)} is registered for no party`,
      );
    }

    const payload = await verify(token);
    const caller = callerOf(payload);
    if (caller.party !== party) throw new AuthenticationError('party claim changed between reads');
    const jkt = boundKey(payload['cnf']);
    if (jkt === null) {
      if (trust?.requireDpop) throw new AuthenticationError(`${party} accepts only DPoP-bound tokens (requireDpop)`);
      if (scheme === 'DPoP') throw new AuthenticationError('DPoP scheme with a token that is not DPoP-bound');
      return caller;
    }
    if (scheme !== 'DPoP') throw new AuthenticationError('DPoP-bound token presented as a bearer token');
    await verifyDpopProof(request, token, jkt, { replay: options.replay, now: clock(), ...(options.dpopIatWindowS !== undefined ? { iatWindowS: options.dpopIatWindowS } : {}) });
    return caller;
  };
}

/** `iss` and `party` of a token not yet verified: only to choose the keys. */
function unverifiedClaims(token: string): { iss: string; party: string } {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(token) as Record<string, unknown>;
  } catch {
    throw new AuthenticationError('token is not a JWT');
  }
  const { iss, party } = claims;
  if (typeof iss !== 'string' || iss.length === 0) throw new AuthenticationError('token without iss');
  if (typeof party !== 'string' || !PARTY_CODE_PATTERN.test(party)) throw new AuthenticationError('bad party claim');
  return { iss, party };
}

/** The key thumbprint a token is bound to (`cnf.jkt`), null when it is not bound; a malformed `cnf` is refused. */
function boundKey(cnf: unknown): string | null {
  if (cnf === undefined) return null;
  const jkt = typeof cnf === 'object' && cnf !== null ? (cnf as { jkt?: unknown }).jkt : undefined;
  if (typeof jkt !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(jkt)) throw new AuthenticationError('token cnf without a SHA-256 jkt');
  return jkt;
}

/** A public key's identity: its SPKI DER (a PEM key and its certificate compare equal). */
function keyId(pem: string): string {
  return createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('base64');
}

function keyIdOrNull(pem: string): string | null {
  try {
    return keyId(pem);
  } catch {
    return null;
  }
}

/** An issuer for a log line: JSON-quoted and cut short. */
function quoted(issuer: string): string {
  return JSON.stringify(issuer.length > MAX_LOGGED_ISSUER ? `${issuer.slice(0, MAX_LOGGED_ISSUER)}...` : issuer);
}
