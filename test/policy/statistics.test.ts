/**
 * The pure part of statistics: dimension permissions and age bands. Suppression is in
 * test/policy/disclosure.test.ts.
 */
import type { FieldPolicy } from '../../src/policy/decide';
import { ageBandOf, ageBandRange, dimensionRefusal } from '../../src/policy/statistics';
import type { GrantPolicy } from '../../src/policy/treaty';

describe('age bands', () => {
  it.each([
    [0, '0-9'],
    [9, '0-9'],
    [10, '10-19'],
    [39, '30-39'],
    [89, '80-89'],
    [90, '90+'],
    [117, '90+'],
    [-1, 'UNKNOWN'],
    [null, 'UNKNOWN'],
    [3.5, 'UNKNOWN'],
  ])('age %p is band %p', (age, band) => {
    expect(ageBandOf(age as number | null)).toBe(band);
  });

  it('parses band labels and nothing else', () => {
    expect(ageBandRange('30-39')).toEqual({ min: 30, max: 39 });
    expect(ageBandRange('0-9')).toEqual({ min: 0, max: 9 });
    expect(ageBandRange('90+')).toEqual({ min: 90, max: null });
    for (const bad of ['31-40', '30-40', '90-99', '100+', '80+', '-10-19', '30 - 39', '']) expect(ageBandRange(bad)).toBeNull();
  });
});

describe('dimension permissions', () => {
  const policies = new Map<string, FieldPolicy>([
    ['Migrant.nationality', { coordinate: 'Migrant.nationality', category: 'NATIONALITY', objectTyped: false }],
    ['Migrant.sex', { coordinate: 'Migrant.sex', category: 'IDENTITY', objectTyped: false }],
    [
      'Migrant.victimStatus',
      {
        coordinate: 'Migrant.victimStatus',
        allow: ['ANTI_TRAFFICKING', 'SERVICE_DELIVERY', 'STATISTICS'],
        sensitive: { category: 'VICTIM_STATUS', clearance: 'SPECIAL', consent: false },
        objectTyped: true,
      },
    ],
  ]);
  const policyOf = (c: string) => policies.get(c);
  const grant = (categories: GrantPolicy['categories'], specialCategories: GrantPolicy['specialCategories'] = []): GrantPolicy =>
    ({ purpose: 'STATISTICS', subjectScope: 'ALL_HELD_BY_PARTIES', categories, specialCategories }) as GrantPolicy;

  it('needs AGGREGATE or more for the field category', () => {
    expect(dimensionRefusal('NATIONALITY', policyOf, grant({ NATIONALITY: 'AGGREGATE' }), 'STATISTICS')).toBeNull();
    expect(dimensionRefusal('NATIONALITY', policyOf, grant({ NATIONALITY: 'FULL' }), 'STATISTICS')).toBeNull();
    expect(dimensionRefusal('NATIONALITY', policyOf, grant({ NATIONALITY: 'NONE' }), 'STATISTICS')).toBe('CATEGORY_NOT_GRANTED');
    expect(dimensionRefusal('NATIONALITY', policyOf, grant({}), 'STATISTICS')).toBe('CATEGORY_NOT_GRANTED');
  });

  it('needs the special category listed and a purpose the field allows (no clearance: counts only)', () => {
    expect(dimensionRefusal('VICTIM_STATUS', policyOf, grant({}, ['VICTIM_STATUS']), 'STATISTICS')).toBeNull();
    expect(dimensionRefusal('VICTIM_STATUS', policyOf, grant({}, ['HEALTH']), 'STATISTICS')).toBe('SPECIAL_CATEGORY_NOT_COVERED');
    expect(dimensionRefusal('VICTIM_STATUS', policyOf, grant({}, ['VICTIM_STATUS']), 'BORDER_CONTROL')).toBe('PURPOSE_NOT_ALLOWED_FOR_FIELD');
  });

  it('allows HOLDER (not personal) and refuses a personal dimension whose field has no policy', () => {
    expect(dimensionRefusal('HOLDER', () => undefined, grant({}), 'STATISTICS')).toBeNull();
    expect(dimensionRefusal('LEGAL_STATUS', policyOf, grant({ IMMIGRATION_STATUS: 'FULL' }), 'STATISTICS')).toBe('FIELD_NOT_ANNOTATED');
  });

  it('refuses a consent-dependent field', () => {
    const withConsent = new Map(policies);
    withConsent.set('Migrant.sex', { coordinate: 'Migrant.sex', sensitive: { category: 'HEALTH', clearance: 'STANDARD', consent: true }, objectTyped: false });
    expect(dimensionRefusal('SEX', (c) => withConsent.get(c), grant({}, ['HEALTH']), 'STATISTICS')).toBe('CONSENT_REQUIRED');
  });
});
