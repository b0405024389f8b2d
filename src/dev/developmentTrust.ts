/**
 * Development only: registers each party's development identity provider in the trust
 * registry (src/context/devKeys.ts `devIdentityProvider`), so that the personas' tokens,
 * which come from those providers, are accepted as they would be in a treaty network. A
 * party's other providers and its `requireDpop` are kept. Never called in production
 * (the development keys are public knowledge).
 */
import type { Collections } from '../data/database';
import type { IdentityProviderDoc } from '../data/documents';

/** Adds `providerOf(party)` to every party's entry that lacks its issuer; returns how many entries changed. */
export async function registerDevelopmentIssuers(collections: Pick<Collections, 'parties' | 'trust'>, providerOf: (party: string) => IdentityProviderDoc, now: Date): Promise<number> {
  const parties = await collections.parties.find({}, { projection: { _id: 1 } }).toArray();
  let changed = 0;
  for (const { _id: party } of parties) {
    const provider = providerOf(party);
    const entry = await collections.trust.findOne({ _id: party });
    if (!entry) {
      await collections.trust.insertOne({ _id: party, requireDpop: false, identityProviders: [provider], updatedAt: now });
      changed++;
    } else if (!entry.identityProviders.some((p) => p.issuer === provider.issuer)) {
      await collections.trust.updateOne({ _id: party }, { $push: { identityProviders: provider }, $set: { updatedAt: now } });
      changed++;
    }
  }
  return changed;
}
