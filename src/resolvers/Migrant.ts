/**
 * `Migrant` and its nested types. Annotated fields are wrapped by the privacy
 * directives (directives/): these resolvers run only where a decision discloses.
 */
import { formatFullDate } from '../policy/partialDate';
import type { MigrantResolvers, TravelDocumentResolvers, VictimStatusResolvers } from '../generated/resolvers-types';
import { requireTreaty } from '../server/GatewayContext';
import { loadRecords } from './records';

export const Migrant: MigrantResolvers = {
  id: (migrant, _args, context) => requireTreaty(context).treaty.pseudonyms.encode(migrant._id),
  holder: (migrant, _args, context) => requireTreaty(context).loaders.party.load(migrant.holder),
  dateOfBirth: (migrant) => dateOrNull(migrant.dateOfBirth),
  arrivalDate: (migrant) => dateOrNull(migrant.arrivalDate),
  family: (migrant, _args, context) => loadRecords(context, (migrant.familyIds ?? []).filter((id) => id !== migrant._id)),
  requests: (migrant, _args, context) => requireTreaty(context).loaders.requestsBySubject.load(migrant._id),
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
