/**
 * Root queries: arguments in, scoped data functions and loaders called, records out.
 * Every read of records goes through `requireRecordAccess`, so a request without a valid
 * treaty context, or under an aggregate-only grant, reads nothing; and notes the records
 * it returns with the privacy runtime (membership is a disclosure: audited, reported).
 */
import { countMigrants, findLiveMigrant, findMigrantPage, type MigrantCriteria } from '../data/migrants';
import { findAgreement, findAgreementsOfParty } from '../data/agreements';
import { listRequests } from '../data/dataRequests';
import { countDisclosures, findDisclosurePage, type DisclosurePosition } from '../data/auditStore';
import { startOfUtcDay } from '../policy/calendar';
import { permitted } from '../policy/permissions';
import { pageSize } from './paging';
import { parsePartialDate, partialDateRange } from '../policy/partialDate';
import type { MigrantFilter, QueryResolvers } from '../generated/resolvers-types';
import { gatewayError } from '../context/errors';
import { requireRecordAccess, requireTreaty, type GatewayContext } from '../context/GatewayContext';
import { childFieldNames } from '../context/selection';
import { entitlementsOf } from './entitlements';
import { filterCoordinatesOf } from '../policy/filters';
import { refuseRevealingFilters } from './filters';
import { disclosureFor } from './Disclosure';
import { statistics } from './statistics';


export const Query: QueryResolvers = {
  me: (_parent, _args, context) => context.caller,

  statistics,

  agreements: (_parent, _args, context) => findAgreementsOfParty(context.collections, context.caller.party),

  agreement: async (_parent, { id }, context) => {
    const agreement = await findAgreement(context.collections, id);
    return agreement && agreement.parties.includes(context.caller.party) ? agreement : null;
  },

  migrant: async (_parent, { id }, context) => {
    const { treaty, loaders, ledger } = requireRecordAccess(context, 'migrant');
    const internalId = treaty.pseudonyms.decode(id);
    if (internalId === null) {
      ledger.noteRecords([]);
      return null;
    }
    const doc = await loaders.migrant.load(internalId);
    ledger.noteRecords(doc ? [doc._id] : []);
    return doc;
  },

  migrants: async (_parent, { filter, first, after }, context, info) => {
    const { treaty, loaders, ledger } = requireRecordAccess(context, 'migrants');
    const size = pageSize(first ?? null, context);
    const afterId = after == null ? null : decodeCursor(after, context);
    if (filter) refuseRevealingFilters(filter, context);
    const criteria = criteriaOf(filter ?? null);
    const [page, totalCount] = await Promise.all([
      findMigrantPage(context.collections, treaty.scope, criteria, size, afterId, context.projection.current()),
      // The count is a database aggregation of its own: only when it is asked for.
      info.fieldNodes.some((node) => childFieldNames(node, info.fragments).has('totalCount'))
        ? countMigrants(context.collections, treaty.scope, criteria)
        : Promise.resolve(0),
    ]);
    // Every record of the page is disclosed (its cursor is its pseudonym), with the fields
    // the filter selected it by, whatever the operation selects of it.
    ledger.noteRecords(
      page.docs.map((doc) => doc._id),
      filterCoordinatesOf(filter),
    );
    // Prime the loader so nested `family` links to records on this page cost no read.
    for (const doc of page.docs) loaders.migrant.prime(doc._id, doc);
    const edges = page.docs.map((node) => ({ node, cursor: treaty.pseudonyms.encode(node._id) }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount,
    };
  },

  entitlements: (_parent, _args, context) => entitlementsOf(context),

  disclosureHistory: async (_parent, { migrantId, first, after }, context, info) => {
    const { treaty } = requireRecordAccess(context, 'disclosureHistory');
    const id = treaty.pseudonyms.decode(migrantId);
    const record = id === null ? null : await findLiveMigrant(context.collections, id, { holder: 1 });
    const { roles, party } = context.caller;
    const verdict = permitted('disclosureHistory', roles, record?.holder === party);
    if (!verdict.ok) throw gatewayError('FORBIDDEN', verdict.message);
    if (!record) throw gatewayError('BAD_USER_INPUT', 'No such record under this agreement.');
    const size = pageSize(first ?? null, context);
    const position = after == null ? null : decodeDisclosureCursor(after);
    const [page, totalCount] = await Promise.all([
      findDisclosurePage(context.collections.auditEvents, record._id, size, position),
      // Counted only when asked for, as `migrants` does.
      info.fieldNodes.some((node) => childFieldNames(node, info.fragments).has('totalCount'))
        ? countDisclosures(context.collections.auditEvents, record._id)
        : Promise.resolve(0),
    ]);
    const edges = page.events.map((event) => ({ node: disclosureFor(event, record._id), cursor: encodeDisclosureCursor(event) }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount,
    };
  },

  auditIntegrity: (_parent, _args, context) => {
    const verdict = permitted('auditIntegrity', context.caller.roles);
    if (!verdict.ok) throw gatewayError('FORBIDDEN', verdict.message);
    return context.verifyAudit().then((report) => ({ ...report, perChain: [...report.perChain] }));
  },

  dataRequest: async (_parent, { id }, context) => {
    const { loaders } = requireRecordAccess(context, 'dataRequest');
    return loaders.request.load(id);
  },

  dataRequests: async (_parent, { direction, status }, context) => {
    const { treaty } = requireRecordAccess(context, 'dataRequests');
    return listRequests(
      context.collections,
      { agreementId: treaty.agreement._id, party: context.caller.party },
      direction ?? null,
      status ?? null,
      startOfUtcDay(context.now),
    );
  },
};

/** A cursor is the pseudonym of the last record of a page: opaque, and bound to the agreement. */
function decodeCursor(cursor: string, context: GatewayContext): string {
  const { treaty } = requireTreaty(context);
  const id = treaty.pseudonyms.decode(cursor);
  if (id === null) throw gatewayError('BAD_USER_INPUT', '`after` is not a cursor of this agreement.');
  return id;
}

/**
 * A cursor of `disclosureHistory` is base64url of `{"at":<ms>,"id":"<audit event id>"}`:
 * the event's time and audit id, nothing about the subject. It only says where a page
 * continues; the subject and the permission to read their history come from the request.
 */
function encodeDisclosureCursor(event: { readonly at: Date; readonly _id: string }): string {
  return Buffer.from(JSON.stringify({ at: event.at.getTime(), id: event._id })).toString('base64url');
}

/** Longest cursor accepted (the ones handed out are about 100 characters). */
const MAX_DISCLOSURE_CURSOR = 512;

function decodeDisclosureCursor(cursor: string): DisclosurePosition {
  const refuse = (): never => {
    throw gatewayError('BAD_USER_INPUT', '`after` is not a cursor of disclosureHistory.');
  };
  if (cursor.length > MAX_DISCLOSURE_CURSOR || !/^[A-Za-z0-9_-]+$/.test(cursor)) return refuse();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return refuse();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse();
  const { at, id, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || typeof id !== 'string' || id.length === 0 || typeof at !== 'number' || !Number.isSafeInteger(at)) return refuse();
  const position = { at: new Date(at), id };
  // Only the cursors handed out are accepted, byte for byte (no other spelling of one).
  if (Number.isNaN(position.at.getTime()) || encodeDisclosureCursor({ at: position.at, _id: id }) !== cursor) return refuse();
  return position;
}

function criteriaOf(filter: MigrantFilter | null): MigrantCriteria {
  if (!filter) return {};
  const criteria: MigrantCriteria = {};
  if (filter.nationality != null) criteria.nationality = filter.nationality;
  if (filter.legalStatus != null) criteria.legalStatus = filter.legalStatus;
  if (filter.holder != null) criteria.holder = filter.holder;
  if (filter.familyName != null) criteria.familyName = filter.familyName;
  if (filter.documentNumber != null) criteria.documentNumber = filter.documentNumber;
  if (filter.arrivedAfter != null) criteria.arrivedOnOrAfter = rangeOf(filter.arrivedAfter, 'arrivedAfter').first;
  if (filter.arrivedBefore != null) criteria.arrivedOnOrBefore = rangeOf(filter.arrivedBefore, 'arrivedBefore').last;
  return criteria;
}

function rangeOf(value: string, name: string): { first: Date; last: Date } {
  const parsed = parsePartialDate(value);
  if (!parsed) throw gatewayError('BAD_USER_INPUT', `\`${name}\` must be a date YYYY, YYYY-MM or YYYY-MM-DD.`);
  return partialDateRange(parsed);
}
