/**
 * `Migrant` and its nested types. Annotated fields are wrapped by the privacy
 * directives (directives/): these resolvers run only where a decision discloses.
 */
import type { MigrantDoc } from '../data/documents';
import { formatFullDate } from '../policy/partialDate';
import type { MigrantResolvers, TravelDocumentResolvers, VictimStatusResolvers } from '../generated/resolvers-types';
import { requireTreaty } from '../server/GatewayContext';

export const Migrant: MigrantResolvers = {
  id: (migrant, _args, context) => requireTreaty(context).treaty.pseudonyms.encode(migrant._id),
  holder: (migrant, _args, context) => requireTreaty(context).loaders.party.load(migrant.holder),
  dateOfBirth: (migrant) => dateOrNull(migrant.dateOfBirth),
  arrivalDate: (migrant) => dateOrNull(migrant.arrivalDate),
  family: async (migrant, _args, context) => {
    const { loaders } = requireTreaty(context);
    const ids = (migrant.familyIds ?? []).filter((id) => id !== migrant._id);
    const members = await loaders.migrant.loadMany(ids);
    // Out-of-scope relatives load as null and are left out; errors fail the field.
    return members.filter((m): m is MigrantDoc => {
      if (m instanceof Error) throw m;
      return m !== null;
    });
  },
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
