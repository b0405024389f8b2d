/**
 * `disclosureHistory` a page at a time, in the schema tier on the real database: newest first
 * (time, then audit id among events of one instant), cursors that hold only an event's
 * time and audit id, `first` and `after` checked, `totalCount` counted only when
 * selected, and the permission checks as before.
 */
import type { CommandStartedEvent } from 'mongodb';
import { AUDIT_EVENTS } from '../../src/data/auditStore';
import { startSchemaTier, type SchemaTier, type TierCaller } from '../support/schemaTier';
import type { GraphqlReply } from '../support/testGateway';

const MED = { agreementId: 'AGR-MED-TIP-2024', purpose: 'ANTI_TRAFFICKING' };
/** Samuel, held by ITA: the subject whose history is paged. */
const SUBJECT = 'm-0010';
const START = Date.parse('2025-06-01T10:00:00Z');
let now = START;
let tg: SchemaTier;
let samuel: string;
const t: Record<string, TierCaller> = {};
const codes = (reply: GraphqlReply) => reply.body.errors?.map((e) => e.extensions?.code);

const PAGE = `query($m: ID!, $first: Int, $after: String) {
  disclosureHistory(migrantId: $m, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { at party operationName coordinates } }
  }
}`;

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: { at: string; party: string; operationName: string | null; coordinates: string[] } }[];
}

async function history(variables: Record<string, unknown>, token = t['oversight'], query = PAGE): Promise<GraphqlReply> {
  return tg.execute({ query, variables: { m: samuel, ...variables }, caller: token, ...MED });
}

async function page(variables: Record<string, unknown>): Promise<Page> {
  const reply = await history(variables);
  expect(reply.body.errors).toBeUndefined();
  return reply.body.data!['disclosureHistory'] as Page;
}

const decode = (cursor: string): unknown => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
const encode = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** The subject's disclosure events as stored, in the order the history must give them. */
async function storedOrder(): Promise<{ _id: string; at: Date }[]> {
  const events = await tg.db
    .collection<{ _id: string; at: Date }>(AUDIT_EVENTS)
    .find({ subjectIds: SUBJECT, outcome: 'DISCLOSED' }, { projection: { _id: 1, at: 1 } })
    .toArray();
  return events.sort((a, b) => b.at.getTime() - a.at.getTime() || (a._id < b._id ? 1 : a._id > b._id ? -1 : 0));
}

async function read(operationName: string): Promise<void> {
  const reply = await tg.execute({ query: `query ${operationName}($id: ID!) { migrant(id: $id) { id givenName } }`, variables: { id: samuel }, caller: t['ita'], ...MED });
  expect(reply.body.errors).toBeUndefined();
  expect(reply.body.data).toEqual({ migrant: { id: samuel, givenName: 'Samuel' } });
}

beforeAll(async () => {
  tg = await startSchemaTier({
    dbName: 'test_disclosure_history_paging',
    fixture: true,
    clock: () => new Date(now),
    monitorCommands: true,
    env: { RATE_LIMIT_PER_MINUTE: '0' },
  });
  t['ita'] = { party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] };
  t['itaController'] = { party: 'ITA', clearance: 'ELEVATED', roles: ['DATA_CONTROLLER'] };
  t['espController'] = { party: 'ESP', roles: ['DATA_CONTROLLER'] };
  t['oversight'] = { party: 'IOM', roles: ['OVERSIGHT'] };

  // Seven disclosures of Samuel: the page that names him, three reads a minute apart, and
  // three more in one instant (ordered among themselves by audit id).
  const all = await tg.execute({ query: 'query Everyone { migrants(first: 50) { edges { node { id givenName } } } }', caller: t['ita'], ...MED });
  expect(all.body.errors).toBeUndefined();
  samuel = (all.body.data!['migrants'] as { edges: { node: { id: string; givenName: string } }[] }).edges.find((e) => e.node.givenName === 'Samuel')!.node.id;
  for (const name of ['First', 'Second', 'Third']) {
    now += 60_000;
    await read(name);
  }
  now += 60_000;
  for (const name of ['SameA', 'SameB', 'SameC']) await read(name);
  now += 60_000;
  expect(await storedOrder()).toHaveLength(7);
});
afterAll(async () => {
  await tg?.close();
});

describe('paging', () => {
  it('pages 3 + 3 + 1 newest first, each event once, with hasNextPage, endCursor and totalCount', async () => {
    const expected = await storedOrder();
    const pages: Page[] = [];
    let after: string | null = null;
    do {
      const next: Page = await page({ first: 3, after });
      pages.push(next);
      after = next.pageInfo.hasNextPage ? next.pageInfo.endCursor : null;
    } while (after !== null && pages.length < 10);

    expect(pages.map((p) => p.edges.length)).toEqual([3, 3, 1]);
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, false]);
    expect(pages.map((p) => p.totalCount)).toEqual([7, 7, 7]);
    for (const p of pages) expect(p.pageInfo.endCursor).toBe(p.edges.at(-1)!.cursor);

    const edges = pages.flatMap((p) => p.edges);
    const ids = edges.map((e) => (decode(e.cursor) as { id: string }).id);
    expect(new Set(ids).size).toBe(7);
    expect(ids).toEqual(expected.map((e) => e._id));
    expect(edges.map((e) => e.node.at)).toEqual(expected.map((e) => e.at.toISOString()));
    // Newest first: the reads of one instant (in audit-id order), then the earlier ones.
    expect(edges.slice(0, 3).map((e) => e.node.operationName).sort()).toEqual(['SameA', 'SameB', 'SameC']);
    expect(edges.slice(3).map((e) => e.node.operationName)).toEqual(['Third', 'Second', 'First', 'Everyone']);
    expect(edges.every((e) => e.node.party === 'ITA')).toBe(true);
    expect(edges.every((e) => e.node.coordinates.join() === 'Migrant.givenName')).toBe(true);

    // After the last event: an empty last page.
    const end = await page({ first: 3, after: pages[2]!.pageInfo.endCursor });
    expect(end).toEqual({ totalCount: 7, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
  });

  it('a cursor in the middle of one instant continues with the rest of that instant', async () => {
    const whole = await page({});
    expect(whole.edges).toHaveLength(7);
    expect(whole.pageInfo).toEqual({ hasNextPage: false, endCursor: whole.edges[6]!.cursor });
    const rest = await page({ first: 50, after: whole.edges[0]!.cursor });
    expect(rest.edges.map((e) => e.cursor)).toEqual(whole.edges.slice(1).map((e) => e.cursor));
    const two = await page({ first: 2, after: whole.edges[1]!.cursor });
    expect(two.edges.map((e) => e.cursor)).toEqual(whole.edges.slice(2, 4).map((e) => e.cursor));
    expect(two.pageInfo.hasNextPage).toBe(true);
  });

  it('first: 0 returns no edge, says whether there are any, and counts them', async () => {
    expect(await page({ first: 0 })).toEqual({ totalCount: 7, pageInfo: { hasNextPage: true, endCursor: null }, edges: [] });
  });

  it('first defaults to 50 and may be as large as MAX_PAGE_SIZE', async () => {
    expect((await page({})).edges).toHaveLength(7);
    expect((await page({ first: tg.config.maxPageSize })).edges).toHaveLength(7);
  });

  it('first below 0 or above MAX_PAGE_SIZE is BAD_USER_INPUT', async () => {
    for (const first of [-1, tg.config.maxPageSize + 1]) {
      const reply = await history({ first });
      expect(codes(reply)).toEqual(['BAD_USER_INPUT']);
      expect(reply.body.errors![0]!.message).toBe(`\`first\` must be an integer from 0 to ${tg.config.maxPageSize}.`);
      expect(reply.body.data ?? null).toBeNull();
    }
  });

  it('totalCount is counted only when selected', async () => {
    const commandsDuring = async (run: () => Promise<unknown>): Promise<string[]> => {
      const commands: string[] = [];
      const listener = (event: CommandStartedEvent): void => {
        commands.push(`${event.commandName} ${String(event.command[event.commandName])}`);
      };
      tg.client.on('commandStarted', listener);
      try {
        await run();
        return commands;
      } finally {
        tg.client.off('commandStarted', listener);
      }
    };
    const without = await commandsDuring(async () => {
      const reply = await history({ first: 2 }, t['oversight'], 'query($m: ID!, $first: Int) { disclosureHistory(migrantId: $m, first: $first) { edges { cursor } } }');
      expect((reply.body.data!['disclosureHistory'] as Page).edges).toHaveLength(2);
    });
    expect(without).toContain(`find ${AUDIT_EVENTS}`);
    expect(without).not.toContain(`aggregate ${AUDIT_EVENTS}`);
    expect(without).not.toContain(`count ${AUDIT_EVENTS}`);
    const withCount = await commandsDuring(async () => {
      const reply = await history({ first: 0 }, t['oversight'], 'query($m: ID!, $first: Int) { disclosureHistory(migrantId: $m, first: $first) { ...Total } } fragment Total on DisclosureConnection { totalCount }');
      expect(reply.body.data).toEqual({ disclosureHistory: { totalCount: 7 } });
    });
    expect(withCount.some((c) => c === `aggregate ${AUDIT_EVENTS}` || c === `count ${AUDIT_EVENTS}`)).toBe(true);
  });
});

describe('cursors', () => {
  it('hold the event\'s time and audit id only: not the subject\'s internal id, nor their pseudonym', async () => {
    const { edges } = await page({});
    const stored = await storedOrder();
    edges.forEach((edge, i) => {
      expect(edge.cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      const value = decode(edge.cursor);
      expect(value).toEqual({ at: stored[i]!.at.getTime(), id: stored[i]!._id });
      const text = Buffer.from(edge.cursor, 'base64url').toString('utf8');
      for (const secret of [SUBJECT, samuel, 'Samuel']) {
        expect(text).not.toContain(secret);
        expect(edge.cursor).not.toContain(secret);
      }
    });
  });

  it.each<[string, () => string]>([
    ['not base64url', () => 'not a cursor!'],
    ['empty', () => ''],
    ['not JSON', () => encode('at=1')],
    ['JSON of another shape', () => encode([1, 'x'])],
    ['a cursor with a key added', () => encode({ at: START, id: 'c:1', subject: SUBJECT })],
    ['a time that is not a number', () => encode({ at: '2025-06-01T10:00:00Z', id: 'c:1' })],
    ['a time that is not a date', () => encode({ at: 9e15, id: 'c:1' })],
    ['an empty id', () => encode({ at: START, id: '' })],
    ['a cursor of `migrants` (a pseudonym)', () => samuel],
    ['a cursor spelled with padding', () => `${encode({ at: START, id: 'c:1' })}==`],
    ['a cursor cut short', () => encode({ at: START, id: 'c:1' }).slice(0, -3)],
    ['a cursor far too long', () => encode({ at: START, id: 'x'.repeat(1_000) })],
  ])('%s is BAD_USER_INPUT', async (_name, after) => {
    const reply = await history({ first: 3, after: after() });
    expect(codes(reply)).toEqual(['BAD_USER_INPUT']);
    expect(reply.body.errors![0]!.message).toBe('`after` is not a cursor of disclosureHistory.');
    expect(reply.body.data ?? null).toBeNull();
  });

  it('a cursor written by hand only says where to continue: the same subject, the same events', async () => {
    const whole = await page({});
    const third = decode(whole.edges[2]!.cursor) as { at: number; id: string };
    const forged = await page({ after: encode({ at: third.at, id: third.id }) });
    expect(forged.edges.map((e) => e.cursor)).toEqual(whole.edges.slice(3).map((e) => e.cursor));
    // A time after every event: the whole history; before every event: nothing.
    expect((await page({ after: encode({ at: now + 3_600_000, id: 'x' }) })).edges).toHaveLength(7);
    expect((await page({ after: encode({ at: START - 1, id: 'x' }) })).edges).toHaveLength(0);
  });
});

describe('permissions, as before paging', () => {
  it('oversight and the holder\'s data controller may read it; a caseworker and another party\'s controller get FORBIDDEN', async () => {
    const { edges } = await page({ first: 3 });
    const cursor = edges[2]!.cursor;
    const controller = await history({ first: 3, after: cursor }, t['itaController']);
    expect(controller.body.errors).toBeUndefined();
    expect((controller.body.data!['disclosureHistory'] as Page).edges).toHaveLength(3);
    for (const token of [t['ita'], t['espController']]) {
      for (const variables of [{}, { first: 3, after: cursor }, { first: 3, after: 'not a cursor!' }]) {
        const reply = await history(variables, token);
        expect(codes(reply)).toEqual(['FORBIDDEN']);
        expect(reply.body.data ?? null).toBeNull();
      }
    }
  });

  it('an unknown record is BAD_USER_INPUT for oversight and FORBIDDEN for a data controller', async () => {
    const unknown = { m: 'p_notapseudonym', first: 3 };
    expect(codes(await history(unknown, t['oversight']))).toEqual(['BAD_USER_INPUT']);
    expect((await history(unknown, t['oversight'])).body.errors![0]!.message).toBe('No such record under this agreement.');
    expect(codes(await history(unknown, t['itaController']))).toEqual(['FORBIDDEN']);
  });
});
