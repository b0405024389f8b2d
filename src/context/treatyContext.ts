/**
 * The treaty context of one request (contract sections 1 and 3): from the verified
 * caller and the headers to the agreement, purpose, grant, row scope and pseudonyms, or
 * to the reason none applies. Fail closed: any failure is a state that refuses every
 * operation that reads records.
 */
import { startOfUtcDay } from '../policy/calendar';
import { createPseudonymiser, rememberingPseudonyms, type Pseudonymiser } from '../policy/pseudonym';
import { rowScopeFor, type RowScope } from '../policy/scope';
import { checkTreaty, checkTreatyHeaders, type AgreementPolicy, type GrantPolicy, type TreatyErrorCode } from '../policy/treaty';
import { dataRequestProblem } from '../policy/dataRequests';
import type { Purpose } from '../policy/taxonomy';
import type { AgreementDoc, DataRequestDoc } from '../data/documents';
import type { Caller } from './authenticate';

export interface TreatyHeaders {
  readonly agreementId: string | undefined;
  readonly purpose: string | undefined;
  readonly dataRequestId: string | undefined;
}

export interface TreatyContext {
  readonly ok: true;
  readonly agreement: AgreementDoc;
  readonly purpose: Purpose;
  readonly grant: GrantPolicy;
  readonly scope: RowScope;
  readonly pseudonyms: Pseudonymiser;
  /** The approved request named in `X-Data-Request-Id`, if any. */
  readonly dataRequest: DataRequestDoc | null;
}

export interface TreatyRefusal {
  readonly ok: false;
  readonly code: TreatyErrorCode | 'DATA_REQUEST_INVALID';
  readonly message: string;
}

export type TreatyState = TreatyContext | TreatyRefusal;

/** What resolving a treaty context reads. */
export interface TreatySources {
  agreement(id: string): Promise<AgreementDoc | null>;
  dataRequest(id: string): Promise<DataRequestDoc | null>;
  approvedSubjectIds(agreementId: string, purpose: Purpose, party: string, today: Date): Promise<string[]>;
}

/** Resolves the treaty context; database failures propagate (the caller maps them). */
export async function resolveTreaty(
  headers: TreatyHeaders,
  caller: Caller,
  now: Date,
  sources: TreatySources,
  pseudonymKey: Buffer,
): Promise<TreatyState> {
  const checked = checkTreatyHeaders(headers.agreementId, headers.purpose);
  if (!checked.ok) return checked;
  const agreement = await sources.agreement(checked.agreementId);
  const verdict = checkTreaty(agreement && policyOf(agreement), caller.party, checked.purpose, now);
  if (!verdict.ok || !agreement) return verdict.ok ? refuse('AGREEMENT_NOT_FOUND', 'No such agreement.') : verdict;

  const today = startOfUtcDay(now);
  let dataRequest: DataRequestDoc | null = null;
  if (headers.dataRequestId !== undefined) {
    dataRequest = await sources.dataRequest(headers.dataRequestId);
    const problem = dataRequest && dataRequestProblem(dataRequest, agreement._id, checked.purpose, caller.party, today);
    if (!dataRequest || problem) return refuse('DATA_REQUEST_INVALID', problem ?? 'No such data request.');
  }
  const requested =
    verdict.grant.subjectScope === 'REQUESTED_ONLY'
      ? await sources.approvedSubjectIds(agreement._id, checked.purpose, caller.party, today)
      : [];
  return {
    ok: true,
    agreement,
    purpose: checked.purpose,
    grant: verdict.grant,
    scope: rowScopeFor(verdict.agreement, verdict.grant, now, requested),
    // One request's pseudonyms: a record's id and cursor are encoded once.
    pseudonyms: rememberingPseudonyms(createPseudonymiser(pseudonymKey, agreement._id)),
    dataRequest,
  };
}

/** The policy view of a stored agreement. */
export function policyOf(doc: AgreementDoc): AgreementPolicy {
  return {
    id: doc._id,
    parties: doc.parties,
    status: doc.status,
    effectiveFrom: doc.effectiveFrom,
    expiresOn: doc.expiresOn,
    minCellSize: doc.minCellSize,
    retentionDays: doc.retentionDays,
    grants: doc.grants,
  };
}

function refuse(code: TreatyRefusal['code'], message: string): TreatyRefusal {
  return { ok: false, code, message };
}
