/**
 * The context of one GraphQL request: small and read-only. Built by the context
 * factory (the only code that reads HTTP); resolvers take everything from here.
 */
import type { Caller } from './authenticate';
import type { PrivacyRuntime } from '../../directives/index';
import type { DecisionTable } from '../policy/decisionTable';
import type { DisclosureLedger } from './disclosureLedger';
import type { TreatyContext, TreatyState } from './treatyContext';
import type { Collections } from '../data/database';
import type { Loaders } from '../data/loaders';
import type { ProjectionPlan } from './projectionPlan';
import type { IntegrityReport } from '../audit/chain';
import { isAggregateOnly, recordAccessRefusalMessage } from '../policy/recordAccess';
import { gatewayError } from './errors';

export interface GatewayContext {
  readonly caller: Caller;
  /** The instant the request started; every date rule uses it. */
  readonly now: Date;
  readonly treaty: TreatyState;
  /** Per-request loaders, present only with a valid treaty context. */
  readonly loaders: Loaders | null;
  /**
   * The decision table of this request (src/policy/decisionTable.ts); present with a valid
   * treaty context (null only in the benchmark baseline, whose schema has no enforcement
   * wrappers).
   */
  readonly decisions: DecisionTable | null;
  /** What was decided and disclosed, for the privacy report and the audit event; present with `decisions`. */
  readonly ledger: DisclosureLedger | null;
  /**
   * The record decider the directives' field wrapper calls (src/context/recordDecider.ts);
   * present with `decisions`. Annotated fields are withheld when it is absent.
   */
  readonly privacy: PrivacyRuntime | null;
  /** For the few reads that are not by key (pages, counts, lists); always with a scope. */
  readonly collections: Collections;
  /** The migrant fields this request may read. */
  /** Which migrant fields reads fetch: narrowed by decisions, then by the operation's selection. */
  readonly projection: ProjectionPlan;
  /** Verifies the audit trail (for `auditIntegrity`; role checked by the resolver). */
  readonly verifyAudit: () => Promise<IntegrityReport>;
  /** Largest page size. */
  readonly maxPageSize: number;
}

/** The treaty context and loaders, or the refusal as an error (fail closed). */
export function requireTreaty(context: GatewayContext): { treaty: TreatyContext; loaders: Loaders } {
  const { treaty, loaders } = context;
  if (!treaty.ok) throw gatewayError(treaty.code, treaty.message, treaty.code === 'BAD_USER_INPUT' ? 400 : 403);
  if (!loaders) throw gatewayError('INTERNAL_SERVER_ERROR');
  return { treaty, loaders };
}

/**
 * The treaty context and loaders of a context that may read records, or the refusal as
 * an error: under an aggregate-only grant, RECORD_ACCESS_NOT_GRANTED (HTTP 403). Every
 * resolver that returns a record, a pseudonym or a data request calls it, so a record
 * cannot be read under such a grant even if the treaty guard's check before execution
 * were bypassed. `what` names the refused read in the message.
 */
export function requireRecordAccess(context: GatewayContext, what: string): { treaty: TreatyContext; loaders: Loaders } {
  const granted = requireTreaty(context);
  const { agreement, grant } = granted.treaty;
  if (isAggregateOnly(grant)) throw gatewayError('RECORD_ACCESS_NOT_GRANTED', recordAccessRefusalMessage(agreement._id, grant, [what]));
  return granted;
}
