/**
 * Reads of data requests. Every read is bounded to one agreement and to requests the
 * caller's party made or received.
 */
import type { Filter } from 'mongodb';
import type { Purpose, RequestStatus } from '../policy/taxonomy';
import type { Collections } from './database';
import type { DataRequestDoc } from './documents';

/** Which requests a caller may see: under `agreementId`, made or received by `party`. */
export interface RequestScope {
  readonly agreementId: string;
  readonly party: string;
}

function visible(scope: RequestScope): Filter<DataRequestDoc> {
  return { agreementId: scope.agreementId, $or: [{ requestingParty: scope.party }, { requestedParty: scope.party }] };
}

/** Visible requests with these ids (any order). */
export async function findRequestsByIds(collections: Collections, scope: RequestScope, ids: readonly string[]): Promise<DataRequestDoc[]> {
  return collections.dataRequests.find({ $and: [visible(scope), { _id: { $in: [...ids] } }] }).toArray();
}

/** Visible requests naming any of these subjects (internal ids). */
export async function findRequestsBySubjects(
  collections: Collections,
  scope: RequestScope,
  subjectIds: readonly string[],
): Promise<DataRequestDoc[]> {
  return collections.dataRequests
    .find({ $and: [visible(scope), { subjectIds: { $in: [...subjectIds] } }] }, { sort: { _id: 1 } })
    .toArray();
}

/**
 * Requests under the current agreement in one direction, optionally by stored status.
 * EXPIRED is not stored: it is APPROVED with `validUntil` before `today`.
 */
export async function listRequests(
  collections: Collections,
  scope: RequestScope,
  direction: 'INCOMING' | 'OUTGOING' | null,
  status: RequestStatus | null,
  today: Date,
): Promise<DataRequestDoc[]> {
  const parts: Filter<DataRequestDoc>[] = [visible(scope)];
  if (direction === 'INCOMING') parts.push({ requestedParty: scope.party });
  if (direction === 'OUTGOING') parts.push({ requestingParty: scope.party });
  if (status === 'EXPIRED') parts.push({ status: 'APPROVED', validUntil: { $lt: today } });
  else if (status === 'APPROVED') parts.push({ status: 'APPROVED', validUntil: { $gte: today } });
  else if (status !== null) parts.push({ status });
  return collections.dataRequests.find({ $and: parts }, { sort: { _id: 1 } }).toArray();
}

/**
 * Internal ids of the subjects of `party`'s approved requests that are valid on `today`
 * under `agreementId` for `purpose` (the REQUESTED_ONLY scope).
 */
export async function approvedSubjectIds(
  collections: Collections,
  agreementId: string,
  purpose: Purpose,
  party: string,
  today: Date,
): Promise<string[]> {
  const ids = await collections.dataRequests.distinct('subjectIds', {
    agreementId,
    purpose,
    requestingParty: party,
    status: 'APPROVED',
    validUntil: { $gte: today },
  });
  return ids.filter((id): id is string => typeof id === 'string');
}

/** The request with this id, unscoped: for validating `X-Data-Request-Id`. */
export async function findRequest(collections: Collections, id: string): Promise<DataRequestDoc | null> {
  return collections.dataRequests.findOne({ _id: id });
}

/** Stores a new request. */
export async function insertRequest(collections: Collections, request: DataRequestDoc): Promise<void> {
  await collections.dataRequests.insertOne(request);
}

/**
 * Moves a PENDING request to `change.status`, atomically: of several concurrent
 * decisions exactly one matches the `status: 'PENDING'` condition. Returns the updated
 * request, or null when it was no longer PENDING (or not found under `filter`).
 */
export async function transitionPending(
  collections: Collections,
  id: string,
  filter: Filter<DataRequestDoc>,
  change: Partial<Pick<DataRequestDoc, 'status' | 'decidedAt' | 'validUntil' | 'categories' | 'decisionNote'>>,
): Promise<DataRequestDoc | null> {
  return collections.dataRequests.findOneAndUpdate(
    { $and: [{ _id: id, status: 'PENDING' }, filter] },
    { $set: change },
    { returnDocument: 'after' },
  );
}
