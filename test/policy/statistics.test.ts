/**
 * The pure part of statistics: dimension permissions, age bands, merging counted groups,
 * and suppression. Suppression is checked by property on random tables: every small
 * count is withheld, every shown count is exact, and no group of cells whose sum can be
 * published (the table, each row, column, layer ...) has exactly one withheld cell.
 */
import fc from 'fast-check';
import type { FieldPolicy } from '../../src/policy/decide';
import {
  ageBandOf,
  ageBandRange,
  dimensionRefusal,
  MAX_TABLE_CELLS,
  mergeGroups,
  protectTable,
  TableTooLargeError,
} from '../../src/policy/statistics';
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

describe('merging counted groups', () => {
  it('keys absent values as UNKNOWN, adds up groups that fold into one key, sorts', () => {
    expect(
      mergeGroups([
        { key: ['NGA', '30-39'], count: 2 },
        { key: [null, '30-39'], count: 1 },
        { key: ['NGA', '30-39'], count: 3 },
        { key: ['AFG', '0-9'], count: 1 },
        { key: ['AFG', null], count: 0 },
      ]),
    ).toEqual([
      { key: ['AFG', '0-9'], count: 1 },
      { key: ['NGA', '30-39'], count: 5 },
      { key: ['UNKNOWN', '30-39'], count: 1 },
    ]);
  });
});

describe('suppression', () => {
  it('withholds the next smallest cell when one withheld cell could be recovered from the total', () => {
    const t = protectTable(
      [
        { key: ['F'], count: 2 },
        { key: ['M'], count: 7 },
        { key: ['X'], count: 5 },
      ],
      1,
      3,
    );
    expect(t.cells).toEqual([
      { key: ['F'], count: null, suppressed: true },
      { key: ['M'], count: 7, suppressed: false },
      { key: ['X'], count: null, suppressed: true },
    ]);
    expect(t).toMatchObject({ total: 14, suppressedCells: 2, primary: 1, complementary: 1 });
  });

  it('withholds zero cells of the completed table, and protects them like small counts', () => {
    const t = protectTable(
      [
        { key: ['ITA', 'F'], count: 10 },
        { key: ['ITA', 'M'], count: 12 },
        { key: ['ESP', 'M'], count: 9 },
      ],
      2,
      3,
    );
    // ESP|F is a zero: withheld, and ESP|M (the only other cell of its row) with it, then ITA
    // (the column F has one withheld cell, ESP|F: ITA|F joins; the column M has ESP|M: ITA|M joins).
    expect(t.cells.map((c) => [c.key.join('|'), c.count])).toEqual([
      ['ESP|F', null],
      ['ESP|M', null],
      ['ITA|F', null],
      ['ITA|M', null],
    ]);
    expect(t.total).toBe(31);
  });

  it('refuses a table larger than the cell limit', () => {
    const observed = Array.from({ length: 400 }, (_, i) => ({ key: [`a${i}`, `b${i}`], count: 5 }));
    expect(() => protectTable(observed, 2, 3)).toThrow(TableTooLargeError);
    expect(400 * 400).toBeGreaterThan(MAX_TABLE_CELLS);
  });

  const tableArb = fc
    .record({
      dimensions: fc.integer({ min: 1, max: 3 }),
      minCellSize: fc.integer({ min: 1, max: 6 }),
      domain: fc.integer({ min: 1, max: 4 }),
    })
    .chain(({ dimensions, minCellSize, domain }) =>
      fc.record({
        dimensions: fc.constant(dimensions),
        minCellSize: fc.constant(minCellSize),
        cells: fc.uniqueArray(
          fc.record({
            key: fc.array(fc.integer({ min: 0, max: domain - 1 }).map((v) => `v${v}`), { minLength: dimensions, maxLength: dimensions }),
            count: fc.integer({ min: 1, max: 12 }),
          }),
          { selector: (c) => c.key.join('|'), maxLength: 40 },
        ),
        slicePosition: fc.integer({ min: -1, max: dimensions - 1 }),
        sliceValue: fc.integer({ min: 0, max: domain - 1 }).map((v) => `v${v}`),
      }),
    );

  it('property: small counts withheld, shown counts exact, no group with exactly one withheld cell', () => {
    fc.assert(
      fc.property(tableArb, ({ dimensions, minCellSize, cells }) => {
        const t = protectTable(cells, dimensions, minCellSize);
        const exact = new Map(cells.map((c) => [c.key.join('|'), c.count]));
        // Complete: the product of the values each position takes.
        const domainSizes = [...Array(dimensions).keys()].map((i) => new Set(cells.map((c) => c.key[i])).size);
        expect(t.cells.length).toBe(cells.length === 0 ? 0 : domainSizes.reduce((a, b) => a * b, 1));
        for (const cell of t.cells) {
          const count = exact.get(cell.key.join('|')) ?? 0;
          if (count < minCellSize) expect(cell.suppressed).toBe(true);
          expect(cell.count).toBe(cell.suppressed ? null : count);
        }
        const total = cells.reduce((sum, c) => sum + c.count, 0);
        expect(t.total).toBe(total >= minCellSize ? total : null);
        expect(t.suppressedCells).toBe(t.cells.filter((c) => c.suppressed).length);
        // Every group of two or more cells sharing the values at some positions.
        for (let mask = 0; mask < (1 << dimensions) - 1; mask++) {
          const groups = new Map<string, boolean[]>();
          for (const cell of t.cells) {
            const id = cell.key.filter((_, i) => (mask & (1 << i)) !== 0).join('|');
            groups.set(id, [...(groups.get(id) ?? []), cell.suppressed]);
          }
          for (const members of groups.values()) {
            if (members.length >= 2) expect(members.filter(Boolean).length).not.toBe(1);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('property: a slice shows exactly what the whole table shows for its cells; its total is withheld with a fully fixed cell', () => {
    fc.assert(
      fc.property(tableArb, ({ dimensions, minCellSize, cells, slicePosition, sliceValue }) => {
        const whole = protectTable(cells, dimensions, minCellSize);
        const slice = [...Array(dimensions).keys()].map((i) => (i === slicePosition ? sliceValue : undefined));
        const part = protectTable(cells, dimensions, minCellSize, { slice });
        const expected = whole.cells.filter((c) => slicePosition < 0 || c.key[slicePosition] === sliceValue);
        expect(part.cells).toEqual(expected);
        const sum = cells.filter((c) => slicePosition < 0 || c.key[slicePosition] === sliceValue).reduce((s, c) => s + c.count, 0);
        const fullyFixed = dimensions === 1 && slicePosition === 0;
        const withheld = sum < minCellSize || (fullyFixed && expected.some((c) => c.suppressed));
        expect(part.total).toBe(withheld ? null : sum);
        // Same question, same answer.
        expect(protectTable(cells, dimensions, minCellSize, { slice })).toEqual(part);
      }),
      { numRuns: 300 },
    );
  });
});
