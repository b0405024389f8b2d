/** `Disclosure`: one audit event about a subject, as oversight reads it. */
import type { DisclosureResolvers } from '../generated/resolvers-types';

export const Disclosure: DisclosureResolvers = {
  coordinates: (event) => [...new Set([...event.coordinates.DISCLOSED, ...event.coordinates.MINIMISED])].sort(),
};
