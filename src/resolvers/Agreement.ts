/** `Agreement`, `Grant` and `Party`: policy data, no personal data. */
import { ACCESS_LEVELS, DATA_CATEGORIES, type AccessLevel } from '../policy/taxonomy';
import { formatFullDate } from '../policy/partialDate';
import type { AgreementResolvers, GrantResolvers, PartyResolvers } from '../generated/resolvers-types';
import type { PartyDoc } from '../data/documents';
import { findPartiesByCodes } from '../data/agreements';

export const Agreement: AgreementResolvers = {
  id: (agreement) => agreement._id,
  parties: async (agreement, _args, context) => {
    if (context.loaders) {
      const parties = await context.loaders.party.loadMany(agreement.parties);
      return parties.filter((p): p is PartyDoc => {
        if (p instanceof Error) throw p;
        return p !== null;
      });
    }
    // In the agreement's order, as the loader would give them.
    const found = new Map((await findPartiesByCodes(context.collections, agreement.parties)).map((p) => [p._id, p]));
    return agreement.parties.flatMap((code) => found.get(code) ?? []);
  },
  effectiveFrom: (agreement) => formatFullDate(agreement.effectiveFrom),
  expiresOn: (agreement) => (agreement.expiresOn ? formatFullDate(agreement.expiresOn) : null),
};

export const Grant: GrantResolvers = {
  categories: (grant) =>
    DATA_CATEGORIES.flatMap((category) => {
      const level = grant.categories[category];
      return level && (ACCESS_LEVELS as readonly AccessLevel[]).includes(level) ? [{ category, level }] : [];
    }),
};

export const Party: PartyResolvers = {
  code: (party) => party._id,
};
