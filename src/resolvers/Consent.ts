/** `Consent`: a subject's consent, with the subject by this agreement's pseudonym. */
import type { ConsentResolvers } from '../generated/resolvers-types';
import { formatFullDate } from '../policy/partialDate';
import { requireTreaty } from '../server/GatewayContext';

export const Consent: ConsentResolvers = {
  migrantId: (consent, _args, context) => requireTreaty(context).treaty.pseudonyms.encode(consent.migrantId),
  givenAt: (consent) => formatFullDate(consent.givenAt),
  withdrawnAt: (consent) => (consent.withdrawnAt ? formatFullDate(consent.withdrawnAt) : null),
  active: (consent) => consent.withdrawnAt === null,
};
