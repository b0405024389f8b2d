import { minimise } from '../../src/policy/minimise';

describe('minimise', () => {
  it.each<[Parameters<typeof minimise>[0], unknown, string | null]>([
    ['YEAR', new Date('1987-05-12T00:00:00Z'), '1987'],
    ['YEAR', '1987-05-12', '1987'],
    ['YEAR_MONTH', new Date('1987-05-12T00:00:00Z'), '1987-05'],
    ['YEAR_MONTH', '2029-01-31', '2029-01'],
    ['YEAR', 'not a date', null],
    ['YEAR', null, null],
    ['YEAR_MONTH', new Date('invalid'), null],
    ['INITIAL', 'Amara', 'A.'],
    ['INITIAL', '  okafor', 'O.'],
    ['INITIAL', 'Émile', 'É.'],
    ['INITIAL', '𝒜lice', '𝒜.'],
    ['INITIAL', '', null],
    ['INITIAL', '   ', null],
    ['INITIAL', 42, null],
    ['LAST_FOUR', 'A12345678', '****5678'],
    ['LAST_FOUR', 'G0012345', '****2345'],
    ['LAST_FOUR', '12345', '****2345'],
    ['LAST_FOUR', '1234', '****'],
    ['LAST_FOUR', 'AB', '****'],
    ['LAST_FOUR', '', null],
    ['LAST_FOUR', undefined, null],
  ])('%s of %p is %p', (strategy, value, expected) => {
    expect(minimise(strategy, value)).toBe(expected);
  });
});
