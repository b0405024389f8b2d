/**
 * The context of one GraphQL request: small and read-only. Built by the context
 * factory (the only code that reads HTTP); resolvers take everything from here.
 */
import type { Caller } from './authenticate';
import type { PrivacyRuntime } from '../../directives/index';
import type { DecisionTable } from '../policy/decisionTable';
import type { DisclosureLedger } from './disclosureLedger';
import type { TreatyContext, TreatyRefusal } from './treatyContext';
import type { Collections } from '../data/database';
import type { Loaders } from '../data/loaders';
import type { ProjectionPlan } from './projectionPlan';
import type { IntegrityReport } from '../audit/chain';
import { isAggregateOnly, recordAccessRefusalMessage } from '../policy/recordAccess';
import { gatewayError } from './errors';

/** What every request's context holds, whatever its treaty context. */
interface RequestBasics {
  readonly caller: Caller;
  /** The instant the request started; every date rule uses it. */
  readonly now: Date;
  /** For the few reads that are not by key (pages, counts, lists); always with a scope. */
  readonly collections: Collections;
  /** Which migrant fields reads fetch: narrowed by decisions, then by the operation's selection. */
  readonly projection: ProjectionPlan;
  /** Verifies the audit trail (for `auditIntegrity`; role checked by the resolver). */
  readonly verifyAudit: () => Promise<IntegrityReport>;
  /** Largest page size. */
  readonly maxPageSize: number;
}

/** A request with a valid treaty context: everything a resolver needs, none of it optional. */
export interface TreatyRequestContext extends RequestBasics {
  readonly treaty: TreatyContext;
  /** Per-request loaders, scoped by the treaty context. */
  readonly loaders: Loaders;
  /** The decision table of this request (src/policy/decisionTable.ts). */
  readonly decisions: DecisionTable;
  /** What was decided and disclosed, for the privacy report and the audit event. */
  readonly ledger: DisclosureLedger;
  /** The record decider the directives' field wrapper calls (src/context/recordDecider.ts). */
  readonly privacy: PrivacyRuntime;
}

/**
 * A request whose treaty context was refused: it reads nothing. Annotated fields are
 * withheld without a record decider, and every resolver that needs the treaty context
 * refuses through `requireTreaty`.
 */
export interface RefusedRequestContext extends RequestBasics {
  readonly treaty: TreatyRefusal;
  readonly loaders: null;
  readonly decisions: null;
  readonly ledger: null;
  readonly privacy: null;
}

export type GatewayContext = TreatyRequestContext | RefusedRequestContext;

/** The context of a request with a valid treaty context, or the refusal as an error (fail closed). */
export function requireTreaty(context: GatewayContext): TreatyRequestContext {
  if (context.loaders === null) {
    const { treaty } = context;
    throw gatewayError(treaty.code, treaty.message, treaty.code === 'BAD_USER_INPUT' ? 400 : 403);
  }
  return context;
}

/**
 * The treaty context and loaders of a context that may read records, or the refusal as
 * an error: under an aggregate-only grant, RECORD_ACCESS_NOT_GRANTED (HTTP 403). Every
 * resolver that returns a record, a pseudonym or a data request calls it, so a record
 * cannot be read under such a grant even if the treaty guard's check before execution
 * were bypassed. `what` names the refused read in the message.
 */
export function requireRecordAccess(context: GatewayContext, what: string): TreatyRequestContext {
  const granted = requireTreaty(context);
  const { agreement, grant } = granted.treaty;
  if (isAggregateOnly(grant)) throw gatewayError('RECORD_ACCESS_NOT_GRANTED', recordAccessRefusalMessage(agreement._id, grant, [what]));
  return granted;
}
