/**
 * GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/) and the HTTP
 * layer's refusals, over real HTTP against a gateway on the shared fixture:
 *
 *  - the `graphql-http` audit suite (`serverAudits`, 1.23.1), each audit a test named by
 *    its id and name, run as an authenticated caller with a valid treaty context: no
 *    MUST fails and no SHOULD warns;
 *  - statuses by media type: under `application/json` (also no Accept, `*` / `*`) a
 *    document that does not parse or validate, an operation that cannot be determined
 *    and variables that do not coerce are 200; under `application/graphql-response+json`
 *    (served as such) they are 400; the contract's own statuses (401, 403, 405, 413, 415,
 *    JSON syntax 400) are the same under both;
 *  - every refusal of the HTTP layer names its cause: a body that is not JSON (where the
 *    parser stopped, no echo, no stack), the method, the media types, the body limit, a
 *    batch, a missing `query`, a GET mutation, the token, Node's parser refusals, ...
 */
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { serverAudits, type AuditResult } from 'graphql-http';
import { signDevToken } from '../../src/dev/devKeys';
import { describeJsonSyntaxError } from '../../src/context/errors';
import { startTestGateway, type TestGateway } from '../support/testGateway';

const JUNE_2025 = new Date('2025-06-01T12:00:00Z');
const MED = { 'x-agreement-id': 'AGR-MED-TIP-2024', 'x-purpose': 'ANTI_TRAFFICKING' };
const JSON_TYPE = 'application/json';
const GRAPHQL_RESPONSE = 'application/graphql-response+json';

let gw: TestGateway;
let token: string;

beforeAll(async () => {
  gw = await startTestGateway({ dbName: 'test_graphql_over_http', fixture: true, clock: () => JUNE_2025, env: { RATE_LIMIT_PER_MINUTE: '0', BODY_LIMIT: '20kb' } });
  token = await signDevToken({ party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] });
});
afterAll(() => gw?.close());

interface Reply {
  status: number;
  type: string;
  headers: Headers;
  text: string;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } | null;
}

interface Call {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The bearer token; null: none. Default: the ITA caseworker's. */
  token?: string | null;
  /** Send the MED treaty headers (default true). */
  treaty?: boolean;
}

async function call(c: Call): Promise<Reply> {
  const headers: Record<string, string> = {
    ...(c.token === null ? {} : { authorization: `Bearer ${c.token ?? token}` }),
    ...(c.treaty === false ? {} : MED),
    ...c.headers,
  };
  const response = await fetch(`${gw.url}${c.path ?? '/graphql'}`, { method: c.method ?? 'POST', headers, ...(c.body !== undefined ? { body: c.body } : {}) });
  const text = await response.text();
  let body: Reply['body'] = null;
  try {
    body = JSON.parse(text) as Reply['body'];
  } catch {
    body = null;
  }
  return { status: response.status, type: response.headers.get('content-type') ?? '', headers: response.headers, text, body };
}

/** A JSON POST of `payload` with `accept` (undefined: no Accept header). */
function post(payload: unknown, accept?: string, extra: Omit<Call, 'body'> = {}): Promise<Reply> {
  return call({ ...extra, headers: { 'content-type': JSON_TYPE, ...(accept === undefined ? {} : { accept }), ...extra.headers }, body: JSON.stringify(payload) });
}

const codes = (reply: Reply) => (reply.body?.errors ?? []).map((e) => e.extensions?.code);
const message = (reply: Reply) => reply.body?.errors?.[0]?.message ?? `(no error; ${reply.status} ${reply.text.slice(0, 200)})`;

// ---------------------------------------------------------------------------------
// The graphql-http audit suite
// ---------------------------------------------------------------------------------

describe('graphql-http server audits (as an authenticated caller with a valid treaty context)', () => {
  /** Each audit request, with the caller's token and treaty headers added. */
  const fetchFn = (input: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    for (const [name, value] of Object.entries(MED)) headers.set(name, value);
    return fetch(input, { ...init, headers });
  };
  const audits = serverAudits({ url: () => `${gw.url}/graphql`, fetchFn });
  const results: AuditResult[] = [];

  afterAll(() => {
    const count = (status: string) => results.filter((r) => r.status === status).length;
    const lines = results.map((r) => `${r.status.padEnd(6)} ${r.id} ${r.name}${r.status === 'ok' ? '' : ` -- ${r.reason}`}`);
    process.stdout.write(
      `\ngraphql-http ${audits.length} server audits: ${count('ok')} ok, ${count('notice')} notice, ${count('warn')} warn, ${count('error')} error\n${lines.join('\n')}\n`,
    );
  });

  it('has the full suite of graphql-http 1.23.1', () => {
    expect(audits.length).toBeGreaterThanOrEqual(60);
    expect(new Set(audits.map((a) => a.id)).size).toBe(audits.length);
  });

  it.each(audits.map((audit) => [`${audit.id} ${audit.name}`, audit] as const))('%s', async (_title, audit) => {
    const result = await audit.fn();
    results.push(result);
    // A MUST that fails is an error, a SHOULD a warning: neither is allowed. A MAY may fail (a notice).
    const verdict = result.status === 'ok' || result.status === 'notice' ? 'passes' : `${result.status}: ${result.reason}`;
    expect(`${audit.id} ${audit.name}: ${verdict}`).toBe(`${audit.id} ${audit.name}: passes`);
  });
});

// ---------------------------------------------------------------------------------
// Statuses by media type
// ---------------------------------------------------------------------------------

describe('statuses by media type (GraphQL over HTTP)', () => {
  const DOCUMENT_ERRORS: { name: string; payload: unknown; code: string; message: RegExp }[] = [
    { name: 'a document that does not parse', payload: { query: '{ me { party }' }, code: 'BAD_USER_INPUT', message: /Syntax Error: Expected Name, found <EOF>/ },
    { name: 'a document that does not validate', payload: { query: '{ me { nope } }' }, code: 'BAD_USER_INPUT', message: /Cannot query field "nope" on type "Caller"|Cannot query field "nope"/ },
    { name: 'variables that do not coerce', payload: { query: 'query($n: Int!) { migrants(first: $n) { totalCount } }', variables: { n: 'ten' } }, code: 'BAD_USER_INPUT', message: /Variable "\$n" got invalid value "ten"/ },
    { name: 'a missing non-null variable', payload: { query: 'query($id: ID!) { migrant(id: $id) { id } }', variables: { id: null } }, code: 'BAD_USER_INPUT', message: /Variable "\$id" of non-null type "ID!" must not be null/ },
    { name: 'a document past an operation limit (a validation rule)', payload: { query: `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: me { sub }`).join(' ')} }` }, code: 'QUERY_TOO_COMPLEX', message: /Aliases limit of 30 exceeded, found 31/ },
    { name: 'an operation that cannot be determined', payload: { query: 'query A { me { party } } query B { me { sub } }' }, code: 'BAD_USER_INPUT', message: /2 operations \(A, B\): set `operationName`/ },
    { name: 'an unknown operationName', payload: { query: 'query A { me { party } }', operationName: 'C' }, code: 'BAD_USER_INPUT', message: /no operation named "C"; its operations are A/ },
  ];

  describe.each(DOCUMENT_ERRORS)('$name', ({ payload, code, message: expected }) => {
    it.each([
      ['Accept: application/json', JSON_TYPE],
      ['no Accept header', undefined],
      ['Accept: */*', '*/*'],
      ['application/json listed first', `${JSON_TYPE}, ${GRAPHQL_RESPONSE}`],
    ])('%s: HTTP 200, application/json, no data', async (_label, accept) => {
      const reply = await post(payload, accept);
      expect([reply.status, reply.type, codes(reply)]).toEqual([200, `${JSON_TYPE}; charset=utf-8`, [code]]);
      expect(message(reply)).toMatch(expected);
      expect(reply.body).not.toHaveProperty('data');
    });

    it.each([
      ['Accept: application/graphql-response+json', GRAPHQL_RESPONSE],
      ['the recommended Accept (graphql-response+json, application/json;q=0.9)', `${GRAPHQL_RESPONSE}, ${JSON_TYPE};q=0.9`],
    ])('%s: HTTP 400, served as application/graphql-response+json, no data', async (_label, accept) => {
      const reply = await post(payload, accept);
      expect([reply.status, reply.type, codes(reply)]).toEqual([400, `${GRAPHQL_RESPONSE}; charset=utf-8`, [code]]);
      expect(message(reply)).toMatch(expected);
      expect(reply.body).not.toHaveProperty('data');
    });
  });

  it('the same for GET: a query that does not parse is 200 under application/json, 400 under application/graphql-response+json', async () => {
    const path = `/graphql?query=${encodeURIComponent('{ me {')}`;
    const json = await call({ method: 'GET', path, headers: { accept: JSON_TYPE } });
    expect([json.status, json.type, codes(json)]).toEqual([200, `${JSON_TYPE}; charset=utf-8`, ['BAD_USER_INPUT']]);
    const graphql = await call({ method: 'GET', path, headers: { accept: GRAPHQL_RESPONSE } });
    expect([graphql.status, graphql.type, codes(graphql)]).toEqual([400, `${GRAPHQL_RESPONSE}; charset=utf-8`, ['BAD_USER_INPUT']]);
  });

  it('answers data with 200 in the media type asked for', async () => {
    for (const [accept, type] of [[JSON_TYPE, JSON_TYPE], [GRAPHQL_RESPONSE, GRAPHQL_RESPONSE], [undefined, JSON_TYPE], ['*/*', JSON_TYPE]] as const) {
      const reply = await post({ query: '{ me { party } }' }, accept);
      expect([accept, reply.status, reply.type, reply.body]).toEqual([accept, 200, `${type}; charset=utf-8`, { data: { me: { party: 'ITA' } } }]);
    }
  });

  it('keeps the contract statuses under both media types, and serves each refusal in the media type asked for', async () => {
    for (const [accept, type] of [[JSON_TYPE, JSON_TYPE], [GRAPHQL_RESPONSE, GRAPHQL_RESPONSE]] as const) {
      const checks: [string, Reply, number, string][] = [
        ['no token', await post({ query: '{ me { party } }' }, accept, { token: null }), 401, 'UNAUTHENTICATED'],
        ['treaty refusal', await post({ query: '{ migrants(first: 1) { totalCount } }' }, accept, { headers: { 'x-agreement-id': 'AGR-NOPE' } }), 403, 'AGREEMENT_NOT_FOUND'],
        ['not JSON', await call({ headers: { 'content-type': JSON_TYPE, accept }, body: '{"query": ' }), 400, 'BAD_USER_INPUT'],
        ['batch', await post([{ query: '{ me { party } }' }], accept), 400, 'BAD_USER_INPUT'],
        ['no query', await post({ qeury: '{ me { party } }' }, accept), 400, 'BAD_USER_INPUT'],
        ['text/plain', await call({ headers: { 'content-type': 'text/plain', accept }, body: '{"query":"{ me { party } }"}' }), 415, 'BAD_USER_INPUT'],
        ['too large', await post({ query: '{ me { party } }', variables: { pad: 'x'.repeat(25_000) } }, accept), 413, 'BAD_USER_INPUT'],
        ['PUT', await call({ method: 'PUT', headers: { accept } }), 405, 'BAD_USER_INPUT'],
        ['GET mutation', await call({ method: 'GET', path: `/graphql?query=${encodeURIComponent('mutation { withdrawDataRequest(id: "x") { id } }')}`, headers: { accept } }), 405, 'BAD_USER_INPUT'],
      ];
      for (const [label, reply, status, code] of checks) {
        expect([type, label, reply.status, reply.type, codes(reply)]).toEqual([type, label, status, `${type}; charset=utf-8`, [code]]);
        expect(reply.body).not.toHaveProperty('data');
      }
    }
  });

  it('answers 406 when the Accept header allows neither media type, before execution (other refusals first, in application/json)', async () => {
    // The requesting party of the pending req-0002 (its withdrawal would succeed if it ran).
    const nga = await signDevToken({ party: 'NGA', clearance: 'STANDARD', roles: ['CASEWORKER'] });
    const readmission = { 'x-agreement-id': 'AGR-ITA-NGA-READMISSION-2023', 'x-purpose': 'LAW_ENFORCEMENT' };
    for (const accept of ['text/html', 'multipart/mixed; deferSpec=20220824', 'application/xml, text/plain;q=0.5', 'application/json; charset=utf-16']) {
      const reply = await post({ query: 'mutation { withdrawDataRequest(id: "req-0002") { id } }' }, accept, { token: nga, headers: readmission });
      expect([accept, reply.status, reply.type, codes(reply)]).toEqual([accept, 406, `${JSON_TYPE}; charset=utf-8`, ['BAD_USER_INPUT']]);
      expect(message(reply)).toMatch(/allows neither application\/graphql-response\+json nor application\/json/);
    }
    // The request was refused before execution: req-0002 is still pending.
    const pending = await post({ query: '{ dataRequest(id: "req-0002") { status } }' }, JSON_TYPE, { token: nga, headers: readmission });
    expect(pending.body?.data).toEqual({ dataRequest: { status: 'PENDING' } });
    const unauthenticated = await post({ query: '{ me { party } }' }, 'text/html', { token: null });
    expect([unauthenticated.status, unauthenticated.type]).toEqual([401, `${JSON_TYPE}; charset=utf-8`]);
    const getMutation = await call({ method: 'GET', path: `/graphql?query=${encodeURIComponent('mutation { withdrawDataRequest(id: "x") { id } }')}`, headers: { accept: 'text/html' } });
    expect(getMutation.status).toBe(405);
  });

  it('automatic persisted queries: an unknown hash is 200 under application/json (the protocol signal), 404 under application/graphql-response+json', async () => {
    const unknown = { extensions: { persistedQuery: { version: 1, sha256Hash: 'e'.repeat(64) } } };
    const json = await post(unknown, JSON_TYPE);
    expect([json.status, json.body]).toEqual([200, { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'BAD_USER_INPUT' } }] }]);
    const graphql = await post(unknown, GRAPHQL_RESPONSE);
    expect([graphql.status, graphql.type, graphql.body]).toEqual([404, `${GRAPHQL_RESPONSE}; charset=utf-8`, { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'BAD_USER_INPUT' } }] }]);
  });
});

// ---------------------------------------------------------------------------------
// Every refusal names its cause
// ---------------------------------------------------------------------------------

describe('a body that is not JSON: 400 BAD_USER_INPUT naming where the parser stopped', () => {
  it.each([
    ['a trailing comma', '{"query": "{ me }", }', 'Expected double-quoted property name at position 20 (line 1, column 21)'],
    ['a value missing', '{"query": }', 'Unexpected token } at position 10 (line 1, column 11)'],
    ['the issue example', '{"query": "x",  }', 'Expected double-quoted property name at position 16 (line 1, column 17)'],
    ['a body cut short', '{"query":', 'Unexpected end of JSON input at position 9 (line 1, column 10)'],
    ['an unterminated string', '{"query": "{ me', 'Unterminated string at position 15 (line 1, column 16)'],
    ['single quotes', "{'query': '{ me { party } }'}", "Expected property name or '}' at position 1 (line 1, column 2)"],
    ['text after the value', '{"query": "{ me { party } }"} x', 'Unexpected token x at position 30 (line 1, column 31)'],
    ['not JSON at all', 'query { me { party } }', 'Unexpected token q at position 0 (line 1, column 1)'],
    ['a later line', '{\n  "query": "{ me { party } }",\n  "variables": {,\n}', "Expected property name or '}' at position 49 (line 3, column 17)"],
    ['a control character (escaped)', '\u0001{}', 'Unexpected token \\u0001 at position 0 (line 1, column 1)'],
    ['a raw newline in a string', '{"query": "{ me\n{ party } }"}', 'Bad control character in string literal at position 15 (line 1, column 16)'],
  ])('%s', async (_label, body, where) => {
    const reply = await call({ headers: { 'content-type': JSON_TYPE }, body });
    expect([reply.status, codes(reply)]).toEqual([400, ['BAD_USER_INPUT']]);
    expect(message(reply)).toBe(`The request body is not valid JSON: ${where}.`);
  });

  it('never echoes a large body, a stack or the parser internals', async () => {
    const body = `{"query": "${'x'.repeat(10_000)}" oops}`;
    const reply = await call({ headers: { 'content-type': JSON_TYPE }, body });
    expect(reply.status).toBe(400);
    expect(message(reply)).toBe("The request body is not valid JSON: Expected ',' or '}' after property value at position 10013 (line 1, column 10014).");
    expect(reply.text.length).toBeLessThan(300);
    expect(reply.text).not.toMatch(/xxxx|\n\s+at |SyntaxError|JSON\.parse|node_modules|\.ts:\d+/);
  });

  it('takes the position from each of the parser message formats of Node (20 and others), and computes it where the message has none', () => {
    const text = '{"query": "x", }';
    const at = (message: string) => describeJsonSyntaxError(new SyntaxError(message), text);
    // Node 20: a token with a snippet of the input and no position.
    expect(at(`Unexpected token '}', "${text}" is not valid JSON`)).toBe('Unexpected token } at position 15 (line 1, column 16)');
    expect(at(`Unexpected token '}', ..."query": "x", }"... is not valid JSON`)).toBe('Unexpected token } at position 15 (line 1, column 16)');
    // Node 20: a description and a position.
    expect(at('Expected double-quoted property name in JSON at position 15')).toBe('Expected double-quoted property name at position 15 (line 1, column 16)');
    // Node 22: a position with line and column.
    expect(at('Expected double-quoted property name in JSON at position 15 (line 1 column 16)')).toBe('Expected double-quoted property name at position 15 (line 1, column 16)');
    // Node 18: the token and a position.
    expect(at('Unexpected token } in JSON at position 15')).toBe('Unexpected token } at position 15 (line 1, column 16)');
    // A wording not known here: the position and token come from the text alone, the wording is not repeated.
    expect(at(`Something new about "${text}"`)).toBe('Unexpected token } at position 15 (line 1, column 16)');
    expect(describeJsonSyntaxError(new SyntaxError('Unexpected end of JSON input'), '{"a":')).toBe('Unexpected end of JSON input at position 5 (line 1, column 6)');
    // Line and column count CRLF, CR and LF line ends.
    expect(describeJsonSyntaxError(new SyntaxError('x'), '{\r\n"a":\r1,\n}')).toBe('Unexpected token } at position 11 (line 4, column 1)');
  });
});

describe('every other refusal of the HTTP layer names its cause', () => {
  it('a method other than GET and POST: 405 with Allow, naming the methods allowed', async () => {
    const reply = await call({ method: 'DELETE' });
    expect([reply.status, codes(reply), reply.headers.get('allow')]).toEqual([405, ['BAD_USER_INPUT'], 'GET, POST']);
    expect(message(reply)).toMatch(/"DELETE" is not allowed on \/graphql: send operations with POST, or queries with GET/);
  });

  it('a body that is not application/json: 415, naming the type sent, the type accepted and why (CSRF)', async () => {
    const plain = await call({ headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: '{"query":"{ me { party } }"}' });
    expect([plain.status, codes(plain)]).toEqual([415, ['BAD_USER_INPUT']]);
    expect(message(plain)).toMatch(/must be JSON sent with Content-Type: application\/json; this request has Content-Type "text\/plain;charset=UTF-8"/);
    expect(message(plain)).toMatch(/cross-site request forgery \(CSRF\)/);
    const none = await call({ body: '{"query":"{ me { party } }"}', headers: { 'content-type': '' } });
    expect(none.status).toBe(415);
    expect(message(none)).toMatch(/this request has (no Content-Type|Content-Type "")/);
  });

  it('a charset or content coding the gateway does not read: 415, naming it', async () => {
    const latin1 = await call({ headers: { 'content-type': 'application/json; charset=iso-8859-1' }, body: '{"query":"{ me { party } }"}' });
    expect([latin1.status, codes(latin1)]).toEqual([415, ['BAD_USER_INPUT']]);
    expect(message(latin1)).toMatch(/charset "iso-8859-1" is not supported: send the JSON in UTF-8/);
    const coded = await call({ headers: { 'content-type': JSON_TYPE, 'content-encoding': 'x-lzma' }, body: '{"query":"{ me { party } }"}' });
    expect([coded.status, codes(coded)]).toEqual([415, ['BAD_USER_INPUT']]);
    expect(message(coded)).toMatch(/Content-Encoding "x-lzma" is not supported: send it uncompressed, or compressed with gzip, deflate or br/);
    const corrupt = gzipSync('{"query":"{ me { party } }"}');
    corrupt[12] = corrupt[12]! ^ 0xff;
    const broken = await call({ headers: { 'content-type': JSON_TYPE, 'content-encoding': 'gzip' }, body: corrupt.subarray(0, corrupt.length - 4) });
    expect([broken.status, codes(broken)]).toEqual([400, ['BAD_USER_INPUT']]);
    expect(message(broken)).toMatch(/could not be decompressed as its Content-Encoding header says/);
  });

  it('a body above BODY_LIMIT: 413, naming the limit', async () => {
    const reply = await post({ query: '{ me { party } }', variables: { pad: 'x'.repeat(25_000) } });
    expect([reply.status, codes(reply)]).toEqual([413, ['BAD_USER_INPUT']]);
    expect(message(reply)).toMatch(/^The request body \(\d+ bytes\) is larger than the limit of 20 KB \(20480 bytes\) set by BODY_LIMIT: send a smaller body\.$/);
  });

  it('a batch: 400, saying batches are not supported', async () => {
    const reply = await post([{ query: '{ me { party } }' }, { query: '{ me { sub } }' }]);
    expect([reply.status, codes(reply)]).toEqual([400, ['BAD_USER_INPUT']]);
    expect(message(reply)).toBe('Batched requests (a JSON array of 2 operations) are not supported: send one operation per request, as a JSON object.');
  });

  it('no body, a JSON scalar, no `query` (naming a misspelt member), an empty `query`: 400, each saying so', async () => {
    const empty = await call({ headers: { 'content-type': JSON_TYPE } });
    expect([empty.status, message(empty)]).toEqual([400, expect.stringMatching(/^The POST has no body: send the operation as a JSON object/)]);
    const scalar = await call({ headers: { 'content-type': JSON_TYPE }, body: '42' });
    expect([scalar.status, message(scalar)]).toEqual([400, expect.stringMatching(/must be a JSON object, e\.g\. .*; it is a number\.$/)]);
    const typo = await post({ qeury: '{ me { party } }' });
    expect([typo.status, message(typo)]).toEqual([400, 'The request has no `query`: send the GraphQL document as the `query` member of the JSON body, e.g. {"query": "{ __typename }"}. It has `qeury`, which is not a request parameter (those are query, operationName, variables and extensions).']);
    const blank = await post({ query: '' });
    expect([blank.status, message(blank)]).toEqual([400, expect.stringMatching(/^The `query` is empty/)]);
    const get = await call({ method: 'GET', path: '/graphql?q=%7Bme%7Bparty%7D%7D' });
    expect([get.status, message(get)]).toEqual([400, expect.stringMatching(/as the `query` URL parameter.*It has `q`/)]);
  });

  it('parameters of the wrong type: 400, naming the parameter, its type and the usual mistake', async () => {
    const cases: [unknown, RegExp][] = [
      [{ query: 42 }, /^`query` must be a string: the text of the GraphQL document; it is a number\.$/],
      [{ query: { kind: 'Document', definitions: [] } }, /it is a parsed document \(AST\): send its text/],
      [{ query: '{ me { party } }', operationName: ['A'] }, /^`operationName` must be a string; it is an array\.$/],
      [{ query: '{ me { party } }', variables: '{"n": 1}' }, /^`variables` must be a JSON object; it is a string: send the object itself, not JSON text inside a string\.$/],
      [{ query: '{ me { party } }', extensions: [1] }, /^`extensions` must be a JSON object \(a map of names to values\); it is an array\.$/],
    ];
    for (const [payload, expected] of cases) {
      const reply = await post(payload);
      expect([reply.status, codes(reply)]).toEqual([400, ['BAD_USER_INPUT']]);
      expect(message(reply)).toMatch(expected);
    }
  });

  it('GET: a mutation is 405 naming POST; variables that are not JSON, and a repeated parameter, are 400 naming them', async () => {
    const mutation = await call({ method: 'GET', path: `/graphql?query=${encodeURIComponent('mutation { withdrawDataRequest(id: "x") { id } }')}` });
    expect([mutation.status, codes(mutation), mutation.headers.get('allow')]).toEqual([405, ['BAD_USER_INPUT'], 'POST']);
    expect(message(mutation)).toBe('Only queries may be sent with GET, and this operation is a mutation: send it with POST.');
    const variables = await call({ method: 'GET', path: `/graphql?query=${encodeURIComponent('{ me { party } }')}&variables=${encodeURIComponent('{"n":}')}` });
    expect([variables.status, message(variables)]).toEqual([400, 'The `variables` URL parameter must be a JSON object, and it is not valid JSON: Unexpected token } at position 5 (line 1, column 6).']);
    const twice = await call({ method: 'GET', path: '/graphql?query=%7Bme%7Bparty%7D%7D&query=%7Bme%7Bsub%7D%7D' });
    expect([twice.status, message(twice)]).toEqual([400, 'The `query` URL parameter is given 2 times: give it once.']);
  });

  it('the token: 401 saying whether the header is missing, not a bearer token, or the token is not valid (never why in detail)', async () => {
    const missing = await post({ query: '{ me { party } }' }, undefined, { token: null });
    expect([missing.status, codes(missing), message(missing)]).toEqual([401, ['UNAUTHENTICATED'], 'No Authorization header: send the caller\'s token as "Authorization: Bearer <JWT>".']);
    const basic = await post({ query: '{ me { party } }' }, undefined, { token: null, headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect([basic.status, message(basic)]).toEqual([401, 'The Authorization header is not a bearer token: send "Authorization: Bearer <JWT>".']);
    const empty = await post({ query: '{ me { party } }' }, undefined, { token: null, headers: { authorization: 'Bearer' } });
    expect([empty.status, message(empty)]).toEqual([401, expect.stringMatching(/Bearer scheme but no token/)]);
    const forged = await post({ query: '{ me { party } }' }, undefined, { token: `${token.slice(0, -4)}AAAA` });
    expect([forged.status, message(forged)]).toEqual([401, expect.stringMatching(/^The bearer token is not valid here: its signature, issuer, audience, validity period and claims/)]);
  });

  it('documentId without trusted documents: 400 naming the setting', async () => {
    const reply = await post({ documentId: `sha256:${'a'.repeat(64)}` });
    expect([reply.status, message(reply)]).toEqual([400, expect.stringMatching(/`documentId` needs a gateway with trusted documents \(TRUSTED_DOCUMENTS\)/)]);
  });

  it('a path outside the endpoints: 404 naming the path and the endpoints', async () => {
    const reply = await call({ method: 'GET', path: '/graphq1?query=x' });
    expect([reply.status, codes(reply)]).toEqual([404, ['BAD_USER_INPUT']]);
    expect(message(reply)).toBe('There is nothing at "GET /graphq1": the API is POST /graphql (GET for queries); the other endpoints are GET /explorer, /schema.graphql, /healthz, /readyz and /metrics.');
  });

  /** Sends raw bytes and returns the answer's status line and JSON body. */
  function raw(bytes: string): Promise<{ statusLine: string; body: Reply['body'] }> {
    const { port, hostname } = new URL(gw.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.write(bytes, 'latin1'));
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
      socket.on('error', reject);
      socket.on('close', () => {
        const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
        resolve({ statusLine: answer.split('\r\n')[0]!, body: JSON.parse(body) as Reply['body'] });
      });
    });
  }

  it("Node's HTTP parser refusals: 400 naming the part of the request that is malformed, 431 naming the limit", async () => {
    const method = await raw('G@T /graphql HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(method.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(method.body?.errors?.[0]).toEqual({ message: expect.stringMatching(/^The request method is not a valid HTTP method/), extensions: { code: 'BAD_USER_INPUT' } });
    const header = await raw('GET /graphql HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\n\r\n');
    expect(header.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(header.body?.errors?.[0]?.message).toMatch(/header name or value has a character HTTP does not allow.*Invalid header value char/);
    const length = await raw('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}');
    expect(length.body?.errors?.[0]?.message).toMatch(/Content-Length is not valid/);
    const large = await raw(`GET /graphql HTTP/1.1\r\nHost: x\r\nX-Large: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(large.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(large.body?.errors?.[0]).toEqual({ message: expect.stringMatching(/larger than this server's limit of \d+ bytes/), extensions: { code: 'BAD_USER_INPUT' } });
  });
});
