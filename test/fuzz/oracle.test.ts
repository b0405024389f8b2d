/**
 * The fuzz oracle has teeth: fed answers that break the contract (no gateway involved),
 * it names each breach; fed good answers, it names none.
 */
import type { FuzzCase } from './cases';
import { judge } from './oracle';
import type { RawRequest, RawResponse } from './rawHttp';

const MED: [string, string][] = [['X-Agreement-Id', 'AGR-MED-TIP-2024'], ['X-Purpose', 'ANTI_TRAFFICKING']];

function post(body: unknown, headers: [string, string][] = [], contentType = 'application/json'): RawRequest {
  return { method: 'POST', target: '/graphql', headers: [['Content-Type', contentType], ['Authorization', 'Bearer x'], ...headers], body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), framing: { kind: 'length' } };
}

function fuzzCase(request: RawRequest, facts: Partial<FuzzCase> = {}): FuzzCase {
  return { family: 'bodies', label: 'oracle test', request, auth: 'valid', context: 'valid', agreement: 'AGR-MED-TIP-2024', purpose: 'ANTI_TRAFFICKING', ...facts };
}

function answer(status: number, body: unknown, headers: Record<string, string> = {}): RawResponse {
  // The gateway's answers carry its security headers (Node's own refusals do not).
  const map = new Map<string, string[]>([['content-type', ['application/json; charset=utf-8']], ['x-content-type-options', ['nosniff']]]);
  for (const [k, v] of Object.entries(headers)) map.set(k.toLowerCase(), [v]);
  return { status, headers: map, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), interim: [], trailing: 0 };
}

const ME = post({ query: '{ me { party } }' });
const STRICT: [string, string][] = [['Accept', 'application/graphql-response+json']];
const GRAPHQL_RESPONSE = { 'Content-Type': 'application/graphql-response+json; charset=utf-8' };
const UNPARSEABLE = post({ query: '{ me { party }' });
const TOO_MANY_ALIASES = post({ query: `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: me { party }`).join(' ')} }` });
const MIGRANTS = post({ query: '{ page: migrants(first: 1) { totalCount } }' }, MED);
const privacy = { agreement: 'AGR-MED-TIP-2024', purpose: 'ANTI_TRAFFICKING', fields: [], auditId: null };
const refusal = (code: string, message = 'No.') => ({ errors: [{ message, extensions: { code } }] });

describe('the fuzz oracle', () => {
  it('accepts contract answers', () => {
    expect(judge(fuzzCase(ME), answer(200, { data: { me: { party: 'ITA' } } })).problems).toEqual([]);
    expect(judge(fuzzCase(MIGRANTS), answer(200, { data: { page: { totalCount: 1 } }, extensions: { privacy } })).problems).toEqual([]);
    expect(judge(fuzzCase(ME, { auth: 'invalid' }), answer(401, refusal('UNAUTHENTICATED'))).problems).toEqual([]);
    expect(judge(fuzzCase(MIGRANTS, { context: 'invalid' }), answer(403, refusal('NOT_A_PARTY'))).problems).toEqual([]);
    expect(judge(fuzzCase(ME), answer(429, refusal('RATE_LIMITED'), { 'Retry-After': '3' })).problems).toEqual([]);
    // GraphQL messages quote what they refuse: text the request itself carried is no leak.
    const echoed = post({ query: 'query($where: String) { me { party } }', variables: { where: 'E11000 Mongo' } });
    expect(judge(fuzzCase(echoed), answer(200, refusal('BAD_USER_INPUT', 'Variable "$where" got invalid value "E11000 Mongo".'))).problems).toEqual([]);
    // The refusal of a body that is not JSON names where the parser stopped, in the gateway's words.
    const notJson = post('{"query": }');
    expect(judge(fuzzCase(notJson), answer(400, refusal('BAD_USER_INPUT', 'The request body is not valid JSON: Unexpected token } at position 10 (line 1, column 11).'))).problems).toEqual([]);
    expect(judge(fuzzCase(notJson), answer(400, refusal('BAD_USER_INPUT', 'The request body is not valid JSON: Unexpected end of JSON input at position 9 (line 1, column 10).'))).problems).toEqual([]);
  });

  it('accepts the statuses and media types of GraphQL over HTTP', () => {
    // A document that does not parse: 200 as application/json (also without Accept), 400 as application/graphql-response+json.
    expect(judge(fuzzCase(UNPARSEABLE), answer(200, refusal('BAD_USER_INPUT', 'Syntax Error: Expected Name, found <EOF>.'))).problems).toEqual([]);
    expect(judge(fuzzCase(post({ query: '{ me { party }' }, [['Accept', '*/*']])), answer(200, refusal('BAD_USER_INPUT'))).problems).toEqual([]);
    expect(judge(fuzzCase(post({ query: '{ me { party }' }, STRICT)), answer(400, refusal('BAD_USER_INPUT'), GRAPHQL_RESPONSE)).problems).toEqual([]);
    // A limit: the same.
    expect(judge(fuzzCase(TOO_MANY_ALIASES), answer(200, refusal('QUERY_TOO_COMPLEX'))).problems).toEqual([]);
    expect(judge(fuzzCase(post({ query: '{ me { party } }' }, STRICT)), answer(400, refusal('QUERY_TOO_COMPLEX'), GRAPHQL_RESPONSE)).problems).toEqual([]);
    // Data in either media type, as the Accept header prefers; contract statuses in either.
    expect(judge(fuzzCase(post({ query: '{ me { party } }' }, [['Accept', 'application/graphql-response+json, application/json;q=0.9']])), answer(200, { data: { me: { party: 'ITA' } } }, GRAPHQL_RESPONSE)).problems).toEqual([]);
    expect(judge(fuzzCase(post({ query: '{ me { party } }' }, STRICT), { auth: 'invalid' }), answer(401, refusal('UNAUTHENTICATED'), GRAPHQL_RESPONSE)).problems).toEqual([]);
    expect(judge(fuzzCase(post({ query: '{ me { party } }' }, [['Accept', 'text/html']])), answer(406, refusal('BAD_USER_INPUT'))).problems).toEqual([]);
    // Node's own refusal cannot negotiate.
    const nodeRefusal: RawResponse = { status: 400, headers: new Map([['content-type', ['application/json; charset=utf-8']]]), body: Buffer.from(JSON.stringify(refusal('BAD_USER_INPUT'))), interim: [], trailing: 0 };
    expect(judge(fuzzCase(post({ query: '{ me { party } }' }, STRICT)), nodeRefusal).problems).toEqual([]);
  });

  it.each([
    ['a 500', fuzzCase(ME), answer(500, refusal('BAD_USER_INPUT')), /status 500 is not allowed/],
    ['a 502 without a body', fuzzCase(ME), answer(502, ''), /status 502 is not allowed/],
    ['INTERNAL_SERVER_ERROR', fuzzCase(ME), answer(200, { data: null, ...refusal('INTERNAL_SERVER_ERROR') }), /INTERNAL_SERVER_ERROR for hostile input/],
    ['a code outside the contract', fuzzCase(ME), answer(400, refusal('GRAPHQL_PARSE_FAILED')), /not a contract code/],
    ['an error without a code', fuzzCase(ME), answer(400, { errors: [{ message: 'x' }] }), /not a contract code/],
    ['a stack trace', fuzzCase(ME), answer(400, refusal('BAD_USER_INPUT', 'Error: x\n    at parse (/work/main/src/server/x.ts:1:2)')), /leaks stack frame/],
    ['a file path', fuzzCase(ME), answer(400, refusal('BAD_USER_INPUT', 'in /work/main/node_modules/graphql/index.js')), /leaks node_modules path/],
    ['a driver message', fuzzCase(ME), answer(400, refusal('BAD_USER_INPUT', 'E11000 duplicate key error collection: migrants')), /leaks duplicate-key error/],
    ['a MongoDB operator', fuzzCase(ME), answer(400, refusal('BAD_USER_INPUT', 'unknown operator: $where')), /leaks MongoDB operator/],
    ['a runtime error', fuzzCase(ME), answer(400, refusal('BAD_USER_INPUT', 'Maximum call stack size exceeded')), /leaks runtime error/],
    ['a stack trace extension', fuzzCase(ME), answer(400, { errors: [{ message: 'x', extensions: { code: 'BAD_USER_INPUT', stacktrace: ['at x'] } }] }), /carry `stacktrace`/],
    ['data without a valid token', fuzzCase(ME, { auth: 'invalid' }), answer(200, { data: { me: { party: 'ITA' } } }), /data without a valid token/],
    ['a treaty refusal before authentication', fuzzCase(MIGRANTS, { auth: 'invalid' }), answer(403, refusal('NOT_A_PARTY')), /authentication must come first/],
    ['401 with another code', fuzzCase(ME, { auth: 'invalid' }), answer(401, refusal('FORBIDDEN')), /401 exactly when UNAUTHENTICATED/],
    ['429 without Retry-After', fuzzCase(ME), answer(429, refusal('RATE_LIMITED')), /429 without Retry-After/],
    ['records under a refused context', fuzzCase(MIGRANTS, { context: 'invalid' }), answer(200, { data: { page: { totalCount: 1 } } }), /answered under a treaty context the contract refuses/],
    ['records without a privacy report', fuzzCase(MIGRANTS), answer(200, { data: { page: { totalCount: 1 } } }), /without extensions.privacy/],
    ['a privacy report of another context', fuzzCase(MIGRANTS), answer(200, { data: { page: { totalCount: 1 } }, extensions: { privacy: { ...privacy, purpose: 'STATISTICS' } } }), /extensions.privacy names/],
    ['data on a 4xx', fuzzCase(ME), answer(400, { data: { me: null }, ...refusal('BAD_USER_INPUT') }), /HTTP 400 with data/],
    ['a batch answered', fuzzCase(post(`[${JSON.stringify({ query: '{ me { party } }' })}]`), { expectStatus: [400, 401] }), answer(200, [{ data: { me: { party: 'ITA' } } }]), /expected one of 400, 401|not a JSON object/],
    ['a mutation over GET', fuzzCase({ method: 'GET', target: `/graphql?query=${encodeURIComponent('mutation { eraseMigrant(id: "x", reason: "y") }')}`, headers: [], body: Buffer.alloc(0), framing: { kind: 'none' } }), answer(200, { data: null, ...refusal('BAD_USER_INPUT') }), /mutation over GET answered 200/],
    ['a text/plain POST that ran', fuzzCase(post({ query: '{ me { party } }' }, [], 'text/plain')), answer(200, { data: { me: { party: 'ITA' } } }), /text\/plain content type was answered 200/],
    ['431 for a small request', fuzzCase(ME), answer(431, ''), /status 431 is not allowed/],
    ['a foreign origin allowed', fuzzCase(post({ query: '{ me { party } }' }, [['Origin', 'https://evil.example']])), answer(200, { data: { me: { party: 'ITA' } } }, { 'Access-Control-Allow-Origin': 'https://evil.example' }), /Access-Control-Allow-Origin/],
    ['no answer', fuzzCase(ME), { ...answer(0, ''), failure: 'connection closed without an answer' }, /no answer/],
    ['a JSON content type that is not JSON', fuzzCase(ME), answer(400, '<html>Bad</html>'), /does not parse/],
    ['runtime JSON wording of its own', fuzzCase(ME), answer(400, refusal('BAD_USER_INPUT', 'Unexpected token } in JSON at position 10')), /leaks runtime error/],
    ['a document that does not parse answered 400 as application/json', fuzzCase(UNPARSEABLE), answer(400, refusal('BAD_USER_INPUT')), /does not parse answered 400; 200 expected for application\/json/],
    ['a document that does not parse answered 200 as application/graphql-response+json', fuzzCase(post({ query: '{ me { party }' }, STRICT)), answer(200, refusal('BAD_USER_INPUT'), GRAPHQL_RESPONSE), /without data answered 200|does not parse answered 200; 400 expected/],
    ['a limit answered 400 as application/json', fuzzCase(TOO_MANY_ALIASES), answer(400, refusal('QUERY_TOO_COMPLEX')), /QUERY_TOO_COMPLEX \(a validation failure\) answered 400; 200 expected/],
    ['application/json for a request preferring application/graphql-response+json', fuzzCase(post({ query: '{ me { party } }' }, STRICT)), answer(200, { data: { me: { party: 'ITA' } } }), /served as application\/json, but the Accept header .* asks for application\/graphql-response\+json/],
    ['application/graphql-response+json for a request without Accept', fuzzCase(ME), answer(200, { data: { me: { party: 'ITA' } } }, GRAPHQL_RESPONSE), /served as application\/graphql-response\+json, but .* asks for application\/json/],
    ['a 200 for an Accept header nothing satisfies', fuzzCase(post({ query: '{ me { party } }' }, [['Accept', 'text/html']])), answer(200, { data: { me: { party: 'ITA' } } }), /406 expected/],
  ])('names %s', (_name, c, response, expected) => {
    expect(judge(c, response).problems.join('\n')).toMatch(expected);
  });

  it('tolerates a non-JSON refusal where only the HTTP layer answers, and counts it', () => {
    const nodeRefusal: RawResponse = { status: 400, headers: new Map([['connection', ['close']]]), body: Buffer.alloc(0), interim: [], trailing: 0 };
    expect(judge(fuzzCase(ME), nodeRefusal)).toEqual({ problems: [], outcome: '400 Node HTTP refusal' });
    const html: RawResponse = { status: 404, headers: new Map([['content-type', ['text/html']]]), body: Buffer.from('Cannot POST /x'), interim: [], trailing: 0 };
    const verdict = judge(fuzzCase(ME), html);
    expect(verdict.nonJson).toContain('404 text/html');
  });
});
