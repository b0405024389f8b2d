/**
 * The trust registry: per party, the identity providers (JWT issuers) that may speak for
 * it, with the audience each must address, where its keys are (a JWKS address or pinned
 * PEM keys), the algorithms it signs with, and whether the party's tokens must be
 * DPoP-bound. Written by import (collection `trust`, docs/api.md section 6); read by the
 * gateway when it verifies a token for the party the token claims.
 */
import type { Collections } from './database';
import type { TrustDoc } from './documents';
import type { WorldTrust } from './world';

/** The fields of a trust document, and nothing else. */
const TRUST_PROJECTION = { _id: 1, requireDpop: 1, identityProviders: 1, updatedAt: 1 } as const;

/** The trust registry entry of `party`, or null when it has none (then nobody speaks for it). */
export async function findTrust(collections: Collections, party: string): Promise<TrustDoc | null> {
  return collections.trust.findOne({ _id: party }, { projection: TRUST_PROJECTION });
}

/** A validated trust entry as stored, written at `now`. Copies every list. */
export function toTrustDoc(w: WorldTrust, now: Date): TrustDoc {
  return {
    _id: w.party,
    requireDpop: w.requireDpop,
    identityProviders: w.identityProviders.map((p) => ({
      issuer: p.issuer,
      audience: p.audience,
      jwksUrl: p.jwksUrl,
      publicKeys: [...p.publicKeys],
      algorithms: [...p.algorithms],
    })),
    updatedAt: now,
  };
}
