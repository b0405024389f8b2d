import { checkTreaty, checkTreatyHeaders, isInForce, type AgreementPolicy } from '../../src/policy/treaty';
import { rowScopeFor } from '../../src/policy/scope';

const d = (iso: string): Date => new Date(`${iso}T00:00:00Z`);

const agreement: AgreementPolicy = {
  id: 'AGR-1',
  parties: ['ITA', 'ESP'],
  status: 'IN_FORCE',
  effectiveFrom: d('2024-01-01'),
  expiresOn: d('2026-12-31'),
  minCellSize: 5,
  retentionDays: 365,
  grants: [
    { purpose: 'ANTI_TRAFFICKING', subjectScope: 'ALL_HELD_BY_PARTIES', categories: { IDENTITY: 'FULL' }, specialCategories: [] },
    { purpose: 'RETURN_AND_READMISSION', subjectScope: 'NATIONALS_OF_PARTIES', categories: {}, specialCategories: [] },
    { purpose: 'LAW_ENFORCEMENT', subjectScope: 'REQUESTED_ONLY', categories: {}, specialCategories: [] },
  ],
};
const now = new Date('2026-11-23T10:00:00Z');

describe('treaty headers', () => {
  it.each([
    [undefined, 'ANTI_TRAFFICKING', 'AGREEMENT_NOT_FOUND'],
    ['AGR-1', undefined, 'PURPOSE_MISSING'],
    ['AGR-1', 'SIGHTSEEING', 'BAD_USER_INPUT'],
  ])('agreement %s purpose %s → %s', (agreementId, purpose, code) => {
    expect(checkTreatyHeaders(agreementId, purpose)).toMatchObject({ ok: false, code });
  });

  it('accepts both headers', () => {
    expect(checkTreatyHeaders('AGR-1', 'STATISTICS')).toEqual({ ok: true, agreementId: 'AGR-1', purpose: 'STATISTICS' });
  });
});

describe('treaty check (rule 1)', () => {
  it.each<[string, AgreementPolicy | null, string, string]>([
    ['unknown agreement', null, 'ITA', 'AGREEMENT_NOT_FOUND'],
    ['non-party, even when suspended', { ...agreement, status: 'SUSPENDED' }, 'NGA', 'NOT_A_PARTY'],
    ['suspended', { ...agreement, status: 'SUSPENDED' }, 'ITA', 'AGREEMENT_NOT_IN_FORCE'],
    ['draft', { ...agreement, status: 'DRAFT' }, 'ITA', 'AGREEMENT_NOT_IN_FORCE'],
    ['terminated', { ...agreement, status: 'TERMINATED' }, 'ITA', 'AGREEMENT_NOT_IN_FORCE'],
    ['expired yesterday', { ...agreement, expiresOn: d('2026-11-22') }, 'ITA', 'AGREEMENT_NOT_IN_FORCE'],
    ['not yet effective', { ...agreement, effectiveFrom: d('2026-11-24') }, 'ITA', 'AGREEMENT_NOT_IN_FORCE'],
  ])('%s', (_name, a, party, code) => {
    expect(checkTreaty(a, party, 'ANTI_TRAFFICKING', now)).toMatchObject({ ok: false, code });
  });

  it('refuses a purpose without a grant', () => {
    expect(checkTreaty(agreement, 'ITA', 'STATISTICS', now)).toMatchObject({ ok: false, code: 'PURPOSE_NOT_GRANTED' });
  });

  it('grants, with inclusive bounds', () => {
    expect(checkTreaty({ ...agreement, expiresOn: d('2026-11-23') }, 'ITA', 'ANTI_TRAFFICKING', now)).toMatchObject({ ok: true });
    expect(checkTreaty({ ...agreement, effectiveFrom: d('2026-11-23') }, 'ESP', 'ANTI_TRAFFICKING', now)).toMatchObject({ ok: true });
    expect(isInForce({ ...agreement, expiresOn: null }, now)).toBe(true);
  });
});

describe('row scope', () => {
  const [all, nationals, requested] = agreement.grants as [never, never, never];

  it('ALL_HELD_BY_PARTIES: holders only, retention from today', () => {
    expect(rowScopeFor(agreement, all, now, ['x'])).toEqual({
      holders: ['ITA', 'ESP'],
      nationalities: null,
      subjectIds: null,
      recordedOnOrAfter: d('2025-11-23'),
    });
  });

  it('NATIONALS_OF_PARTIES: nationalities are the party codes', () => {
    expect(rowScopeFor(agreement, nationals, now, [])).toMatchObject({ nationalities: ['ITA', 'ESP'], subjectIds: null });
  });

  it('REQUESTED_ONLY: only the requested subjects, deduplicated; none when there are none', () => {
    expect(rowScopeFor(agreement, requested, now, ['m-1', 'm-2', 'm-1'])).toMatchObject({ subjectIds: ['m-1', 'm-2'] });
    expect(rowScopeFor(agreement, requested, now, [])).toMatchObject({ subjectIds: [] });
  });
});
