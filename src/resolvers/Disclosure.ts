/** `Disclosure`: one audit event about a subject, as oversight reads it. */
import type { AuditEvent } from '../audit/chain';
import type { DisclosureResolvers } from '../generated/resolvers-types';

export const Disclosure: DisclosureResolvers = {
  coordinates: (event) => [...new Set([...event.coordinates.DISCLOSED, ...event.coordinates.MINIMISED])].sort(),
};

/**
 * The event as it concerns one subject: where the subject received fewer coordinates than
 * the response as a whole (`partialSubjects`), only those. Events written before
 * `partialSubjects` existed keep the response's coordinates (over-reported, never under).
 */
export function disclosureFor(event: AuditEvent, subjectId: string): AuditEvent {
  const group = event.partialSubjects?.find((g) => g.subjectIds.includes(subjectId));
  if (!group) return event;
  const received = new Set(group.coordinates);
  const only = (coordinates: readonly string[]) => coordinates.filter((c) => received.has(c));
  return { ...event, coordinates: { ...event.coordinates, DISCLOSED: only(event.coordinates.DISCLOSED), MINIMISED: only(event.coordinates.MINIMISED) } };
}
