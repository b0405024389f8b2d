/** `Consent`: a subject's consent, with the subject by this agreement's pseudonym. */
import type { ConsentResolvers } from '../generated/resolvers-types';
import { formatFullDate } from '../policy/partialDate';
import { requireRecordAccess } from '../context/GatewayContext';

export const Consent: ConsentResolvers = {
  migrantId: (consent, _args, context) => requireRecordAccess(context, 'Consent.migrantId').treaty.pseudonyms.encode(consent.migrantId),
  givenAt: (consent) => formatFullDate(consent.givenAt),
  withdrawnAt: (consent) => (consent.withdrawnAt ? formatFullDate(consent.withdrawnAt) : null),
  active: (consent) => consent.withdrawnAt === null,
};
