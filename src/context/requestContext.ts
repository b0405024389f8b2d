/**
 * The context of one GraphQL request, assembled in one straight line:
 *
 *   caller (verified by the HTTP guards) → treaty context → decision table → projection
 *   → loaders → disclosure ledger → record decider
 *
 * A request whose treaty context is refused gets no decisions, loaders or ledger: it
 * reads nothing. Every other request gets all of them: there is no unenforced path (a
 * measurement baseline supplies its own decision table, `decisionTable`).
 */
import type { FieldPolicy, StaticDecision } from '../policy/decide';
import type { DecisionTableFactory } from '../policy/decisionTable';
import { MEMBERSHIP_COORDINATES } from '../policy/filters';
import { startOfUtcDay } from '../policy/calendar';
import type { DataCategory } from '../policy/taxonomy';
import type { IntegrityReport } from '../audit/chain';
import type { Collections } from '../data/database';
import { approvedSubjectIds, findRequest } from '../data/dataRequests';
import type { AgreementDoc } from '../data/documents';
import { createLoaders } from '../data/loaders';
import type { Caller } from './authenticate';
import { createDisclosureLedger } from './disclosureLedger';
import type { GatewayContext } from './GatewayContext';
import { createProjectionPlan } from './projectionPlan';
import { createRecordDecider } from './recordDecider';
import { resolveTreaty, type TreatyContext, type TreatyHeaders } from './treatyContext';

/** What every request's context is built from: made once per gateway. */
export interface RequestContextSources {
  readonly collections: Collections;
  /** The schema's field policies, by coordinate. */
  readonly policies: ReadonlyMap<string, FieldPolicy>;
  /** Makes a request's decision table: `createDecisionTable` (src/policy/decisionTable.ts). */
  readonly decisionTable: DecisionTableFactory;
  /** Agreements by id, cached (src/context/agreementCache.ts). */
  agreement(id: string): Promise<AgreementDoc | null>;
  readonly pseudonymKey: Buffer;
  readonly maxPageSize: number;
  verifyAudit(): Promise<IntegrityReport>;
}

/** What one request brings: its verified caller, its treaty headers and its instant. */
export interface RequestFacts {
  readonly caller: Caller;
  readonly headers: TreatyHeaders;
  readonly now: Date;
}

export async function createRequestContext(sources: RequestContextSources, request: RequestFacts): Promise<GatewayContext> {
  const { collections } = sources;
  const { caller, now } = request;
  const common = { caller, now, collections, verifyAudit: sources.verifyAudit, maxPageSize: sources.maxPageSize };
  const treaty = await resolveTreaty(
    request.headers,
    caller,
    now,
    {
      agreement: (id) => sources.agreement(id),
      dataRequest: (id) => findRequest(collections, id),
      approvedSubjectIds: (agreementId, purpose, party, today) => approvedSubjectIds(collections, agreementId, purpose, party, today),
    },
    sources.pseudonymKey,
  );
  // Refused: every field withheld, nothing read.
  if (!treaty.ok) return Object.freeze({ ...common, treaty, loaders: null, decisions: null, ledger: null, privacy: null, projection: createProjectionPlan(() => true) });

  // The decision table; what it withholds for every record is not read (the projection).
  const decisions = sources.decisionTable(sources.policies, decisionContextOf(treaty, caller));
  const projection = createProjectionPlan(
    (coordinate) => decisions.staticDecision(coordinate).action === 'REDACT',
    (coordinate) => dependsOnConsent(decisions.staticDecision(coordinate)),
  );
  const loaders = createLoaders(collections, {
    rows: treaty.scope,
    requests: { agreementId: treaty.agreement._id, party: caller.party },
    migrantProjection: () => projection.current(),
    purpose: treaty.purpose,
    today: startOfUtcDay(now),
  });

  // The row scope selects by nationality under NATIONALS_OF_PARTIES: every record returned
  // discloses that its subject is a national of a party.
  const ledger = createDisclosureLedger({
    scopeCoordinates: treaty.scope.nationalities !== null ? ['Migrant.nationality'] : [],
    membershipCoordinates: MEMBERSHIP_COORDINATES,
  });
  // Consents are loaded lazily, batched per level, only for consent-dependent fields.
  const privacy = createRecordDecider(decisions, ledger, {
    requestSubjects: new Set(treaty.dataRequest?.subjectIds ?? []),
    consentOf: (id) => loaders.consent.load(id),
  });
  return Object.freeze({ ...common, treaty, loaders, decisions, ledger, privacy, projection });
}

/** Whether a static decision is finished by the subject's consent (directly, or where no data request covers the record). */
function dependsOnConsent(decision: StaticDecision): boolean {
  if (decision.action === 'NEEDS_CONSENT') return true;
  return decision.action === 'NEEDS_REQUEST' && dependsOnConsent(decision.otherwise);
}

function decisionContextOf(treaty: TreatyContext, caller: Caller) {
  return {
    purpose: treaty.purpose,
    grant: treaty.grant,
    clearance: caller.clearance,
    requestCategories: new Set<DataCategory>(treaty.dataRequest?.categories ?? []),
  };
}
