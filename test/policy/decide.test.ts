/**
 * The decision function against every rule of contract section 3 and their order of
 * precedence. Table-driven; no server, no database.
 */
import { decideField, decideStatic, type DecisionContext, type FieldPolicy, type RecordFacts } from '../../src/policy/decide';
import type { GrantPolicy } from '../../src/policy/treaty';

const grant: GrantPolicy = {
  purpose: 'ANTI_TRAFFICKING',
  subjectScope: 'ALL_HELD_BY_PARTIES',
  categories: { IDENTITY: 'FULL', CONTACT_LOCATION: 'MINIMISED', TRAVEL_DOCUMENT: 'MINIMISED', NATIONALITY: 'AGGREGATE', FAMILY: 'NONE' },
  specialCategories: ['VICTIM_STATUS', 'HEALTH'],
};
const ctx = (over: Partial<DecisionContext> = {}): DecisionContext => ({
  purpose: 'ANTI_TRAFFICKING',
  grant,
  clearance: 'SPECIAL',
  requestCategories: new Set(),
  ...over,
});
const none: RecordFacts = { activeConsent: false, coveredByRequest: false };
const consent: RecordFacts = { activeConsent: true, coveredByRequest: false };
const covered: RecordFacts = { activeConsent: false, coveredByRequest: true };

const f = (over: Partial<FieldPolicy>): FieldPolicy => ({ coordinate: 'T.f', objectTyped: false, ...over });
const givenName = f({ category: 'IDENTITY', minimise: 'INITIAL' });
const line1 = f({ category: 'CONTACT_LOCATION' });
const address = f({ category: 'CONTACT_LOCATION', objectTyped: true });
const number = f({ category: 'TRAVEL_DOCUMENT', minimise: 'LAST_FOUR' });
const nationality = f({ category: 'NATIONALITY' });
const family = f({ category: 'FAMILY', objectTyped: true });
const caseHistory = f({ category: 'CASE_HISTORY', objectTyped: true });
const religion = f({ sensitive: { category: 'RELIGION', clearance: 'SPECIAL', consent: false } });
const health = f({ sensitive: { category: 'HEALTH', clearance: 'ELEVATED', consent: true }, objectTyped: true });
const victim = f({
  sensitive: { category: 'VICTIM_STATUS', clearance: 'SPECIAL', consent: false },
  allow: ['ANTI_TRAFFICKING', 'SERVICE_DELIVERY', 'STATISTICS'],
  objectTyped: true,
});
const allowOnly = f({ allow: ['STATISTICS'] });

/** Aggregate-only (no category above AGGREGATE), with special categories listed: counted, never read per record. */
const statistics: GrantPolicy = {
  purpose: 'STATISTICS',
  subjectScope: 'ALL_HELD_BY_PARTIES',
  categories: { IDENTITY: 'AGGREGATE', NATIONALITY: 'AGGREGATE', FAMILY: 'NONE' },
  specialCategories: ['VICTIM_STATUS', 'HEALTH'],
};
const stats = (over: Partial<DecisionContext> = {}): DecisionContext => ctx({ purpose: 'STATISTICS', grant: statistics, ...over });

const D = { action: 'DISCLOSE' };
const M = (strategy: string) => ({ action: 'MINIMISE', strategy });
const R = (reason: string) => ({ action: 'REDACT', reason });

describe('decideField', () => {
  it.each<[string, FieldPolicy, DecisionContext, RecordFacts, object]>([
    // Rule 4: data categories at the grant's level.
    ['FULL discloses', givenName, ctx(), none, D],
    ['MINIMISED with a strategy minimises', number, ctx(), none, M('LAST_FOUR')],
    ['MINIMISED without a strategy redacts', line1, ctx(), none, R('MINIMISATION_UNAVAILABLE')],
    ['MINIMISED object field resolves its object', address, ctx(), none, D],
    ['AGGREGATE redacts', nationality, ctx(), none, R('CATEGORY_NOT_GRANTED')],
    ['NONE redacts', family, ctx(), none, R('CATEGORY_NOT_GRANTED')],
    ['a category absent from the grant is NONE', caseHistory, ctx(), none, R('CATEGORY_NOT_GRANTED')],
    ['a NONE object field is withheld whole', family, ctx(), covered, R('CATEGORY_NOT_GRANTED')],
    // Rule 4: raised to FULL by an approved data request covering record and category.
    ['request raises MINIMISED to FULL', number, ctx({ requestCategories: new Set(['TRAVEL_DOCUMENT']) }), covered, D],
    ['request raises NONE to FULL', family, ctx({ requestCategories: new Set(['FAMILY']) }), covered, D],
    ['request raises MINIMISATION_UNAVAILABLE to FULL', line1, ctx({ requestCategories: new Set(['CONTACT_LOCATION']) }), covered, D],
    ['request does not cover this record', number, ctx({ requestCategories: new Set(['TRAVEL_DOCUMENT']) }), none, M('LAST_FOUR')],
    ['request does not list this category', nationality, ctx({ requestCategories: new Set(['IDENTITY']) }), covered, R('CATEGORY_NOT_GRANTED')],
    // Rule 3: special categories.
    ['special category not listed in the grant', religion, ctx(), consent, R('SPECIAL_CATEGORY_NOT_COVERED')],
    ['listed, clearance below', health, ctx({ clearance: 'STANDARD' }), consent, R('INSUFFICIENT_CLEARANCE')],
    ['listed, clearance met, consent needed and missing', health, ctx({ clearance: 'ELEVATED' }), none, R('CONSENT_MISSING')],
    ['listed, clearance met, consent given', health, ctx({ clearance: 'ELEVATED' }), consent, D],
    ['listed, clearance SPECIAL required and held', victim, ctx(), none, D],
    ['listed, clearance SPECIAL required, ELEVATED held', victim, ctx({ clearance: 'ELEVATED' }), none, R('INSUFFICIENT_CLEARANCE')],
    ['a data request never opens a special category', religion, ctx({ requestCategories: new Set(['IDENTITY']) }), covered, R('SPECIAL_CATEGORY_NOT_COVERED')],
    // Rule 2: purpose limitation.
    ['purpose not allowed for the field', victim, ctx({ purpose: 'LAW_ENFORCEMENT' }), consent, R('PURPOSE_NOT_ALLOWED_FOR_FIELD')],
    ['allow-only field, purpose allowed', allowOnly, ctx({ purpose: 'STATISTICS' }), none, D],
    ['allow-only field, purpose not allowed', allowOnly, ctx(), none, R('PURPOSE_NOT_ALLOWED_FOR_FIELD')],
    // Precedence: 2 before 3 before consent.
    [
      'purpose limitation wins over an uncovered special category',
      f({ sensitive: { category: 'RELIGION', clearance: 'SPECIAL', consent: true }, allow: ['STATISTICS'] }),
      ctx({ clearance: 'STANDARD' }),
      none,
      R('PURPOSE_NOT_ALLOWED_FOR_FIELD'),
    ],
    ['special category coverage before clearance', religion, ctx({ clearance: 'STANDARD' }), none, R('SPECIAL_CATEGORY_NOT_COVERED')],
    ['clearance before consent', health, ctx({ clearance: 'STANDARD' }), none, R('INSUFFICIENT_CLEARANCE')],
    // Deny by default.
    ['a field with no rule is withheld', f({}), ctx(), consent, R('CATEGORY_NOT_GRANTED')],
    // Aggregate-only grants: nothing per record, whatever the special categories, clearance, consent or request.
    ['aggregate-only: a listed special category is for counting only', victim, stats(), none, R('CATEGORY_NOT_GRANTED')],
    ['aggregate-only: a listed consent-dependent special category, consent given', health, stats(), consent, R('CATEGORY_NOT_GRANTED')],
    ['aggregate-only: an unlisted special category keeps its reason', religion, stats(), none, R('SPECIAL_CATEGORY_NOT_COVERED')],
    ['aggregate-only: an AGGREGATE category', nationality, stats(), none, R('CATEGORY_NOT_GRANTED')],
    ['aggregate-only: a data request does not widen it', givenName, stats({ requestCategories: new Set(['IDENTITY']) }), covered, R('CATEGORY_NOT_GRANTED')],
    ['aggregate-only: an allow-only field is withheld', allowOnly, stats(), none, R('CATEGORY_NOT_GRANTED')],
    ['aggregate-only: purpose limitation still comes first', victim, stats({ purpose: 'LAW_ENFORCEMENT' }), none, R('PURPOSE_NOT_ALLOWED_FOR_FIELD')],
  ])('%s', (_name, field, context, facts, expected) => {
    expect(decideField(field, context, facts)).toEqual(expected);
  });

  it('leaves only consent and request membership to the record', () => {
    expect(decideStatic(health, ctx({ clearance: 'ELEVATED' }))).toEqual({ action: 'NEEDS_CONSENT' });
    expect(decideStatic(number, ctx({ requestCategories: new Set(['TRAVEL_DOCUMENT']) }))).toEqual({
      action: 'NEEDS_REQUEST',
      otherwise: M('LAST_FOUR'),
    });
    expect(decideStatic(givenName, ctx({ requestCategories: new Set(['IDENTITY']) }))).toEqual(D);
    // Under an aggregate-only grant nothing is left to the record.
    expect(decideStatic(health, stats())).toEqual(R('CATEGORY_NOT_GRANTED'));
    expect(decideStatic(givenName, stats({ requestCategories: new Set(['IDENTITY']) }))).toEqual(R('CATEGORY_NOT_GRANTED'));
  });
});
