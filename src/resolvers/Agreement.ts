/** `Agreement`, `Grant` and `Party`: policy data, no personal data. */
import { ACCESS_LEVELS, DATA_CATEGORIES, type AccessLevel } from '../policy/taxonomy';
import { formatFullDate } from '../policy/partialDate';
import type { AgreementResolvers, GrantResolvers, PartyResolvers } from '../generated/resolvers-types';
import type { PartyDoc } from '../data/documents';
import { findPartiesByCodes } from '../data/agreements';

export const Agreement: AgreementResolvers = {
  id: (agreement) => agreement._id,
  parties: async (agreement, _args, context) => {
    const parties = context.loaders
      ? await context.loaders.party.loadMany(agreement.parties)
      : await findPartiesByCodes(context.collections, agreement.parties);
    return parties.filter((p): p is PartyDoc => p !== null && !(p instanceof Error));
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
