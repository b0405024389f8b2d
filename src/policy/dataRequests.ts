/**
 * Data requests as rules (contract section 7): their state machine, the status a request
 * reads as, and when a named request widens a treaty context. Pure: the documents are
 * read and written in src/data/dataRequests.ts.
 *
 *   PENDING ──APPROVE──▶ APPROVED ──(validUntil passes)──▶ reads as EXPIRED
 *      │ ──DENY──▶ DENIED
 *      └──WITHDRAW──▶ WITHDRAWN
 *
 * Only a PENDING request moves, once (an atomic conditional update in the data layer);
 * EXPIRED is never stored.
 */
import type { Purpose, RequestStatus } from './taxonomy';

/** What these rules read of a request. */
export interface RequestFacts {
  readonly agreementId: string;
  readonly requestingParty: string;
  readonly purpose: Purpose;
  readonly status: Exclude<RequestStatus, 'EXPIRED'>;
  readonly validUntil: Date | null;
}

/** The stored statuses a PENDING request may move to, by decision. */
export const TRANSITIONS = { APPROVE: 'APPROVED', DENY: 'DENIED', WITHDRAW: 'WITHDRAWN' } as const;

/** The status a request reads as `today`: an approval past its validity is EXPIRED and grants nothing. */
export function effectiveStatus(request: Pick<RequestFacts, 'status' | 'validUntil'>, today: Date): RequestStatus {
  return request.status === 'APPROVED' && (request.validUntil === null || request.validUntil.getTime() < today.getTime()) ? 'EXPIRED' : request.status;
}

/** Why a named data request can't widen this context (agreement, purpose, caller's party, today), or null when it can. */
export function dataRequestProblem(request: RequestFacts, agreementId: string, purpose: Purpose, party: string, today: Date): string | null {
  if (request.agreementId !== agreementId) return 'The data request is not under this agreement.';
  if (request.requestingParty !== party) return "The data request was not made by the caller's party.";
  if (request.purpose !== purpose) return 'The data request is for another purpose.';
  if (request.status !== 'APPROVED') return 'The data request is not approved.';
  if (effectiveStatus(request, today) === 'EXPIRED') return 'The data request has expired.';
  return null;
}
