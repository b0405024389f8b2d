/**
 * The disclosure decision for one field of one record (contract section 3): disclose,
 * minimise or redact, with the reason. Pure and deny by default; the rules apply in the
 * contract's order and the first that applies wins:
 *
 *   (1 the treaty check happens before any field: see treaty.ts)
 *   2 purpose limitation  `@purpose(allow:)`
 *     aggregate-only grant: nothing more is disclosed record by record (recordAccess.ts)
 *   3 special categories  `@sensitive` (grant, clearance, consent)
 *   4 data categories     `@purpose(category:)` at the grant's level, raised to FULL by
 *                         an approved data request covering the record and category
 *
 * Decisions are split in two so that the per-request part is computed once per schema
 * coordinate (`decideStatic`) and only record facts are looked at per value
 * (`decideForRecord`).
 */
import { clearanceRank, type AccessLevel, type Clearance, type DataCategory, type MinimiseStrategy, type Purpose, type SpecialCategory } from './taxonomy';
import { isAggregateOnly } from './recordAccess';
import type { GrantPolicy } from './treaty';

/** What the schema says about a field (read once from its directives). */
export interface FieldPolicy {
  readonly coordinate: string;
  readonly category?: DataCategory;
  readonly allow?: readonly Purpose[];
  readonly minimise?: MinimiseStrategy;
  readonly sensitive?: { readonly category: SpecialCategory; readonly clearance: Clearance; readonly consent: boolean };
  /** The field holds an object or a list of objects: at MINIMISED the object is resolved and its own fields decide. */
  readonly objectTyped: boolean;
}

/** The request-wide facts a decision depends on. */
export interface DecisionContext {
  readonly purpose: Purpose;
  readonly grant: GrantPolicy;
  readonly clearance: Clearance;
  /** Categories of the approved data request named in `X-Data-Request-Id`; empty without one. */
  readonly requestCategories: ReadonlySet<DataCategory>;
}

/** The per-record facts, read from data the loaders already fetched. */
export interface RecordFacts {
  /** The subject has a given, not withdrawn consent for the purpose. */
  readonly activeConsent: boolean;
  /** The record is a subject of the data request named in `X-Data-Request-Id`. */
  readonly coveredByRequest: boolean;
}

export type RedactReason =
  | 'PURPOSE_NOT_ALLOWED_FOR_FIELD'
  | 'SPECIAL_CATEGORY_NOT_COVERED'
  | 'INSUFFICIENT_CLEARANCE'
  | 'CONSENT_MISSING'
  | 'MINIMISATION_UNAVAILABLE'
  | 'CATEGORY_NOT_GRANTED';

export type Decision =
  | { readonly action: 'DISCLOSE' }
  | { readonly action: 'MINIMISE'; readonly strategy: MinimiseStrategy }
  | { readonly action: 'REDACT'; readonly reason: RedactReason };

/** The part of a decision that depends on the record. */
export type StaticDecision =
  | Decision
  | { readonly action: 'NEEDS_CONSENT' }
  | { readonly action: 'NEEDS_REQUEST'; readonly otherwise: Decision };

export const DISCLOSE: Decision = Object.freeze({ action: 'DISCLOSE' });

function redact(reason: RedactReason): Decision {
  return { action: 'REDACT', reason };
}

/** The decision at a category's access level, before any data request. */
function atLevel(level: AccessLevel, field: FieldPolicy): Decision {
  switch (level) {
    case 'FULL':
      return DISCLOSE;
    case 'MINIMISED':
      if (field.minimise) return { action: 'MINIMISE', strategy: field.minimise };
      return field.objectTyped ? DISCLOSE : redact('MINIMISATION_UNAVAILABLE');
    case 'AGGREGATE':
    case 'NONE':
      return redact('CATEGORY_NOT_GRANTED');
    default: {
      const unreachable: never = level;
      return redact(unreachable);
    }
  }
}

/** The decision for `field` in this request, as far as it can be made without a record. */
export function decideStatic(field: FieldPolicy, context: DecisionContext): StaticDecision {
  if (field.allow && !field.allow.includes(context.purpose)) return redact('PURPOSE_NOT_ALLOWED_FOR_FIELD');
  // An aggregate-only grant discloses no field of any record: its categories are at most
  // AGGREGATE, and the special categories it lists are granted for counting only. No data
  // request widens it. (Its record reads are refused before execution; this is the same
  // rule one layer down, so a record that reached a field would still show nothing.)
  if (isAggregateOnly(context.grant)) {
    return field.sensitive && !context.grant.specialCategories.includes(field.sensitive.category)
      ? redact('SPECIAL_CATEGORY_NOT_COVERED')
      : redact('CATEGORY_NOT_GRANTED');
  }
  if (field.sensitive) {
    if (!context.grant.specialCategories.includes(field.sensitive.category)) return redact('SPECIAL_CATEGORY_NOT_COVERED');
    if (clearanceRank(context.clearance) < clearanceRank(field.sensitive.clearance)) return redact('INSUFFICIENT_CLEARANCE');
    return field.sensitive.consent ? { action: 'NEEDS_CONSENT' } : DISCLOSE;
  }
  if (field.category) {
    const granted = atLevel(context.grant.categories[field.category] ?? 'NONE', field);
    if (granted.action === 'DISCLOSE' || !context.requestCategories.has(field.category)) return granted;
    return { action: 'NEEDS_REQUEST', otherwise: granted };
  }
  // Only `@purpose(allow:)`, and the purpose is allowed.
  return field.allow ? DISCLOSE : redact('CATEGORY_NOT_GRANTED');
}

const CONSENT_MISSING: Decision = Object.freeze({ action: 'REDACT', reason: 'CONSENT_MISSING' });

/**
 * The final decision for one record. It returns one of a fixed set of objects per
 * request (the static decisions, DISCLOSE, CONSENT_MISSING), so callers may count by identity.
 */
export function decideForRecord(decision: StaticDecision, facts: RecordFacts): Decision {
  switch (decision.action) {
    case 'NEEDS_CONSENT':
      return facts.activeConsent ? DISCLOSE : CONSENT_MISSING;
    case 'NEEDS_REQUEST':
      return facts.coveredByRequest ? DISCLOSE : decision.otherwise;
    default:
      return decision;
  }
}

/** Both steps at once: the reference form used by tests and by `entitlements`. */
export function decideField(field: FieldPolicy, context: DecisionContext, facts: RecordFacts): Decision {
  return decideForRecord(decideStatic(field, context), facts);
}
