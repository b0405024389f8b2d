import { parsePartialDate, partialDateRange } from '../../src/policy/partialDate';

describe('PartialDate', () => {
  it.each(['1987', '1987-05', '1987-05-31', '2024-02-29', '0001'])('accepts %s', (value) => {
    expect(parsePartialDate(value)).not.toBeNull();
  });

  it.each(['', '87', '1987-5', '1987-13', '1987-00', '1987-02-30', '2023-02-29', '1987-05-32', '1987-05-01T00:00', ' 1987', '0000'])(
    'rejects %p',
    (value) => {
      expect(parsePartialDate(value)).toBeNull();
    },
  );

  it('covers whole years, months and days', () => {
    const iso = (v: string) => {
      const r = partialDateRange(parsePartialDate(v)!);
      return [r.first.toISOString().slice(0, 10), r.last.toISOString().slice(0, 10)];
    };
    expect(iso('1987')).toEqual(['1987-01-01', '1987-12-31']);
    expect(iso('2024-02')).toEqual(['2024-02-01', '2024-02-29']);
    expect(iso('2023-12')).toEqual(['2023-12-01', '2023-12-31']);
    expect(iso('2023-06-15')).toEqual(['2023-06-15', '2023-06-15']);
  });
});
