/**
 * The explorer's wording of the privacy report and of refusals: every reason, strategy,
 * statistics action and error code of the contract has a plain sentence.
 */
import {
  ERROR_CODES,
  REASONS,
  STRATEGIES,
  describeEntry,
  describeErrors,
  humanise,
  privacyLineOf,
  summarise,
} from '../../explorer/src/privacyText';
// The gateway's own list of contract codes (section 5): every one needs a sentence.
import { ERROR_CODES as CONTRACT_ERROR_CODES } from '../../src/context/errors';

describe('privacy report wording', () => {
  it('has a sentence for every redaction reason, strategy and error code of the contract', () => {
    expect(Object.keys(REASONS).sort()).toEqual(
      ['CATEGORY_NOT_GRANTED', 'CONSENT_MISSING', 'INSUFFICIENT_CLEARANCE', 'MINIMISATION_UNAVAILABLE', 'PURPOSE_NOT_ALLOWED_FOR_FIELD', 'SPECIAL_CATEGORY_NOT_COVERED'],
    );
    expect(Object.keys(STRATEGIES).sort()).toEqual(['INITIAL', 'LAST_FOUR', 'YEAR', 'YEAR_MONTH']);
    expect(Object.keys(ERROR_CODES).sort()).toEqual([...CONTRACT_ERROR_CODES].sort());
    for (const sentence of [...Object.values(REASONS), ...Object.values(ERROR_CODES)]) expect(sentence).toMatch(/^[A-Z].*[.]$/);
  });

  it.each([
    ['SPECIAL_CATEGORY_NOT_COVERED', /grant for this purpose does not list this special category/],
    ['INSUFFICIENT_CLEARANCE', /higher clearance than the caller's/],
    ['CONSENT_MISSING', /active consent for this purpose/],
    ['CATEGORY_NOT_GRANTED', /only as statistics, or not at all/],
    ['MINIMISATION_UNAVAILABLE', /has no minimised form/],
    ['PURPOSE_NOT_ALLOWED_FOR_FIELD', /purpose of this request is not one of them/],
  ])('REDACTED %s: withheld, with the reason in words', (reason, sentence) => {
    const described = describeEntry({ coordinate: 'Migrant.religion', action: 'REDACTED', reason, count: 12 });
    expect(described).toEqual({ group: 'withheld', coordinate: 'Migrant.religion', headline: 'withheld (null) in 12 values', reason: expect.stringMatching(sentence), code: reason, count: 12 });
  });

  it('MINIMISED: what the strategy keeps', () => {
    expect(describeEntry({ coordinate: 'Migrant.dateOfBirth', action: 'MINIMISED', strategy: 'YEAR', count: 1 })).toMatchObject({
      group: 'minimised',
      headline: 'minimised in 1 value',
      reason: 'Only the year (e.g. "1987") is disclosed: the agreement grants this category in minimised form only for this purpose.',
    });
    expect(describeEntry({ coordinate: 'TravelDocument.number', action: 'MINIMISED', strategy: 'LAST_FOUR', count: 2 }).reason).toContain('last four characters');
  });

  it('statistics: AGGREGATED dimensions and SUPPRESSED cells', () => {
    expect(describeEntry({ coordinate: 'Migrant.nationality', action: 'AGGREGATED', count: 7 })).toMatchObject({
      group: 'statistics',
      headline: 'counted as a dimension in 7 cells',
    });
    expect(describeEntry({ coordinate: 'Query.statistics', action: 'SUPPRESSED', reason: 'BELOW_MIN_CELL_SIZE', count: 3 })).toMatchObject({
      group: 'statistics',
      headline: 'disclosure control',
      reason: "3 cells withheld: fewer than the agreement's minCellSize records.",
    });
    expect(describeEntry({ coordinate: 'Query.statistics', action: 'SUPPRESSED', reason: 'COMPLEMENTARY_SUPPRESSION', count: 1 }).reason).toBe(
      '1 cell withheld: withheld as well, so that the small cells cannot be worked out by subtraction from the total.',
    );
    expect(describeEntry({ coordinate: 'Statistics.total', action: 'SUPPRESSED', reason: 'BELOW_MIN_CELL_SIZE', count: 1 })).toMatchObject({
      headline: 'total withheld',
      reason: "The total is withheld: fewer than the agreement's minCellSize records.",
    });
  });

  it('shows unknown actions and reasons as given rather than dropping them', () => {
    expect(describeEntry({ coordinate: 'Migrant.x', action: 'REDACTED', reason: 'NEW_REASON', count: 1 }).reason).toBe('Withheld (NEW_REASON).');
    expect(describeEntry({ coordinate: 'Migrant.x', action: 'BLURRED', count: 2 })).toMatchObject({ group: 'other', headline: 'blurred in 2 values' });
  });

  it('summarises a report by distinct fields', () => {
    expect(
      summarise({
        fields: [
          { coordinate: 'Migrant.givenName', action: 'DISCLOSED', count: 3 },
          { coordinate: 'Migrant.religion', action: 'REDACTED', reason: 'SPECIAL_CATEGORY_NOT_COVERED', count: 3 },
          { coordinate: 'Migrant.health', action: 'REDACTED', reason: 'CONSENT_MISSING', count: 2 },
          { coordinate: 'Migrant.health', action: 'DISCLOSED', count: 1 },
          { coordinate: 'Migrant.dateOfBirth', action: 'MINIMISED', strategy: 'YEAR', count: 3 },
        ],
      }).line,
    ).toBe('2 fields withheld, 1 minimised, 2 disclosed in full');
    expect(
      summarise({
        fields: [
          { coordinate: 'Migrant.nationality', action: 'AGGREGATED', count: 6 },
          { coordinate: 'Query.statistics', action: 'SUPPRESSED', reason: 'BELOW_MIN_CELL_SIZE', count: 2 },
          { coordinate: 'Query.statistics', action: 'SUPPRESSED', reason: 'COMPLEMENTARY_SUPPRESSION', count: 1 },
        ],
      }).line,
    ).toBe('3 statistics cells withheld');
    expect(summarise({ fields: [] }).line).toBe('no personal fields decided');
  });

  it('describes the errors of a refused request by code', () => {
    expect(
      describeErrors([
        { message: 'The purpose has no grant.', extensions: { code: 'PURPOSE_NOT_GRANTED' } },
        { message: 'Something odd.' },
      ]),
    ).toEqual([
      { code: 'PURPOSE_NOT_GRANTED', sentence: 'The agreement has no grant for this purpose.', message: 'The purpose has no grant.' },
      { code: 'ERROR', sentence: 'The request failed.', message: 'Something odd.' },
    ]);
  });

  it('reads the privacy line of a description, and humanises codes', () => {
    expect(privacyLineOf('Religion or belief.\n\nPrivacy: Special category RELIGION: disclosed only where …')).toBe(
      'Privacy: Special category RELIGION: disclosed only where …',
    );
    expect(privacyLineOf('The party that holds the record.')).toBeNull();
    expect(privacyLineOf(null)).toBeNull();
    expect(humanise('ANTI_TRAFFICKING')).toBe('anti-trafficking');
    expect(humanise('RETURN_AND_READMISSION')).toBe('return and readmission');
  });
});
