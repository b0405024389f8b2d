/**
 * Notices to recipients (GDPR Art. 19, the treaties' accuracy clauses): each
 * rectification and erasure of a record, told to every party that received data about
 * it before, computed from the audit trail.
 *
 * - A change is an audit event's `changes` entry (a subject, RECTIFIED or ERASED, the
 *   coordinates changed). The party that made it is not told.
 * - A receipt is a DISCLOSED event of the party, under the agreement and purpose asked
 *   about, that names the subject, at or before the change. What it received about the
 *   subject: the group of `partialSubjects` that names it, else every DISCLOSED and
 *   MINIMISED coordinate of the event (events written before `partialSubjects` existed
 *   count so: over-reported, never under).
 * - A rectification is told with the changed coordinates the party received (none: not
 *   told, so a notice never reveals a field the party did not receive); an erasure with
 *   every record coordinate it received.
 * - One notice per change and subject for the party under one agreement, however often
 *   it received the record; acknowledged once for the party and agreement.
 *
 * Changes are read in (at, _id) order through the `changes_at` index, in batches; the
 * receipts of a batch in one query through `subject_at`.
 */
import type { Collection, Filter } from 'mongodb';
import type { AuditEvent, SubjectChange } from '../audit/chain';
import { PARENT_OF_TYPE } from './migrantFields';
import { receivedCoordinate } from './recordChanges';

/** Whom notices are listed for: a party under one agreement and purpose. */
export interface NoticeAudience {
  party: string;
  agreementId: string;
  purpose: string;
}

/** Where a notice comes from: the change event and the change's index in it. */
export interface NoticeKey {
  eventId: string;
  index: number;
}

export interface NoticeRecord extends NoticeKey {
  subjectId: string;
  kind: SubjectChange['kind'];
  /** Coordinates told: changed and received (rectification), or received (erasure). */
  coordinates: string[];
  at: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
}

export interface NoticeAcknowledgementDoc {
  /** `<party>|<agreementId>|<eventId>|<index>` */
  _id: string;
  party: string;
  agreementId: string;
  eventId: string;
  index: number;
  at: Date;
  sub: string;
  agency: string;
}

export interface NoticeStores {
  auditEvents: Collection<AuditEvent>;
  noticeAcknowledgements: Collection<NoticeAcknowledgementDoc>;
}

/** Change events read per round. */
const BATCH = 100;

/** Record coordinates (fields of Migrant and of the types it holds). */
const RECORD_TYPES = new Set(['Migrant', ...Object.keys(PARENT_OF_TYPE)]);

/**
 * Up to `first` notices for `audience` after `after`, in the order of the changes, and
 * whether there are more. `pending`: only those not acknowledged. `annotated` tells a
 * coordinate with a privacy annotation of its own.
 */
export async function listNotices(
  stores: NoticeStores,
  audience: NoticeAudience,
  options: { first: number; after: NoticeKey | null; pending: boolean; annotated: (coordinate: string) => boolean },
): Promise<{ notices: NoticeRecord[]; hasNextPage: boolean }> {
  const found: NoticeRecord[] = [];
  let position: { at: Date; eventId: string; index: number } | null = null;
  if (options.after) {
    const event = await stores.auditEvents.findOne({ _id: options.after.eventId }, { projection: { at: 1 } });
    if (!event) return { notices: [], hasNextPage: false };
    position = { at: event.at, eventId: options.after.eventId, index: options.after.index };
  }
  for (;;) {
    // The party that made a change is not told of it.
    const filter: Filter<AuditEvent> = { 'changes.kind': { $in: ['RECTIFIED', 'ERASED'] }, party: { $ne: audience.party } };
    if (position) Object.assign(filter, { $or: [{ at: { $gt: position.at } }, { at: position.at, _id: { $gte: position.eventId } }] });
    const events = await stores.auditEvents
      .find(filter, { sort: { at: 1, _id: 1 }, limit: BATCH, projection: { _id: 1, at: 1, chain: 1, seq: 1, party: 1, changes: 1 } })
      .toArray();
    const candidates = events.flatMap((event) =>
      (event.changes ?? []).flatMap((change, index) => {
        if (event.party === audience.party) return [];
        if (position && event._id === position.eventId && index <= position.index) return [];
        return [{ event, change, index }];
      }),
    );
    for (const notice of await noticesOf(stores, audience, candidates, options)) {
      found.push(notice);
      if (found.length > options.first) return { notices: found.slice(0, options.first), hasNextPage: true };
    }
    const last = events.at(-1);
    if (events.length < BATCH || !last) return { notices: found, hasNextPage: false };
    position = { at: last.at, eventId: last._id, index: Number.MAX_SAFE_INTEGER };
  }
}

/** The notice of one change for `audience`, or null when there is none (not received, or nothing received changed). */
export async function findNotice(
  stores: NoticeStores,
  audience: NoticeAudience,
  key: NoticeKey,
  annotated: (coordinate: string) => boolean,
): Promise<NoticeRecord | null> {
  const event = await stores.auditEvents.findOne({ _id: key.eventId }, { projection: { _id: 1, at: 1, chain: 1, seq: 1, party: 1, changes: 1 } });
  const change = event?.changes?.[key.index];
  if (!event || !change || event.party === audience.party) return null;
  const [notice] = await noticesOf(stores, audience, [{ event, change, index: key.index }], { pending: false, annotated });
  return notice ?? null;
}

/** Records that the party acknowledged a notice (the first acknowledgement stands). */
export async function acknowledge(
  stores: NoticeStores,
  audience: NoticeAudience,
  key: NoticeKey,
  by: { at: Date; sub: string; agency: string },
): Promise<NoticeAcknowledgementDoc> {
  const _id = ackId(audience, key);
  const doc: NoticeAcknowledgementDoc = { _id, party: audience.party, agreementId: audience.agreementId, eventId: key.eventId, index: key.index, ...by };
  await stores.noticeAcknowledgements.updateOne({ _id }, { $setOnInsert: doc }, { upsert: true });
  return (await stores.noticeAcknowledgements.findOne({ _id })) ?? doc;
}

interface Candidate {
  event: Pick<AuditEvent, '_id' | 'at' | 'chain' | 'seq' | 'party'>;
  change: SubjectChange;
  index: number;
}

async function noticesOf(
  stores: NoticeStores,
  audience: NoticeAudience,
  candidates: readonly Candidate[],
  options: { pending: boolean; annotated: (coordinate: string) => boolean },
): Promise<NoticeRecord[]> {
  if (candidates.length === 0) return [];
  const subjects = [...new Set(candidates.map((c) => c.change.subjectId))];
  const latest = new Date(Math.max(...candidates.map((c) => c.event.at.getTime())));
  const receipts = await stores.auditEvents
    .find(
      { subjectIds: { $in: subjects }, outcome: 'DISCLOSED', party: audience.party, agreementId: audience.agreementId, purpose: audience.purpose, at: { $lte: latest } },
      { projection: { at: 1, chain: 1, seq: 1, subjectIds: 1, coordinates: 1, partialSubjects: 1 } },
    )
    .toArray();
  const acks = new Map(
    (await stores.noticeAcknowledgements.find({ _id: { $in: candidates.map((c) => ackId(audience, { eventId: c.event._id, index: c.index })) } }).toArray()).map((a) => [a._id, a]),
  );
  const notices: NoticeRecord[] = [];
  for (const { event, change, index } of candidates) {
    const received = receivedBefore(receipts, change.subjectId, event);
    if (received === null) continue;
    const coordinates =
      change.kind === 'RECTIFIED'
        ? change.coordinates.filter((c) => receivedCoordinate(c, received, options.annotated))
        : [...received].filter((c) => RECORD_TYPES.has(c.slice(0, c.indexOf('.')))).sort();
    if (change.kind === 'RECTIFIED' && coordinates.length === 0) continue;
    const ack = acks.get(ackId(audience, { eventId: event._id, index }));
    if (options.pending && ack) continue;
    notices.push({
      eventId: event._id,
      index,
      subjectId: change.subjectId,
      kind: change.kind,
      coordinates,
      at: event.at,
      acknowledgedAt: ack?.at ?? null,
      acknowledgedBy: ack?.agency ?? null,
    });
  }
  return notices;
}

/** What the receipts at or before `at` disclosed about `subject`; null when none named it. */
function receivedBefore(receipts: readonly Receipt[], subject: string, change: Candidate['event']): Set<string> | null {
  let received: Set<string> | null = null;
  for (const receipt of receipts) {
    if (!receivedFirst(receipt, change) || !receipt.subjectIds.includes(subject)) continue;
    received ??= new Set();
    const partial = receipt.partialSubjects?.find((group) => group.subjectIds.includes(subject));
    const coordinates = partial ? partial.coordinates : [...receipt.coordinates.DISCLOSED, ...receipt.coordinates.MINIMISED];
    for (const c of coordinates) received.add(c);
  }
  return received;
}

type Receipt = Pick<AuditEvent, 'at' | 'chain' | 'seq' | 'subjectIds' | 'coordinates' | 'partialSubjects'>;

/**
 * Whether a receipt came before a change: earlier, or at the same instant and earlier in
 * the same chain. At the same instant in two chains (two instances) the order is unknown:
 * counted as before (told once too often, never once too few).
 */
function receivedFirst(receipt: Receipt, change: Candidate['event']): boolean {
  const a = receipt.at.getTime();
  const b = change.at.getTime();
  if (a !== b) return a < b;
  return receipt.chain !== change.chain || receipt.seq < change.seq;
}

function ackId(audience: NoticeAudience, key: NoticeKey): string {
  return `${audience.party}|${audience.agreementId}|${key.eventId}|${key.index}`;
}
