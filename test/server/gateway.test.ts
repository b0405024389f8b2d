/**
 * The gateway over real HTTP on the real test database, with the shared fixture:
 * authentication, treaty context refusals, row scope, pseudonyms, paging, endpoints.
 */
import { SignJWT, generateKeyPair, importPKCS8 } from 'jose';
import { DEV_AUDIENCE, DEV_ISSUER, devKeyPem, signDevToken } from '../../src/dev/devKeys';
import { graphql, startTestGateway, type TestGateway } from '../support/testGateway';

const TODAY = new Date('2025-06-01T09:00:00Z');
const MED = { agreementId: 'AGR-MED-TIP-2024', purpose: 'ANTI_TRAFFICKING' };
const PAGE = '{ migrants(first: 50) { totalCount edges { cursor node { id holder { code } givenName } } pageInfo { hasNextPage endCursor } } }';

let tg: TestGateway;
let ita: string;

beforeAll(async () => {
  tg = await startTestGateway({ dbName: 'test_gateway', fixture: true, clock: () => TODAY, env: { MAX_PAGE_SIZE: '100', BODY_LIMIT: '2kb' } });
  ita = await signDevToken({ party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] });
});
afterAll(async () => {
  await tg?.close();
});

type Page = { totalCount: number; edges: { cursor: string; node: { id: string; holder: { code: string }; givenName: string | null } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

describe('authentication over HTTP', () => {
  const base = async (over: Record<string, unknown> = {}, alg = 'RS256') => {
    const key = await importPKCS8(devKeyPem('RS256', 'private'), 'RS256');
    return new SignJWT({ agency: 'A', party: 'ITA', clearance: 'STANDARD', roles: [], ...over })
      .setProtectedHeader({ alg })
      .setSubject('s')
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setExpirationTime('1h')
      .sign(key);
  };

  it.each<[string, () => Promise<string | undefined>]>([
    ['missing', async () => undefined],
    ['expired', async () => signDevToken({ party: 'ITA' }, { expiresIn: Math.floor(Date.now() / 1000) - 120 })],
    [
      'wrong audience',
      async () =>
        new SignJWT({ agency: 'A', party: 'ITA', clearance: 'STANDARD', roles: [] })
          .setProtectedHeader({ alg: 'RS256' })
          .setSubject('s')
          .setIssuer(DEV_ISSUER)
          .setAudience('someone-else')
          .setExpirationTime('1h')
          .sign(await importPKCS8(devKeyPem('RS256', 'private'), 'RS256')),
    ],
    [
      'wrong key',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return new SignJWT({ agency: 'A', party: 'ITA', clearance: 'STANDARD', roles: [] })
          .setProtectedHeader({ alg: 'RS256' })
          .setSubject('s')
          .setIssuer(DEV_ISSUER)
          .setAudience(DEV_AUDIENCE)
          .setExpirationTime('1h')
          .sign(privateKey);
      },
    ],
    [
      'alg none',
      async () => {
        const [, payload] = (await base()).split('.');
        return `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
      },
    ],
  ])('%s token: HTTP 401 UNAUTHENTICATED, no data', async (_name, make) => {
    const token = await make();
    const reply = await graphql(tg.url, { query: PAGE, ...(token ? { token } : {}), ...MED });
    expect(reply.status).toBe(401);
    expect(reply.body.data ?? null).toBeNull();
    expect(reply.body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(JSON.stringify(reply.body)).not.toMatch(/stack|node_modules|\/src\//);
  });
});

describe('treaty context', () => {
  it('me and agreements need only a token', async () => {
    const reply = await graphql(tg.url, { query: '{ me { party clearance roles } agreements { id status parties { code } } }', token: ita });
    expect(reply.status).toBe(200);
    expect(reply.body.data).toEqual({
      me: { party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] },
      agreements: [
        { id: 'AGR-AEGEAN-BORDER-2019', status: 'SUSPENDED', parties: [{ code: 'GRC' }, { code: 'ITA' }] },
        { id: 'AGR-ITA-NGA-READMISSION-2023', status: 'IN_FORCE', parties: [{ code: 'ITA' }, { code: 'NGA' }] },
        { id: 'AGR-MED-TIP-2024', status: 'IN_FORCE', parties: [{ code: 'ITA' }, { code: 'ESP' }, { code: 'GRC' }, { code: 'IOM' }] },
      ],
    });
    const other = await graphql(tg.url, { query: '{ agreement(id: "AGR-ESP-IOM-FAMILY-2020") { id } }', token: ita });
    expect(other.body.data).toEqual({ agreement: null });
  });

  it.each<[string, Record<string, string>, string, string?]>([
    ['no headers', {}, 'AGREEMENT_NOT_FOUND'],
    ['no purpose', { agreementId: 'AGR-MED-TIP-2024' }, 'PURPOSE_MISSING'],
    ['an unknown purpose', { agreementId: 'AGR-MED-TIP-2024', purpose: 'SIGHTSEEING' }, 'BAD_USER_INPUT'],
    ['an unknown agreement', { agreementId: 'AGR-NOPE', purpose: 'ANTI_TRAFFICKING' }, 'AGREEMENT_NOT_FOUND'],
    ['a suspended agreement', { agreementId: 'AGR-AEGEAN-BORDER-2019', purpose: 'BORDER_CONTROL' }, 'AGREEMENT_NOT_IN_FORCE'],
    ['an expired agreement', { agreementId: 'AGR-ESP-IOM-FAMILY-2020', purpose: 'FAMILY_REUNIFICATION' }, 'AGREEMENT_NOT_IN_FORCE', 'ESP'],
    ['a non-party', { agreementId: 'AGR-ESP-IOM-FAMILY-2020', purpose: 'FAMILY_REUNIFICATION' }, 'NOT_A_PARTY'],
    ['a purpose without a grant', { agreementId: 'AGR-MED-TIP-2024', purpose: 'BORDER_CONTROL' }, 'PURPOSE_NOT_GRANTED'],
    ['a pending data request', { ...MED, dataRequestId: 'req-0002' }, 'DATA_REQUEST_INVALID'],
    ['an unknown data request', { ...MED, dataRequestId: 'req-9999' }, 'DATA_REQUEST_INVALID'],
    ['a malformed agreement header', { agreementId: 'AGR 1; drop', purpose: 'ANTI_TRAFFICKING' }, 'AGREEMENT_NOT_FOUND'],
  ])('%s: refused before anything is read', async (_name, headers, code, party = 'ITA') => {
    const token = party === 'ITA' ? ita : await signDevToken({ party });
    const reply = await graphql(tg.url, { query: PAGE, token, ...headers });
    expect(reply.body.data ?? null).toBeNull();
    expect(reply.body.errors?.map((e) => e.extensions?.code)).toEqual([code]);
    // A malformed header is a bad request; a well-formed context that is not valid is refused.
    expect(reply.status).toBe(code === 'BAD_USER_INPUT' ? 400 : 403);
  });
});

describe('records', () => {
  it('returns only records in scope and retention, with pseudonyms', async () => {
    const reply = await graphql(tg.url, { query: PAGE, token: ita, ...MED });
    expect(reply.body.errors).toBeUndefined();
    const page = reply.body.data!['migrants'] as Page;
    // All twelve are held by parties; m-0012 (recorded 2012) is past the 3650-day retention.
    expect(page.totalCount).toBe(11);
    expect(page.edges).toHaveLength(11);
    for (const { node, cursor } of page.edges) {
      expect(node.id).toMatch(/^p_[A-Za-z0-9_-]+$/);
      expect(node.id).not.toMatch(/m-00/);
      expect(cursor).toBe(node.id);
      expect(typeof node.givenName).toBe('string');
    }
    expect(new Set(page.edges.map((e) => e.node.holder.code))).toEqual(new Set(['ITA', 'ESP', 'GRC']));
  });

  it('gives different pseudonyms under different agreements, and resolves only its own', async () => {
    const med = (await graphql(tg.url, { query: PAGE, token: ita, ...MED })).body.data!['migrants'] as Page;
    const readmission = { agreementId: 'AGR-ITA-NGA-READMISSION-2023', purpose: 'RETURN_AND_READMISSION' };
    const ra = (await graphql(tg.url, { query: PAGE, token: ita, ...readmission })).body.data!['migrants'] as Page;
    expect(ra.edges.length).toBeGreaterThan(0);
    const medIds = new Set(med.edges.map((e) => e.node.id));
    for (const e of ra.edges) expect(medIds.has(e.node.id)).toBe(false);

    const one = med.edges[0]!.node.id;
    const found = await graphql(tg.url, { query: 'query($id: ID!) { migrant(id: $id) { id } }', variables: { id: one }, token: ita, ...MED });
    expect(found.body.data).toEqual({ migrant: { id: one } });
    const foreign = await graphql(tg.url, { query: 'query($id: ID!) { migrant(id: $id) { id } }', variables: { id: one }, token: ita, ...readmission });
    expect(foreign.body.data).toEqual({ migrant: null });
    const internal = await graphql(tg.url, { query: '{ migrant(id: "m-0001") { id } }', token: ita, ...MED });
    expect(internal.body.data).toEqual({ migrant: null });
  });

  it('NATIONALS_OF_PARTIES and retention: readmission sees nationals of ITA and NGA recorded in the last 730 days', async () => {
    const readmission = { agreementId: 'AGR-ITA-NGA-READMISSION-2023', purpose: 'RETURN_AND_READMISSION' };
    const page = (await graphql(tg.url, { query: PAGE, token: ita, ...readmission })).body.data!['migrants'] as Page;
    // NGA nationals held by ITA: m-0001, m-0002 (2024), m-0003 (2023-08-15); m-0009 (2022) and
    // m-0010 (2019) are past 730 days; the GHA, GIN, ... nationals are out of scope.
    expect(page.totalCount).toBe(3);
    expect(page.edges.map((e) => e.node.holder.code)).toEqual(['ITA', 'ITA', 'ITA']);
  });

  it('REQUESTED_ONLY: law enforcement sees only subjects of its approved, valid requests', async () => {
    const nga = await signDevToken({ party: 'NGA' });
    const lawEnforcement = { agreementId: 'AGR-ITA-NGA-READMISSION-2023', purpose: 'LAW_ENFORCEMENT' };
    const page = (await graphql(tg.url, { query: PAGE, token: nga, ...lawEnforcement })).body.data!['migrants'] as Page;
    // req-0001 (APPROVED until 2027) names m-0003; req-0002 is PENDING, req-0003 EXPIRED.
    expect(page.totalCount).toBe(1);
    const itaView = (await graphql(tg.url, { query: PAGE, token: ita, ...lawEnforcement })).body.data!['migrants'] as Page;
    expect(itaView.totalCount).toBe(0);
  });

  it('pages with opaque cursors, and refuses a page size above MAX_PAGE_SIZE', async () => {
    const first = (await graphql(tg.url, { query: '{ migrants(first: 4) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }', token: ita, ...MED })).body.data!['migrants'] as Page;
    expect(first.edges).toHaveLength(4);
    expect(first.pageInfo).toEqual({ hasNextPage: true, endCursor: first.edges[3]!.cursor });
    const ids = first.edges.map((e) => e.node.id);
    let after: string | null = first.pageInfo.endCursor;
    while (after) {
      const next = (await graphql(tg.url, {
        query: 'query($after: String) { migrants(first: 4, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }',
        variables: { after },
        token: ita,
        ...MED,
      })).body.data!['migrants'] as Page;
      ids.push(...next.edges.map((e) => e.node.id));
      after = next.pageInfo.hasNextPage ? next.pageInfo.endCursor : null;
    }
    expect(ids).toHaveLength(11);
    expect(new Set(ids).size).toBe(11);

    const tooBig = await graphql(tg.url, { query: '{ migrants(first: 101) { totalCount } }', token: ita, ...MED });
    expect(tooBig.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    const badCursor = await graphql(tg.url, { query: '{ migrants(first: 1, after: "m-0001") { totalCount } }', token: ita, ...MED });
    expect(badCursor.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('lists the data requests of the caller under the agreement, with EXPIRED derived from validUntil', async () => {
    const nga = await signDevToken({ party: 'NGA' });
    const reply = await graphql(tg.url, {
      query: '{ dataRequests(direction: OUTGOING) { id status requestedParty { code } subjects { id } } }',
      token: nga,
      agreementId: 'AGR-ITA-NGA-READMISSION-2023',
      purpose: 'LAW_ENFORCEMENT',
    });
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data).toEqual({
      dataRequests: [
        // Subjects are shown only where in scope: REQUESTED_ONLY covers m-0003 of req-0001.
        { id: 'req-0001', status: 'APPROVED', requestedParty: { code: 'ITA' }, subjects: [{ id: expect.stringMatching(/^p_/) }] },
        { id: 'req-0002', status: 'PENDING', requestedParty: { code: 'ITA' }, subjects: [] },
        { id: 'req-0003', status: 'EXPIRED', requestedParty: { code: 'ITA' }, subjects: [] },
      ],
    });
  });

  it('refuses bad documents with BAD_USER_INPUT and no internals (HTTP 200 as application/json, 400 as application/graphql-response+json)', async () => {
    const reply = await graphql(tg.url, { query: '{ migrants(first: 1) { nope } }', token: ita, ...MED });
    expect(reply.status).toBe(200);
    expect(reply.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(reply.body.data).toBeUndefined();
    const strict = await graphql(tg.url, { query: '{ migrants(first: 1) { nope } }', token: ita, ...MED, headers: { accept: 'application/graphql-response+json' } });
    expect(strict.status).toBe(400);
    expect(strict.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('transparency', () => {
  it('shows each annotated field\'s privacy line in introspection', async () => {
    const reply = await graphql(tg.url, {
      query: '{ __type(name: "Migrant") { fields { name description } } }',
      token: ita,
    });
    const fields = (reply.body.data!['__type'] as { fields: { name: string; description: string }[] }).fields;
    const byName = new Map(fields.map((f) => [f.name, f.description]));
    expect(byName.get('givenName')).toBe(
      'Given name.\n\nPrivacy: Category IDENTITY: FULL: disclosed; MINIMISED: the initial only; AGGREGATE or NONE: null. An approved data request naming the subject raises it to FULL.',
    );
    expect(byName.get('health')).toBe(
      "Health conditions and vulnerabilities.\n\nPrivacy: Special category HEALTH: disclosed only where the grant lists it, to clearance ELEVATED or higher, with the subject's active consent for the purpose; otherwise null.",
    );
    expect(byName.get('victimStatus')).toContain('Privacy: Only for purposes ANTI_TRAFFICKING, SERVICE_DELIVERY, STATISTICS.');
    expect(byName.get('holder')).toBe('The party that holds the record.');
  });

  it('reports decisions compactly in extensions.privacy, and only for operations that read records', async () => {
    const reply = await graphql(tg.url, { query: '{ migrants(first: 100) { edges { node { givenName religion } } } }', token: ita, ...MED });
    expect(reply.body.extensions?.['privacy']).toEqual({
      agreement: 'AGR-MED-TIP-2024',
      purpose: 'ANTI_TRAFFICKING',
      fields: [
        { coordinate: 'Migrant.givenName', action: 'DISCLOSED', count: 11 },
        { coordinate: 'Migrant.religion', action: 'REDACTED', reason: 'SPECIAL_CATEGORY_NOT_COVERED', count: 11 },
      ],
      auditId: expect.stringMatching(/^[0-9a-f-]{36}:\d+$/),
    });
    const me = await graphql(tg.url, { query: '{ me { party } }', token: ita, ...MED });
    expect(me.body.extensions?.['privacy']).toBeUndefined();
  });

  it('validates PartialDate input', async () => {
    const bad = await graphql(tg.url, {
      query: 'query($d: PartialDate) { migrants(filter: { arrivedAfter: $d }) { totalCount } }',
      variables: { d: '2024-02-30' },
      token: ita,
      ...MED,
    });
    expect(bad.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    const good = await graphql(tg.url, { query: '{ migrants(filter: { arrivedAfter: "2024" }) { totalCount } }', token: ita, ...MED });
    // Arrived in 2024 or later: m-0001, m-0002 (2024-11-03), m-0005 (2025-02-17), m-0011 (2025-06-30).
    expect(good.body.data).toEqual({ migrants: { totalCount: 4 } });
  });
});

describe('endpoints', () => {
  it('serves /healthz, /readyz and /metrics, without X-Powered-By', async () => {
    const health = await fetch(`${tg.url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('x-powered-by')).toBeNull();
    expect(await (await fetch(`${tg.url}/readyz`)).json()).toEqual({ status: 'ready' });
    const metrics = await (await fetch(`${tg.url}/metrics`)).text();
    expect(metrics).toContain('treatygate_graphql_requests_total');
    expect(metrics).toMatch(/treatygate_graphql_errors_total\{code="UNAUTHENTICATED"\} \d+/);
  });

  it('answers a body above BODY_LIMIT with HTTP 413', async () => {
    const response = await fetch(`${tg.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ita}` },
      body: JSON.stringify({ query: `{ me { party } } # ${'x'.repeat(4096)}` }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ errors: [{ message: expect.stringMatching(/^The request body \(\d+ bytes\) is larger than the limit of \d+ KB \(\d+ bytes\) set by BODY_LIMIT/), extensions: { code: 'BAD_USER_INPUT' } }] });
  });
});
