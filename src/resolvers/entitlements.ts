/** `Query.entitlements`: the decision table of this request, as the caller can read it. */
import type { StaticDecision } from '../policy/decide';
import type { GrantPolicy } from '../policy/treaty';
import type { Entitlements, FieldEntitlement, MigrantFilter } from '../generated/resolvers-types';
import { requireTreaty, type GatewayContext } from '../context/GatewayContext';
import { FILTER_COORDINATES } from '../policy/filters';
import { filterPermitted } from './filters';
import { recordAccessRefusal } from '../policy/recordAccess';
import { STAT_DIMENSIONS } from '../policy/taxonomy';

export function entitlementsOf(context: GatewayContext): Entitlements {
  const { treaty, decisions } = requireTreaty(context);
  return {
    agreementId: treaty.agreement._id,
    purpose: treaty.purpose,
    subjectScope: treaty.grant.subjectScope,
    clearance: context.caller.clearance,
    dataRequestId: treaty.dataRequest?._id ?? null,
    ...recordAccessOf(treaty.agreement._id, treaty.grant),
    fields: decisions.coordinates().map((coordinate) => describe(coordinate, decisions.staticDecision(coordinate))),
    filters: (Object.keys(FILTER_COORDINATES) as (keyof MigrantFilter)[]).map((argument) => {
      const coordinate = FILTER_COORDINATES[argument];
      return { argument, permitted: coordinate === null || filterPermitted(coordinate, context) };
    }),
    statistics: STAT_DIMENSIONS.map((dimension) => {
      const reason = decisions.dimensionRefusal(dimension);
      return { dimension, permitted: reason === null, reason };
    }),
  };
}

/** Whether records may be read in this context, and if not why (an aggregate-only grant). */
function recordAccessOf(agreementId: string, grant: GrantPolicy): Pick<Entitlements, 'recordAccess' | 'recordAccessReason'> {
  const refusal = recordAccessRefusal(agreementId, grant);
  return refusal === null
    ? { recordAccess: true, recordAccessReason: null }
    : { recordAccess: false, recordAccessReason: `${refusal} Records are refused with RECORD_ACCESS_NOT_GRANTED; ask \`statistics\` for counts.` };
}

function describe(coordinate: string, decision: StaticDecision): FieldEntitlement {
  const none = { reason: null, strategy: null, condition: null };
  switch (decision.action) {
    case 'DISCLOSE':
      return { coordinate, action: 'DISCLOSED', ...none };
    case 'MINIMISE':
      return { coordinate, action: 'MINIMISED', ...none, strategy: decision.strategy };
    case 'REDACT':
      return { coordinate, action: 'REDACTED', ...none, reason: decision.reason };
    case 'NEEDS_CONSENT':
      return { coordinate, action: 'DISCLOSED', ...none, condition: 'SUBJECT_CONSENT' };
    case 'NEEDS_REQUEST': {
      const otherwise = describe(coordinate, decision.otherwise);
      return { ...otherwise, condition: 'DATA_REQUEST_SUBJECT' };
    }
    default: {
      const unreachable: never = decision;
      throw new TypeError(`unknown decision ${JSON.stringify(unreachable)}`);
    }
  }
}
