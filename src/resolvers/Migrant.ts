/**
 * `Migrant` and its nested types. Annotated fields are wrapped by the privacy
 * directives (directives/): these resolvers run only where a decision discloses.
 */
import { formatFullDate } from '../policy/partialDate';
import type { MigrantResolvers, TravelDocumentResolvers, VictimStatusResolvers } from '../generated/resolvers-types';
import { requireRecordAccess } from '../context/GatewayContext';
import { loadRecords } from './records';

export const Migrant: MigrantResolvers = {
  // A pseudonym or a holder is shown only where records may be read at all.
  id: (migrant, _args, context) => requireRecordAccess(context, 'Migrant.id').treaty.pseudonyms.encode(migrant._id),
  holder: (migrant, _args, context) => requireRecordAccess(context, 'Migrant.holder').loaders.party.load(migrant.holder),
  dateOfBirth: (migrant) => dateOrNull(migrant.dateOfBirth),
  arrivalDate: (migrant) => dateOrNull(migrant.arrivalDate),
  family: (migrant, _args, context) => loadRecords(context, (migrant.familyIds ?? []).filter((id) => id !== migrant._id), 'Migrant.family'),
  requests: (migrant, _args, context) => requireRecordAccess(context, 'Migrant.requests').loaders.requestsBySubject.load(migrant._id),
};

export const TravelDocument: TravelDocumentResolvers = {
  expiresOn: (document) => dateOrNull(document.expiresOn),
};

export const VictimStatus: VictimStatusResolvers = {
  identifiedOn: (status) => {
    const value = (status as { identifiedOn?: unknown }).identifiedOn;
    return value instanceof Date ? formatFullDate(value) : null;
  },
};

function dateOrNull(value: Date | null | undefined): string | null {
  return value instanceof Date ? formatFullDate(value) : null;
}
