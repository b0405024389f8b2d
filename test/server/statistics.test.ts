/**
 * `Query.statistics` on the shared fixture, through real HTTP and the real database:
 * every dimension, the permission rules, primary and complementary suppression (with
 * total and margins), scope, retention and erasure, the privacy report, the audit event,
 * and that counting is one aggregation (no record reaches the gateway).
 *
 * Clock 2025-06-01. Under AGR-MED-TIP-2024 (parties ITA ESP GRC IOM, retention cut-off
 * 2015-06-04) the scope holds m-0001 … m-0011 (m-0012 was recorded in 2012).
 */
import type { CommandStartedEvent } from 'mongodb';
import { AUDIT_EVENTS } from '../../src/data/auditStore';
import { loadFixture, startTestGateway, type TestGateway } from '../support/testGateway';
import { codesOf, dataOf, MED, READMISSION, FAMILY, run, type Ctx } from '../support/fixtureCalls';
import { importWorld } from '../../src/world/importWorld';
import { collectionsOf } from '../../src/data/database';
import { bumpMigrantsVersion } from '../../src/data/dataVersion';

const JUNE_2025 = new Date('2025-06-01T12:00:00Z');

const STATS = `
  query Stats($groupBy: [StatDimension!]!, $filter: StatisticsFilter) {
    statistics(groupBy: $groupBy, filter: $filter) {
      groupBy cells { key count suppressed } total suppressedCells minCellSize
    }
  }`;

interface Table {
  groupBy: string[];
  cells: { key: string[]; count: number | null; suppressed: boolean }[];
  total: number | null;
  suppressedCells: number;
  minCellSize: number;
}

const ANALYST: Ctx = { party: 'IOM', agreementId: MED, purpose: 'STATISTICS' };

async function table(gw: TestGateway, ctx: Ctx, groupBy: string[], filter?: Record<string, unknown>): Promise<Table> {
  const reply = await run(gw, ctx, STATS, { groupBy, ...(filter ? { filter } : {}) });
  return dataOf(reply)['statistics'] as Table;
}

/** `{ "NGA": 5, "AFG": null }` for a one-dimension table; keys joined by `|` otherwise. */
function countsOf(t: Table): Record<string, number | null> {
  return Object.fromEntries(t.cells.map((c) => [c.key.join('|'), c.count]));
}

describe('statistics on the shared fixture, exact counts (minCellSize 1)', () => {
  // A copy of the fixture whose MED-TIP agreement shows every count, to check the counting itself.
  let gw: TestGateway;
  let now = JUNE_2025;
  beforeAll(async () => {
    gw = await startTestGateway({ dbName: 'test_statistics_exact', clock: () => now });
    const world = loadFixture();
    for (const agreement of world['agreements'] as { id: string; minCellSize: number }[]) {
      if (agreement.id === MED) agreement.minCellSize = 1;
    }
    await importWorld(gw.client, gw.db, world, 'small-world-min1.json');
  });
  afterAll(() => gw.close());

  it.each([
    ['NATIONALITY', { AFG: 2, ERI: 1, GIN: 1, MLI: 1, NGA: 5, SYR: 1 }],
    ['SEX', { F: 5, M: 6 }],
    // Ages on 2025-06-01: m-0007 (born 1990-06-01) turns 35 that day; m-0001 (1994-07-12) is still 30.
    ['AGE_BAND', { '0-9': 1, '10-19': 1, '20-29': 4, '30-39': 3, '40-49': 2 }],
    ['LEGAL_STATUS', { ASYLUM_SEEKER: 4, IRREGULAR: 2, REFUGEE: 3, TEMPORARY_PROTECTION: 1, WORKER: 1 }],
    ['ARRIVAL_YEAR', { '2016': 1, '2019': 1, '2020': 2, '2022': 2, '2023': 1, '2024': 2, '2025': 2 }],
    ['HOLDER', { ESP: 3, GRC: 3, ITA: 5 }],
    ['VICTIM_STATUS', { IDENTIFIED_VICTIM: 2, PRESUMED_VICTIM: 2, UNKNOWN: 7 }],
  ])('counts by %s', async (dimension, expected) => {
    const t = await table(gw, ANALYST, [dimension]);
    expect(t.groupBy).toEqual([dimension]);
    expect(countsOf(t)).toEqual(expected);
    expect(t.total).toBe(11);
    expect(t.suppressedCells).toBe(0);
    expect(t.minCellSize).toBe(1);
    // Sorted by key.
    const keys = t.cells.map((c) => c.key[0]!);
    expect(keys).toEqual([...keys].sort());
  });

  it('counts by several dimensions, keys in the order asked', async () => {
    const t = await table(gw, ANALYST, ['HOLDER', 'SEX']);
    expect(countsOf(t)).toEqual({ 'ESP|F': 2, 'ESP|M': 1, 'GRC|F': 1, 'GRC|M': 2, 'ITA|F': 2, 'ITA|M': 3 });
    const swapped = await table(gw, ANALYST, ['SEX', 'HOLDER']);
    expect(countsOf(swapped)['F|ESP']).toBe(2);
    for (const groupBy of [
      ['HOLDER', 'SEX', 'VICTIM_STATUS'],
      ['NATIONALITY', 'AGE_BAND'],
      ['LEGAL_STATUS', 'ARRIVAL_YEAR', 'SEX'],
    ]) {
      const t3 = await table(gw, ANALYST, groupBy);
      expectAgreesWithOracle(t3, groupBy, {});
    }
  });

  it('filters to a slice; a filtered dimension may also be grouped by', async () => {
    expect(countsOf(await table(gw, ANALYST, ['SEX'], { holder: 'ITA' }))).toEqual({ F: 2, M: 3 });
    const cases: [string[], Record<string, string | number>][] = [
      [['HOLDER'], { victimStatus: 'IDENTIFIED_VICTIM' }],
      [['SEX'], { ageBand: '20-29' }],
      [['SEX'], { arrivalYear: 2020 }],
      [['LEGAL_STATUS'], { nationality: 'AFG', sex: 'F' }],
      [['NATIONALITY'], { nationality: 'NGA' }],
    ];
    for (const [groupBy, filter] of cases) expectAgreesWithOracle(await table(gw, ANALYST, groupBy, filter), groupBy, filter);
    // Shown where nothing in the whole table needs protecting.
    expect(countsOf(await table(gw, ANALYST, ['SEX'], { ageBand: '20-29' }))).toEqual({ F: 2, M: 2 });
    const same = await table(gw, ANALYST, ['NATIONALITY'], { nationality: 'NGA' });
    expect(countsOf(same)).toEqual({ NGA: 5 });
    expect(same.total).toBe(5);
    // No dimension: the total alone, as one cell with an empty key.
    const all = await table(gw, ANALYST, []);
    expect(all.cells).toEqual([{ key: [], count: 11, suppressed: false }]);
    expect(all.total).toBe(11);
    // A value that does not occur: no cells, a total of zero (below any threshold).
    const none = await table(gw, ANALYST, ['SEX'], { nationality: 'FRA' });
    expect(none.cells).toEqual([]);
    expect(none.total).toBeNull();
  });

  it('bands ages at the request date: a birthday moves a record into the next band that day', async () => {
    // m-0006 was born 1985-03-15: 39 on 2025-03-14, 40 on 2025-03-15.
    const at = async (day: string) => {
      now = new Date(`${day}T12:00:00Z`);
      try {
        return countsOf(await table(gw, ANALYST, ['AGE_BAND']));
      } finally {
        now = JUNE_2025;
      }
    };
    expect(await at('2025-03-14')).toEqual({ '0-9': 1, '10-19': 1, '20-29': 4, '30-39': 4, '40-49': 1 });
    expect(await at('2025-03-15')).toEqual({ '0-9': 1, '10-19': 1, '20-29': 4, '30-39': 3, '40-49': 2 });
  });
});

// An independent reading of the fixture (no project code): the records in MED-TIP scope on
// 2025-06-01 and each dimension's value, to check the cells that are shown.
type FixtureMigrant = Record<string, unknown> & { id: string; recordedAt: string };
function oracleValue(m: FixtureMigrant, dimension: string): string {
  const text = (v: unknown) => (typeof v === 'string' ? v : 'UNKNOWN');
  switch (dimension) {
    case 'NATIONALITY':
      return text(m['nationality']);
    case 'SEX':
      return text(m['sex']);
    case 'LEGAL_STATUS':
      return text(m['legalStatus']);
    case 'HOLDER':
      return text(m['holder']);
    case 'ARRIVAL_YEAR':
      return typeof m['arrivalDate'] === 'string' ? (m['arrivalDate'] as string).slice(0, 4) : 'UNKNOWN';
    case 'VICTIM_STATUS':
      return text((m['victimStatus'] as { status?: string } | null)?.status);
    case 'AGE_BAND': {
      const [y, mo, d] = (m['dateOfBirth'] as string).split('-').map(Number) as [number, number, number];
      const age = 2025 - y - (mo * 100 + d > 601 ? 1 : 0);
      return age >= 90 ? '90+' : `${age - (age % 10)}-${age - (age % 10) + 9}`;
    }
    default:
      throw new Error(dimension);
  }
}
const FILTER_OF: Record<string, string> = {
  nationality: 'NATIONALITY', sex: 'SEX', ageBand: 'AGE_BAND', legalStatus: 'LEGAL_STATUS',
  arrivalYear: 'ARRIVAL_YEAR', holder: 'HOLDER', victimStatus: 'VICTIM_STATUS',
};
function expectAgreesWithOracle(t: Table, groupBy: string[], filter: Record<string, string | number>): void {
  const inScope = (loadFixture()['migrants'] as FixtureMigrant[]).filter((m) => m.recordedAt >= '2015-06-04');
  const matching = inScope.filter((m) => Object.entries(filter).every(([name, value]) => oracleValue(m, FILTER_OF[name]!) === String(value)));
  const exact = new Map<string, number>();
  for (const m of matching) {
    const key = groupBy.map((d) => oracleValue(m, d)).join('|');
    exact.set(key, (exact.get(key) ?? 0) + 1);
  }
  // Every combination with records is a cell; a shown count is exact; a count below the threshold is withheld.
  const listed = new Set(t.cells.map((c) => c.key.join('|')));
  for (const key of exact.keys()) expect(listed).toContain(key);
  for (const cell of t.cells) {
    const count = exact.get(cell.key.join('|')) ?? 0;
    if (!cell.suppressed) expect(cell.count).toBe(count);
    if (count < t.minCellSize) expect(cell.suppressed).toBe(true);
  }
  expect(t.total).toBe(matching.length >= t.minCellSize ? matching.length : null);
}

describe('statistics with disclosure control (the fixture as it is)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ dbName: 'test_statistics', fixture: true, clock: () => JUNE_2025, monitorCommands: true });
  });
  afterAll(() => gw.close());

  it('suppresses cells below minCellSize (3 under MED-TIP) and shows the total', async () => {
    const t = await table(gw, ANALYST, ['NATIONALITY']);
    expect(t.minCellSize).toBe(3);
    expect(t.cells).toEqual([
      { key: ['AFG'], count: null, suppressed: true },
      { key: ['ERI'], count: null, suppressed: true },
      { key: ['GIN'], count: null, suppressed: true },
      { key: ['MLI'], count: null, suppressed: true },
      { key: ['NGA'], count: 5, suppressed: false },
      { key: ['SYR'], count: null, suppressed: true },
    ]);
    expect(t.total).toBe(11);
    expect(t.suppressedCells).toBe(5);
  });

  it('suppresses the next smallest cell where a single withheld cell could be recovered from the total', async () => {
    // Held by Italy: F 2 (below 3), M 3. With the total of 5 shown, M would give F away.
    const t = await table(gw, ANALYST, ['SEX'], { holder: 'ITA' });
    expect(t.cells).toEqual([
      { key: ['F'], count: null, suppressed: true },
      { key: ['M'], count: null, suppressed: true },
    ]);
    expect(t.total).toBe(5);
    expect(t.suppressedCells).toBe(2);
  });

  it('leaves a table alone where nothing is below the threshold', async () => {
    const t = await table(gw, ANALYST, ['HOLDER']);
    expect(countsOf(t)).toEqual({ ESP: 3, GRC: 3, ITA: 5 });
    expect(t.suppressedCells).toBe(0);
    expect(countsOf(await table(gw, ANALYST, ['SEX']))).toEqual({ F: 5, M: 6 });
  });

  it('protects the margins of a table: no row or column has exactly one withheld cell', async () => {
    const t = await table(gw, ANALYST, ['HOLDER', 'SEX']);
    // Exact: ESP F 2, ESP M 1, GRC F 1, GRC M 2, ITA F 2, ITA M 3: all but ITA|M are below 3,
    // and ITA|M is then the only shown cell of the ITA row: withheld too.
    expect(t.cells.every((c) => c.suppressed && c.count === null)).toBe(true);
    expect(t.total).toBe(11);
    const margins = await table(gw, ANALYST, ['HOLDER']);
    for (const row of ['ESP', 'GRC', 'ITA']) {
      const cells = t.cells.filter((c) => c.key[0] === row);
      expect(cells.filter((c) => c.suppressed).length === 1).toBe(false);
      expect(countsOf(margins)[row]).not.toBeNull();
    }
  });

  it('shows a filtered slice exactly as the whole table withholds it', async () => {
    const whole = await table(gw, ANALYST, ['SEX', 'HOLDER']);
    const slice = await table(gw, ANALYST, ['SEX'], { holder: 'ITA' });
    for (const cell of slice.cells) {
      const inWhole = whole.cells.find((c) => c.key[0] === cell.key[0] && c.key[1] === 'ITA');
      expect(inWhole?.suppressed).toBe(cell.suppressed);
    }
  });

  it('withholds a total below minCellSize, and the total of a fully filtered withheld cell', async () => {
    // Readmission (NGA nationals of ITA and NGA records recorded since 2023-06-02: m-0001..3), minCellSize 5.
    const itaCaseworker: Ctx = { party: 'ITA', agreementId: READMISSION, purpose: 'RETURN_AND_READMISSION' };
    const t = await table(gw, itaCaseworker, ['SEX']);
    expect(t.minCellSize).toBe(5);
    expect(t.cells).toEqual([
      { key: ['F'], count: null, suppressed: true },
      { key: ['M'], count: null, suppressed: true },
    ]);
    expect(t.total).toBeNull();
    // MED-TIP: AFG holds 2 records (withheld); filtering on it must not give them away as a total.
    const afg = await table(gw, ANALYST, [], { nationality: 'AFG' });
    expect(afg.total).toBeNull();
    expect(afg.cells).toEqual([{ key: [], count: null, suppressed: true }]);
    // GRC holds 3 records, shown in the HOLDER table; filtered alone, the total is the same cell.
    const grc = await table(gw, ANALYST, [], { holder: 'GRC' });
    expect(grc.total).toBe(3);
  });

  it('counts only the row scope: retention, subject scope and erasure', async () => {
    // m-0012 (recorded 2012) is past MED-TIP retention: 11 records, not 12.
    expect((await table(gw, ANALYST, ['HOLDER'])).total).toBe(11);
    // An erased record is no longer counted, from the next version of the records: a write
    // made around the gateway is not seen until then (the answers of one version agree).
    await gw.db.collection('migrants').updateOne({ _id: 'm-0010' as never }, { $set: { erasedAt: new Date('2025-05-01') } });
    try {
      expect((await table(gw, ANALYST, ['HOLDER'])).total).toBe(11);
      await bumpMigrantsVersion(collectionsOf(gw.db));
      expect(countsOf(await table(gw, ANALYST, ['HOLDER']))).toEqual({ ESP: 3, GRC: 3, ITA: 4 });
    } finally {
      await gw.db.collection('migrants').updateOne({ _id: 'm-0010' as never }, { $set: { erasedAt: null } });
      await bumpMigrantsVersion(collectionsOf(gw.db));
    }
  });

  it('refuses a dimension the grant does not cover with FILTER_NOT_PERMITTED, naming it', async () => {
    const service: Ctx = { party: 'ITA', agreementId: MED, purpose: 'SERVICE_DELIVERY' };
    // SERVICE_DELIVERY lists HEALTH, not VICTIM_STATUS.
    const victim = await run(gw, service, STATS, { groupBy: ['VICTIM_STATUS'] });
    expect(codesOf(victim)).toEqual(['FILTER_NOT_PERMITTED']);
    expect(victim.body.errors![0]!.message).toMatch(/VICTIM_STATUS.*special category/);
    expect(victim.body.data ?? null).toBeNull();
    // As a filter too.
    const filtered = await run(gw, service, STATS, { groupBy: ['SEX'], filter: { victimStatus: 'IDENTIFIED_VICTIM' } });
    expect(codesOf(filtered)).toEqual(['FILTER_NOT_PERMITTED']);
    expect(filtered.body.errors![0]!.message).toMatch(/^Filtering on VICTIM_STATUS/);
    // RETURN_AND_READMISSION is not a purpose victim status may be used for.
    const readmission = await run(gw, { party: 'ITA', agreementId: READMISSION, purpose: 'RETURN_AND_READMISSION' }, STATS, { groupBy: ['VICTIM_STATUS'] });
    expect(codesOf(readmission)).toEqual(['FILTER_NOT_PERMITTED']);
    expect(readmission.body.errors![0]!.message).toMatch(/purpose/);
    // LAW_ENFORCEMENT under the readmission MoU grants no IMMIGRATION_STATUS: no LEGAL_STATUS, no ARRIVAL_YEAR.
    const police: Ctx = { party: 'NGA', agreementId: READMISSION, purpose: 'LAW_ENFORCEMENT' };
    for (const dimension of ['LEGAL_STATUS', 'ARRIVAL_YEAR']) {
      const reply = await run(gw, police, STATS, { groupBy: [dimension] });
      expect(codesOf(reply)).toEqual(['FILTER_NOT_PERMITTED']);
      expect(reply.body.errors![0]!.message).toMatch(/AGGREGATE/);
    }
    // ... but NATIONALITY (FULL) and HOLDER (not personal) are fine.
    expect(dataOf(await run(gw, police, STATS, { groupBy: ['NATIONALITY', 'HOLDER'] }))['statistics']).toBeTruthy();
  });

  it('entitlements list which dimensions statistics may use, and why not', async () => {
    const query = '{ entitlements { statistics { dimension permitted reason } } }';
    const of = async (ctx: Ctx) =>
      Object.fromEntries(
        ((dataOf(await run(gw, ctx, query))['entitlements'] as { statistics: { dimension: string; permitted: boolean; reason: string | null }[] }).statistics).map(
          (e) => [e.dimension, e.permitted ? 'yes' : e.reason],
        ),
      );
    expect(await of(ANALYST)).toEqual({
      NATIONALITY: 'yes', SEX: 'yes', AGE_BAND: 'yes', LEGAL_STATUS: 'yes', ARRIVAL_YEAR: 'yes', HOLDER: 'yes', VICTIM_STATUS: 'yes',
    });
    expect(await of({ party: 'NGA', agreementId: READMISSION, purpose: 'LAW_ENFORCEMENT' })).toEqual({
      NATIONALITY: 'yes', SEX: 'yes', AGE_BAND: 'yes', LEGAL_STATUS: 'CATEGORY_NOT_GRANTED', ARRIVAL_YEAR: 'CATEGORY_NOT_GRANTED', HOLDER: 'yes',
      VICTIM_STATUS: 'PURPOSE_NOT_ALLOWED_FOR_FIELD',
    });
    expect((await of({ party: 'ITA', agreementId: MED, purpose: 'SERVICE_DELIVERY' }))['VICTIM_STATUS']).toBe('SPECIAL_CATEGORY_NOT_COVERED');
  });

  it('AGGREGATE allows counting and no record read (the grant is aggregate-only)', async () => {
    const rows = await run(gw, ANALYST, '{ migrants(first: 3) { edges { node { nationality sex legalStatus } } } }');
    expect(codesOf(rows)).toEqual(['RECORD_ACCESS_NOT_GRANTED']);
    expect(rows.status).toBe(403);
    const counted = await table(gw, ANALYST, ['NATIONALITY']);
    expect(counted.cells.length).toBeGreaterThan(0);
  });

  it('refuses bad arguments with BAD_USER_INPUT', async () => {
    const cases: [string[], Record<string, unknown> | undefined, RegExp][] = [
      [['SEX', 'SEX'], undefined, /twice/],
      [['SEX', 'HOLDER', 'NATIONALITY', 'AGE_BAND'], undefined, /at most 3/],
      [['SEX', 'HOLDER', 'NATIONALITY'], { legalStatus: 'REFUGEE' }, /at most 3.*4/],
      [['SEX'], { ageBand: '31-40' }, /ageBand/],
      [['SEX'], { ageBand: '90-99' }, /ageBand/],
      [['SEX'], { nationality: 'nga' }, /nationality/],
      [['SEX'], { arrivalYear: 20 }, /arrivalYear/],
      [['SEX'], { holder: '$where' }, /holder/],
    ];
    for (const [groupBy, filter, message] of cases) {
      const reply = await run(gw, ANALYST, STATS, { groupBy, ...(filter ? { filter } : {}) });
      expect(codesOf(reply)).toEqual(['BAD_USER_INPUT']);
      expect(reply.body.errors![0]!.message).toMatch(message);
    }
    // Unknown dimension: GraphQL validation of the enum.
    const unknown = await run(gw, ANALYST, STATS, { groupBy: ['RELIGION'] });
    expect(codesOf(unknown)).toEqual(['BAD_USER_INPUT']);
  });

  it('needs a valid treaty context', async () => {
    const noPurpose = await run(gw, { party: 'IOM', agreementId: MED }, STATS, { groupBy: ['SEX'] });
    expect(codesOf(noPurpose)).toEqual(['PURPOSE_MISSING']);
    const expired = await run(gw, { party: 'IOM', agreementId: FAMILY, purpose: 'FAMILY_REUNIFICATION' }, STATS, { groupBy: ['SEX'] });
    expect(codesOf(expired)).toEqual(['AGREEMENT_NOT_IN_FORCE']);
    const notGranted = await run(gw, { party: 'NGA', agreementId: READMISSION, purpose: 'STATISTICS' }, STATS, { groupBy: ['SEX'] });
    expect(codesOf(notGranted)).toEqual(['PURPOSE_NOT_GRANTED']);
  });

  it('reports the release in extensions.privacy and writes an audit event without subjects', async () => {
    const reply = await run(gw, ANALYST, STATS, { groupBy: ['NATIONALITY', 'VICTIM_STATUS'] });
    dataOf(reply);
    const privacy = reply.body.extensions?.['privacy'] as { fields: { coordinate: string; action: string; reason?: string; count: number }[]; auditId: string };
    const t = (reply.body.data!['statistics'] as Table);
    expect(privacy.fields).toEqual(
      expect.arrayContaining([
        { coordinate: 'Migrant.nationality', action: 'AGGREGATED', count: t.cells.length },
        { coordinate: 'Migrant.victimStatus', action: 'AGGREGATED', count: t.cells.length },
      ]),
    );
    const suppressed = privacy.fields.filter((f) => f.action === 'SUPPRESSED').reduce((sum, f) => sum + f.count, 0);
    expect(suppressed).toBe(t.suppressedCells);
    expect(privacy.fields.some((f) => f.reason === 'BELOW_MIN_CELL_SIZE')).toBe(true);
    const event = await gw.db.collection(AUDIT_EVENTS).findOne({ _id: privacy.auditId as never });
    expect(event).toMatchObject({
      party: 'IOM',
      agreementId: MED,
      purpose: 'STATISTICS',
      outcome: 'DISCLOSED',
      subjectIds: [],
      coordinates: { AGGREGATED: ['Migrant.nationality', 'Migrant.victimStatus'], DISCLOSED: [], MINIMISED: [], REDACTED: [] },
      aggregates: [{ groupBy: ['NATIONALITY', 'VICTIM_STATUS'], filter: {}, cells: t.cells.length, suppressedCells: t.suppressedCells, totalWithheld: false }],
    });
  });

  it('counts with one aggregation in the database, once per version of the records, and reads no record', async () => {
    const commands: CommandStartedEvent[] = [];
    const listener = (event: CommandStartedEvent): void => {
      if (event.commandName === 'find' || event.commandName === 'aggregate') commands.push(event);
    };
    await bumpMigrantsVersion(collectionsOf(gw.db));
    gw.client.on('commandStarted', listener);
    const onMigrants = () => commands.filter((c) => c.command[c.commandName] === 'migrants');
    try {
      const first = dataOf(await run(gw, ANALYST, STATS, { groupBy: ['AGE_BAND', 'SEX'], filter: { holder: 'ITA' } }));
      expect(onMigrants().map((c) => c.commandName)).toEqual(['aggregate']);
      const pipeline = onMigrants()[0]!.command['pipeline'] as Record<string, unknown>[];
      expect(Object.keys(pipeline.at(-1)!)).toEqual(['$group']);
      expect(Object.keys(pipeline[0]!)).toEqual(['$match']);
      // The same version of the records: answered from the counted lattice, the same answer.
      const again = dataOf(await run(gw, ANALYST, STATS, { groupBy: ['AGE_BAND', 'SEX'], filter: { holder: 'ITA' } }));
      dataOf(await run(gw, ANALYST, STATS, { groupBy: ['NATIONALITY'] }));
      expect(onMigrants()).toHaveLength(1);
      expect(again).toEqual(first);
    } finally {
      gw.client.off('commandStarted', listener);
    }
  });
});
