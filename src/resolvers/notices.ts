/**
 * Notices to recipients (`Query.notices`, `Mutation.acknowledgeNotice`): the caller's
 * party is told of each rectification and erasure of a record it received under the
 * current agreement and purpose (src/data/notices.ts computes them from the audit trail).
 *
 * A notice's id names the change (audit event and index) encrypted under the agreement's
 * pseudonym key, so it is opaque, cannot be forged, and the same change has unrelated ids
 * under two agreements (as the subject's pseudonyms are unrelated). Listing a notice
 * discloses the subject's pseudonym: its subject is noted for the audit event.
 */
import { acknowledge, findNotice, listNotices, type NoticeAudience, type NoticeKey, type NoticeRecord } from '../data/notices';
import type { Notice, MutationResolvers, QueryResolvers } from '../generated/resolvers-types';
import { permitted } from '../policy/permissions';
import { pageSize } from './paging';
import { gatewayError } from '../context/errors';
import { requireRecordAccess, requireTreaty, type GatewayContext } from '../context/GatewayContext';

const PREFIX = 'n_';
const PSEUDONYM_PREFIX = 'p_';
/** The plain text of a notice id: a character no record id may hold, then the change. */
const TAG = 'notice|';

export const notices: QueryResolvers['notices'] = async (_parent, { first, after, pending }, context) => {
  const audience = audienceOf(context, 'notices');
  const size = pageSize(first, context);
  const position = after == null ? null : keyOf(after, context);
  if (after != null && position === null) throw gatewayError('BAD_USER_INPUT', '`after` is not a cursor of notices under this agreement.');
  const page = await listNotices(context.collections, audience, { first: size, after: position, pending: pending === true, annotated: annotatedIn(context) });
  requireTreaty(context).ledger.noteRecords(page.notices.map((n) => n.subjectId));
  const edges = page.notices.map((record) => {
    const node = noticeOf(record, context);
    return { node, cursor: node.id };
  });
  return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
};

export const acknowledgeNotice: MutationResolvers['acknowledgeNotice'] = async (_parent, { id }, context) => {
  const audience = audienceOf(context, 'acknowledgeNotice');
  const verdict = permitted('acknowledgeNotice', context.caller.roles);
  if (!verdict.ok) throw gatewayError('FORBIDDEN', verdict.message);
  const key = keyOf(id, context);
  const record = key === null ? null : await findNotice(context.collections, audience, key, annotatedIn(context));
  if (key === null || record === null) throw gatewayError('BAD_USER_INPUT', 'No such notice for this party under this agreement and purpose.');
  requireTreaty(context).ledger.noteSubjects([record.subjectId]);
  const ack = await acknowledge(context.collections, audience, key, { at: context.now, sub: context.caller.sub, agency: context.caller.agency });
  return noticeOf({ ...record, acknowledgedAt: ack.at, acknowledgedBy: ack.agency }, context);
};

function audienceOf(context: GatewayContext, what: string): NoticeAudience {
  const { treaty } = requireRecordAccess(context, what);
  return { party: context.caller.party, agreementId: treaty.agreement._id, purpose: treaty.purpose };
}

/** Whether a coordinate has a privacy annotation of its own (else it shares its parent's decision). */
function annotatedIn(context: GatewayContext): (coordinate: string) => boolean {
  const { decisions } = requireTreaty(context);
  return (coordinate) => decisions.policyOf(coordinate) !== undefined;
}

function noticeOf(record: NoticeRecord, context: GatewayContext): Notice {
  const { treaty } = requireRecordAccess(context, 'notices');
  const encoded = treaty.pseudonyms.encode(`${TAG}${record.eventId}|${record.index}`);
  return {
    id: PREFIX + encoded.slice(PSEUDONYM_PREFIX.length),
    kind: record.kind === 'RECTIFIED' ? 'RECTIFICATION' : 'ERASURE',
    subjectId: treaty.pseudonyms.encode(record.subjectId),
    agreementId: treaty.agreement._id,
    coordinates: record.coordinates,
    at: record.at,
    acknowledgedAt: record.acknowledgedAt,
    acknowledgedBy: record.acknowledgedBy,
  };
}

/** The change a notice id names, or null when it is not a notice id of this agreement. */
function keyOf(id: string, context: GatewayContext): NoticeKey | null {
  if (typeof id !== 'string' || !id.startsWith(PREFIX)) return null;
  const { treaty } = requireRecordAccess(context, 'notices');
  const plain = treaty.pseudonyms.decode(PSEUDONYM_PREFIX + id.slice(PREFIX.length));
  if (plain === null || !plain.startsWith(TAG)) return null;
  const separator = plain.lastIndexOf('|');
  const eventId = plain.slice(TAG.length, separator);
  const index = Number(plain.slice(separator + 1));
  return eventId.length > 0 && Number.isInteger(index) && index >= 0 ? { eventId, index } : null;
}
