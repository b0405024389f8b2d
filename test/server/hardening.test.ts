/**
 * Hardening over real HTTP and the real database (issue 7): operation limits at and past
 * each threshold (refused before any database command), batches, body limit, the
 * production switches (introspection, suggestions, development keys, CSRF, GET
 * mutations, CORS, security headers), trusted documents, every bad token, and the
 * per-caller rate limit.
 *
 * A document past an operation limit is refused as a document that fails validation
 * (GraphQL over HTTP: the limits are validation rules): HTTP 200 when the response is
 * application/json, 400 when it is application/graphql-response+json. Every refusal's
 * message names its cause (test/server/graphqlOverHttp.test.ts has the rest).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { MongoClient, type CommandStartedEvent } from 'mongodb';
import { devKeyPem, signDevToken } from '../../src/dev/devKeys';
import { ensureIndexes } from '../../src/data/database';
import { importWorld } from '../../src/world/importWorld';
import { ConfigError, loadConfig } from '../../src/server/config';
import { createGateway } from '../../src/server/createGateway';
import { createLogger } from '../../src/server/logger';
import { loadFixture, serveGateway, startTestGateway, type TestGateway } from '../support/testGateway';
import { execute } from '../../examples/integrator';
import { MeDocument, MigrantsPageDocument } from '../../examples/generated/graphql';

const JUNE_2025 = new Date('2025-06-01T12:00:00Z');
const MED = { 'x-agreement-id': 'AGR-MED-TIP-2024', 'x-purpose': 'ANTI_TRAFFICKING' };
const MANIFEST = join(__dirname, '..', '..', 'examples', 'generated', 'persisted-documents.json');

interface Reply {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: string; path?: string } = {}): Promise<Reply> {
  const response = await fetch(`${url}${init.path ?? '/graphql'}`, {
    method: init.method ?? 'POST',
    headers: init.headers ?? {},
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await response.text();
  let body: Reply['body'] = {};
  try {
    body = JSON.parse(text) as Reply['body'];
  } catch {
    body = { errors: [{ message: `not JSON: ${text.slice(0, 200)}` }] };
  }
  return { status: response.status, headers: response.headers, body };
}

const codes = (reply: Reply) => (reply.body.errors ?? []).map((e) => e.extensions?.code);

function post(url: string, token: string | null, payload: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return send(url, {
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify(payload),
  });
}

describe('operation limits, batches and body limit (checked before any database read)', () => {
  let gw: TestGateway;
  let token: string;
  const commands: string[] = [];
  const listener = (e: CommandStartedEvent): void => {
    if (['hello', 'isMaster', 'ismaster', 'ping', 'endSessions'].includes(e.commandName)) return;
    // The shared rate limit counts every request, refused or not (src/data/rateLimits.ts): not a read of data.
    if (e.command[e.commandName] === 'rateLimits') return;
    commands.push(e.commandName);
  };
  beforeAll(async () => {
    gw = await startTestGateway({
      dbName: 'test_hardening_limits',
      fixture: true,
      clock: () => JUNE_2025,
      monitorCommands: true,
      // The request context reads the agreement and the trust registry through caches that
      // expire after AGREEMENT_CACHE_TTL_MS (5 s) where the server has no change streams (the
      // CI fallback): an expiry during a refused request would be its only command. Keep them
      // for the suite, so the commands seen are the operation's own.
      env: {
        AGREEMENT_CACHE_TTL_MS: '3600000',
        MAX_DEPTH: '10', MAX_ALIASES: '30', MAX_DIRECTIVES: '20', MAX_TOKENS: '400', MAX_COST: '5000', MAX_PAGE_SIZE: '500', BODY_LIMIT: '20kb',
      },
    });
    token = await signDevToken({ party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] });
    gw.client.on('commandStarted', listener);
  });
  afterAll(async () => {
    gw.client.off('commandStarted', listener);
    await gw.close();
  });

  /** Runs `query` and returns the reply and the database commands it caused. */
  async function run(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    commands.length = 0;
    const reply = await post(gw.url, token, { query, variables }, { ...MED, ...headers });
    return { reply, commands: [...commands] };
  }
  const STRICT = { accept: 'application/graphql-response+json' };

  /** `{ migrants(first: 0) { edges { node { family { … id … } } } } }` with `depth` levels in all (cost 1: no records). */
  const deepQuery = (depth: number) => {
    let inner = 'id';
    for (let i = 0; i < depth - 4; i++) inner = `family { ${inner} }`;
    return `{ migrants(first: 0) { edges { node { ${inner} } } } }`;
  };

  it('depth: 10 runs, 11 is QUERY_TOO_COMPLEX with no database command', async () => {
    const at = await run(deepQuery(10));
    expect(at.reply.body.errors).toBeUndefined();
    const past = await run(deepQuery(11));
    expect(past.reply.status).toBe(200);
    expect(codes(past.reply)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(past.reply.body.data).toBeUndefined();
    expect(past.reply.body.errors![0]!.message).toMatch(/depth limit of 10 exceeded, found 11/);
    expect(past.commands).toEqual([]);
    const strict = await run(deepQuery(11), {}, STRICT);
    expect([strict.reply.status, strict.reply.headers.get('content-type'), codes(strict.reply)]).toEqual([400, 'application/graphql-response+json; charset=utf-8', ['QUERY_TOO_COMPLEX']]);
    expect(strict.commands).toEqual([]);
  });

  it('aliases: 30 run, 31 are refused', async () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { sub }`).join(' ')} }`;
    expect((await run(aliases(30))).reply.body.errors).toBeUndefined();
    const past = await run(aliases(31));
    expect(codes(past.reply)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(past.reply.body.errors![0]!.message).toMatch(/Aliases limit of 30 exceeded, found 31/);
    expect(past.commands).toEqual([]);
  });

  it('directives: 20 run, 21 are refused', async () => {
    const directives = (n: number) => `{ me { ${'sub @include(if: true) '.repeat(n)}} }`;
    expect((await run(directives(20))).reply.body.errors).toBeUndefined();
    const past = await run(directives(21));
    expect(codes(past.reply)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(past.commands).toEqual([]);
  });

  it('tokens: a document of 400 tokens runs, 401 are refused', async () => {
    // `{ __typename __typename … }`: 2 braces + n names.
    const tokens = (n: number) => `{ ${'__typename '.repeat(n - 2)}}`;
    expect((await run(tokens(400))).reply.body.errors).toBeUndefined();
    const past = await run(tokens(401));
    expect(codes(past.reply)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(past.reply.body.errors![0]!.message).toMatch(/more than 400 tokens/);
  });

  it('refuses a document nested too deeply to parse (the parser would exhaust the stack) without leaking the runtime error', async () => {
    const bomb = await run(`{ statistics(groupBy: ${'['.repeat(3000)}) { total } }`);
    expect(bomb.reply.status).toBe(200);
    expect((await run(`{ statistics(groupBy: ${'['.repeat(3000)}) { total } }`, {}, STRICT)).reply.status).toBe(400);
    expect(codes(bomb.reply)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(JSON.stringify(bomb.reply.body)).not.toMatch(/stack|Maximum/);
    expect(bomb.commands).toEqual([]);
  });

  it('cost counts list sizes: `first` multiplies, at the limit it runs, past it it is refused', async () => {
    // migrants: 1 + first × (edges: 1 + 1 × (node: 1 + 1 (givenName))) = 1 + 3 × first.
    const page = 'query($n: Int) { migrants(first: $n) { edges { node { givenName } } } }';
    const at = await run(page, { n: 1666 > 500 ? 500 : 1666 });
    expect(at.reply.body.errors).toBeUndefined();
    // 500 records of 4 fields with 3 documents of 2 fields each: 1 + 500 × (1 + 1 + 4 + (1 + 3 × 2)) = 6501 > 5000.
    const heavy = '{ migrants(first: 500) { edges { node { givenName familyName sex nationality documents { number type } } } } }';
    const past = await run(heavy);
    expect(codes(past.reply)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(past.reply.body.errors![0]!.message).toMatch(/costs 6501, more than 5000 \(MAX_COST\)/);
    expect(past.commands).toEqual([]);
    // The same with first: 100 costs 1301: runs.
    expect((await run(heavy.replace('500', '100'))).reply.body.errors).toBeUndefined();
  });

  it('`first` above MAX_PAGE_SIZE (also through a variable) is BAD_USER_INPUT before execution', async () => {
    const past = await run('query($n: Int) { migrants(first: $n) { totalCount } }', { n: 501 });
    expect(past.reply.status).toBe(200);
    expect(codes(past.reply)).toEqual(['BAD_USER_INPUT']);
    expect(past.reply.body.errors![0]!.message).toMatch(/from 0 to 500/);
    expect(past.commands).toEqual([]);
    expect((await run('query($n: Int) { migrants(first: $n) { totalCount } }', { n: 501 }, STRICT)).reply.status).toBe(400);
  });

  it('refuses batched (array) requests', async () => {
    const reply = await post(gw.url, token, [{ query: '{ __typename }' }, { query: '{ __typename }' }], MED);
    expect(reply.status).toBe(400);
    expect(codes(reply)).toEqual(['BAD_USER_INPUT']);
    expect(reply.body.errors![0]!.message).toMatch(/^Batched requests \(a JSON array of 2 operations\) are not supported/);
  });

  it('answers a body above BODY_LIMIT with HTTP 413', async () => {
    const reply = await post(gw.url, token, { query: '{ __typename }', variables: { pad: 'x'.repeat(25_000) } }, MED);
    expect(reply.status).toBe(413);
    expect(codes(reply)).toEqual(['BAD_USER_INPUT']);
    expect(reply.body.errors![0]!.message).toMatch(/larger than the limit of 20 KB \(20480 bytes\) set by BODY_LIMIT/);
  });

  it('refuses settings out of range at start, naming them', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', MAX_DEPTH: '0', MAX_COST: 'lots', RATE_LIMIT_PER_MINUTE: '-1', CORS_ORIGINS: 'https://a.example/path' })).toThrow(ConfigError);
    try {
      loadConfig({ NODE_ENV: 'test', MAX_DEPTH: '0', MAX_COST: 'lots', RATE_LIMIT_PER_MINUTE: '-1', CORS_ORIGINS: 'https://a.example/path' });
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of ['MAX_DEPTH', 'MAX_COST', 'RATE_LIMIT_PER_MINUTE', 'CORS_ORIGINS']) expect(problems).toContain(name);
    }
  });
});

describe('production posture', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dir = mkdtempSync(join(tmpdir(), 'treatygate-prod-'));
  const keyPath = join(dir, 'jwt.pem');
  writeFileSync(keyPath, publicKey.export({ type: 'spki', format: 'pem' }));
  const ISSUER = 'https://idp.ministry.example';
  const AUDIENCE = 'treatygate';

  interface ProdGateway {
    url: string;
    close(): Promise<void>;
  }
  async function startProduction(env: Record<string, string> = {}): Promise<ProdGateway> {
    const uri = process.env['MONGODB_URI']!;
    const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000 });
    const db = client.db('test_hardening_production');
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      MONGODB_URI: uri,
      JWT_PUBLIC_KEY: keyPath,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      JWT_PARTIES: 'ITA,ESP,GRC',
      PSEUDONYM_KEY: randomBytes(32).toString('hex'),
      AUDIT_KEY: randomBytes(32).toString('hex'),
      AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      AUDIT_CHECKPOINT_DIR: mkdtempSync(join(tmpdir(), 'tg-checkpoints-')),
      ...env,
    });
    const gateway = await createGateway({ config, db, logger: createLogger('silent'), clock: () => JUNE_2025 });
    return serveGateway(gateway, client);
  }
  const sign = (claims: Record<string, unknown>, header: { alg: string } = { alg: 'RS256' }) =>
    new SignJWT({ party: 'ITA', agency: 'ITA-POLICE', clearance: 'ELEVATED', roles: ['CASEWORKER'], ...claims })
      .setProtectedHeader(header)
      .setSubject('officer-1')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);

  let prod: ProdGateway;
  let token: string;
  beforeAll(async () => {
    const uri = process.env['MONGODB_URI']!;
    const client = await MongoClient.connect(uri);
    const db = client.db('test_hardening_production');
    await db.dropDatabase();
    await ensureIndexes(db);
    await importWorld(client, db, loadFixture(), 'small-world.json');
    await client.close();
    prod = await startProduction({ CORS_ORIGINS: 'https://caseapp.ministry.example', RATE_LIMIT_PER_MINUTE: '0' });
    token = await sign({});
  });
  afterAll(() => prod.close());

  it('serves queries with a token of the configured key', async () => {
    const reply = await post(prod.url, token, { query: '{ me { party } }' });
    expect(reply.body).toEqual({ data: { me: { party: 'ITA' } } });
  });

  it('refuses introspection, unless INTROSPECTION=true', async () => {
    const reply = await post(prod.url, token, { query: '{ __schema { types { name } } }' });
    expect(codes(reply)).toEqual(['BAD_USER_INPUT']);
    expect(reply.body.data ?? null).toBeNull();
    const open = await startProduction({ INTROSPECTION: 'true' });
    try {
      const allowed = await post(open.url, token, { query: '{ __schema { queryType { name } } }' });
      expect(allowed.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    } finally {
      await open.close();
    }
  });

  it('gives no field suggestions and no schema details in errors', async () => {
    const reply = await post(prod.url, token, { query: '{ migrantz { totalCount } }' }, MED);
    expect(codes(reply)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(reply.body)).not.toMatch(/Did you mean|migrants/);
  });

  it('never accepts a development token', async () => {
    const dev = await new SignJWT({ party: 'ITA', agency: 'X', clearance: 'SPECIAL', roles: [] })
      .setProtectedHeader({ alg: 'RS256' })
      .setSubject('dev')
      .setIssuer('treatygate-dev')
      .setAudience('treatygate')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(await import('jose').then((j) => j.importPKCS8(devKeyPem('RS256', 'private'), 'RS256')));
    const reply = await post(prod.url, dev, { query: '{ me { party } }' });
    expect(reply.status).toBe(401);
    expect(codes(reply)).toEqual(['UNAUTHENTICATED']);
    expect(reply.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('never executes a text/plain, form or multipart POST (CSRF)', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const reply = await send(prod.url, { headers: { 'content-type': type, authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ me { party } }' }) });
      expect(reply.status).toBe(415);
      expect(codes(reply)).toEqual(['BAD_USER_INPUT']);
      expect(reply.body.data).toBeUndefined();
      expect(reply.body.errors![0]!.message).toMatch(/Content-Type: application\/json; this request has Content-Type ".*cross-site request forgery \(CSRF\)/);
    }
  });

  it('runs queries over GET, never mutations', async () => {
    const query = encodeURIComponent('{ me { party } }');
    const get = await send(prod.url, { method: 'GET', path: `/graphql?query=${query}`, headers: { authorization: `Bearer ${token}` } });
    expect(get.body).toEqual({ data: { me: { party: 'ITA' } } });
    const mutation = encodeURIComponent('mutation { withdrawDataRequest(id: "x") { id } }');
    const refused = await send(prod.url, { method: 'GET', path: `/graphql?query=${mutation}`, headers: { authorization: `Bearer ${token}`, ...MED } });
    expect(refused.status).toBe(405);
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.headers.get('allow')).toBe('POST');
    expect(refused.body.errors![0]!.message).toBe('Only queries may be sent with GET, and this operation is a mutation: send it with POST.');
    for (const method of ['PUT', 'DELETE', 'PATCH']) expect((await send(prod.url, { method, headers: { authorization: `Bearer ${token}` } })).status).toBe(405);
  });

  it('allows CORS only for CORS_ORIGINS', async () => {
    const preflight = (origin: string) =>
      fetch(`${prod.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-agreement-id,x-purpose' },
      });
    const allowed = await preflight('https://caseapp.ministry.example');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://caseapp.ministry.example');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/x-agreement-id/);
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const simple = await post(prod.url, token, { query: '{ me { party } }' }, { origin: 'https://evil.example' });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends standard security headers and no X-Powered-By; errors carry no internals', async () => {
    const reply = await post(prod.url, token, { query: '{ me { party } }' });
    expect(reply.headers.get('x-powered-by')).toBeNull();
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
    expect(reply.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(reply.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(reply.headers.get('referrer-policy')).toBe('no-referrer');
    const broken = await send(prod.url, { headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{"query": ' });
    expect(broken.status).toBe(400);
    // The parser's stop is named; no stack frame, path or runtime wording.
    expect(broken.body.errors![0]!.message).toBe('The request body is not valid JSON: Unexpected end of JSON input at position 10 (line 1, column 11).');
    expect(JSON.stringify(broken.body)).not.toMatch(/\bat \S+ \(|\\n\s+at |\/work\/|node_modules|SyntaxError|JSON\.parse|\.[jt]s:\d+/);
  });

  describe('tokens', () => {
    const refuses = async (label: string, bad: string) => {
      const reply = await post(prod.url, bad, { query: '{ me { party } }' });
      expect([label, reply.status, codes(reply)]).toEqual([label, 401, ['UNAUTHENTICATED']]);
    };
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'officer-1', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 3600, party: 'ITA', agency: 'A', clearance: 'SPECIAL', roles: [] };

    it('refuses alg none', async () => {
      await refuses('none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`);
    });

    it('refuses HS256 signed with the public key as the secret (key confusion)', async () => {
      const secret = new TextEncoder().encode(publicKey.export({ type: 'spki', format: 'pem' }) as string);
      const confused = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(secret);
      await refuses('HS256', confused);
    });

    it('refuses a future nbf, a wrong iss, an expired token and a token without party', async () => {
      await refuses('nbf', await new SignJWT({ party: 'ITA', agency: 'A', clearance: 'STANDARD', roles: [] }).setProtectedHeader({ alg: 'RS256' }).setSubject('o').setIssuer(ISSUER).setAudience(AUDIENCE).setNotBefore(now + 3600).setExpirationTime(now + 7200).sign(privateKey));
      await refuses('iss', await new SignJWT({ party: 'ITA', agency: 'A', clearance: 'STANDARD', roles: [] }).setProtectedHeader({ alg: 'RS256' }).setSubject('o').setIssuer('https://other.example').setAudience(AUDIENCE).setExpirationTime('1h').sign(privateKey));
      await refuses('exp', await new SignJWT({ party: 'ITA', agency: 'A', clearance: 'STANDARD', roles: [] }).setProtectedHeader({ alg: 'RS256' }).setSubject('o').setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime(now - 60).sign(privateKey));
      await refuses('party', await new SignJWT({ agency: 'A', clearance: 'STANDARD', roles: [] }).setProtectedHeader({ alg: 'RS256' }).setSubject('o').setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('1h').sign(privateKey));
      // ... and the same token with a party is accepted.
      const good = await sign({});
      expect((await post(prod.url, good, { query: '{ me { party } }' })).status).toBe(200);
    });
  });
});

describe('trusted documents', () => {
  let gw: TestGateway;
  let token: string;
  let manifest: Record<string, string>;
  beforeAll(async () => {
    gw = await startTestGateway({ dbName: 'test_hardening_trusted', fixture: true, clock: () => JUNE_2025, env: { TRUSTED_DOCUMENTS: MANIFEST } });
    token = await signDevToken({ party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] });
    manifest = JSON.parse((await import('node:fs')).readFileSync(MANIFEST, 'utf8')) as Record<string, string>;
  });
  afterAll(() => gw.close());
  const hashOf = (operationName: string) => Object.entries(manifest).find(([, doc]) => doc.startsWith(`query ${operationName}`))![0];

  it('runs a trusted document by documentId', async () => {
    const reply = await post(gw.url, token, { documentId: `sha256:${hashOf('Me')}` });
    expect((reply.body.data as { me: { party: string } }).me.party).toBe('ITA');
  });

  it('runs a trusted document by persistedQuery hash, with or without its text', async () => {
    const hash = hashOf('Me');
    const byHash = await post(gw.url, token, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect((byHash.body.data as { me: { party: string } }).me.party).toBe('ITA');
    const withText = await post(gw.url, token, { query: manifest[hash], extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(withText.body.errors).toBeUndefined();
    // Under the treaty context, with variables: the typed client's page query.
    const page = await post(gw.url, token, { documentId: `sha256:${hashOf('MigrantsPage')}`, variables: { first: 2 } }, MED);
    expect(page.body.errors).toBeUndefined();
    expect(((page.body.data as { migrants: { edges: unknown[] } }).migrants.edges).length).toBe(2);
  });

  it("runs an integrator's generated client unchanged, in both of its send modes", async () => {
    for (const send of ['hash-and-document', 'hash-only'] as const) {
      const me = await execute(MeDocument, {}, { url: `${gw.url}/graphql`, token, send });
      expect(me.data.me.party).toBe('ITA');
      const page = await execute(MigrantsPageDocument, { first: 3 }, { url: `${gw.url}/graphql`, token, agreementId: 'AGR-MED-TIP-2024', purpose: 'ANTI_TRAFFICKING', send });
      expect(page.data.migrants.edges).toHaveLength(3);
      expect(page.privacy?.fields.length).toBeGreaterThan(0);
    }
  });

  it('refuses an unknown hash, a free-form query, and a text that is not the trusted one', async () => {
    const unknown = await post(gw.url, token, { documentId: `sha256:${'0'.repeat(64)}` });
    expect([unknown.status, codes(unknown)]).toEqual([403, ['OPERATION_NOT_TRUSTED']]);
    const unknownApq = await post(gw.url, token, { extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } });
    expect(codes(unknownApq)).toEqual(['OPERATION_NOT_TRUSTED']);
    const free = await post(gw.url, token, { query: '{ me { party } }' });
    expect([free.status, codes(free)]).toEqual([403, ['OPERATION_NOT_TRUSTED']]);
    const swapped = await post(gw.url, token, { query: '{ me { sub } }', extensions: { persistedQuery: { version: 1, sha256Hash: hashOf('Me') } } });
    expect(codes(swapped)).toEqual(['OPERATION_NOT_TRUSTED']);
    const malformed = await post(gw.url, token, { documentId: 'md5:abc' });
    expect(codes(malformed)).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses to start on a manifest whose entry is not the hash of its document, or that cannot be read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'treatygate-trusted-'));
    const bad = join(dir, 'manifest.json');
    writeFileSync(bad, JSON.stringify({ ['a'.repeat(64)]: '{ me { party } }', nothex: '{ me { sub } }' }));
    const start = (path: string) =>
      createGateway({
        config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', MONGODB_URI: process.env['MONGODB_URI']!, TRUSTED_DOCUMENTS: path }),
        db: gw.db,
        logger: createLogger('silent'),
        authenticate: async () => {
          throw new Error('unused');
        },
      });
    await expect(start(bad)).rejects.toThrow(/TRUSTED_DOCUMENTS: the entry a+ is not the SHA-256 of its document\n- TRUSTED_DOCUMENTS: key "nothex" is not a SHA-256 hex digest/);
    await expect(start(join(dir, 'missing.json'))).rejects.toThrow(/TRUSTED_DOCUMENTS: cannot read the manifest \(ENOENT\)/);
  });
});

describe('rate limit per caller', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ dbName: 'test_hardening_rate', env: { RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(() => gw.close());

  it('answers 429 RATE_LIMITED with Retry-After past the limit, per sub, and counts it in /metrics', async () => {
    const alice = await signDevToken({ party: 'ITA', sub: 'alice' });
    const bob = await signDevToken({ party: 'ITA', sub: 'bob' });
    for (let i = 0; i < 3; i++) expect((await post(gw.url, alice, { query: '{ me { sub } }' })).status).toBe(200);
    const limited = await post(gw.url, alice, { query: '{ me { sub } }' });
    expect(limited.status).toBe(429);
    expect(codes(limited)).toEqual(['RATE_LIMITED']);
    expect(limited.body.errors![0]!.message).toMatch(/^Too many requests: at most 3 per minute per caller \(RATE_LIMIT_PER_MINUTE\); retry in \d+ s\.$/);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another caller is not affected.
    expect((await post(gw.url, bob, { query: '{ me { sub } }' })).body).toEqual({ data: { me: { sub: 'bob' } } });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/^treatygate_rate_limited_total 1$/m);
    expect(metrics).toMatch(/treatygate_graphql_errors_total\{code="RATE_LIMITED"\} 1/);
  });

  it('holds across instances: two gateways on one database share each caller\'s count (RATE_LIMIT_STORE=mongodb, the default)', async () => {
    const second = await startTestGateway({ dbName: 'test_hardening_rate', shareDatabase: true, env: { RATE_LIMIT_PER_MINUTE: '3' } });
    const perProcess = [
      await startTestGateway({ dbName: 'test_hardening_rate_memory', env: { RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_STORE: 'memory' } }),
    ];
    perProcess.push(await startTestGateway({ dbName: 'test_hardening_rate_memory', shareDatabase: true, env: { RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_STORE: 'memory' } }));
    try {
      const dave = await signDevToken({ party: 'ITA', sub: 'dave' });
      // Two requests on each instance, alternating, some at once: the fourth overall is refused wherever it lands.
      const statuses = [
        ...(await Promise.all([post(gw.url, dave, { query: '{ me { sub } }' }), post(second.url, dave, { query: '{ me { sub } }' })])).map((r) => r.status),
        (await post(gw.url, dave, { query: '{ me { sub } }' })).status,
        (await post(second.url, dave, { query: '{ me { sub } }' })).status,
        (await post(gw.url, dave, { query: '{ me { sub } }' })).status,
      ];
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      // With the per-process store, each instance counts its own: the limit is had once per instance.
      const erin = await signDevToken({ party: 'ITA', sub: 'erin' });
      const each = [];
      for (let i = 0; i < 3; i++) for (const instance of perProcess) each.push((await post(instance.url, erin, { query: '{ me { sub } }' })).status);
      expect(each).toEqual([200, 200, 200, 200, 200, 200]);
    } finally {
      await second.close();
      for (const instance of perProcess) await instance.close();
    }
  });

  it('is off with RATE_LIMIT_PER_MINUTE=0', async () => {
    const off = await startTestGateway({ dbName: 'test_hardening_rate_off', env: { RATE_LIMIT_PER_MINUTE: '0' } });
    try {
      const carol = await signDevToken({ party: 'ITA', sub: 'carol' });
      for (let i = 0; i < 10; i++) expect((await post(off.url, carol, { query: '{ me { sub } }' })).status).toBe(200);
    } finally {
      await off.close();
    }
  });
});

describe('overload', () => {
  it('past MAX_IN_FLIGHT requests in progress answers 503 SERVICE_UNAVAILABLE at once, with Retry-After; then serves again', async () => {
    const gw = await startTestGateway({ dbName: 'test_hardening_overload', env: { MAX_IN_FLIGHT: '1', RATE_LIMIT_PER_MINUTE: '0' } });
    try {
      const token = await signDevToken({ party: 'ITA' });
      const body = JSON.stringify({ query: '{ me { party } }' });
      // A request whose body arrives slowly stays in progress.
      const { request } = await import('node:http');
      const slow = request(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), authorization: `Bearer ${token}` },
      });
      const slowReply = new Promise<{ status: number; text: string }>((resolve, reject) => {
        slow.on('response', (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        slow.on('error', reject);
      });
      // In progress once the server has its head (the guards run on the head, before the body).
      const arrived = new Promise((resolve) => gw.server.once('request', resolve));
      slow.write(body.slice(0, 5));
      await arrived;
      const shed = await post(gw.url, token, { query: '{ me { party } }' });
      expect(shed.status).toBe(503);
      expect(codes(shed)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(shed.body.errors![0]!.message).toBe('The gateway is at capacity: 1 request is in progress (MAX_IN_FLIGHT); retry in a second.');
      expect(shed.headers.get('retry-after')).toBe('1');
      slow.end(body.slice(5));
      expect(await slowReply).toEqual({ status: 200, text: JSON.stringify({ data: { me: { party: 'ITA' } } }) + '\n' });
      expect((await post(gw.url, token, { query: '{ me { party } }' })).status).toBe(200);
      expect(await (await fetch(`${gw.url}/metrics`)).text()).toMatch(/^treatygate_shed_total 1$/m);
    } finally {
      await gw.close();
    }
  });
});
