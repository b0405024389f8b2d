/**
 * The oracle of the hostile-input corpus: what every answer of `/graphql` must be,
 * whatever was sent (contract sections 1, 5 and 8).
 *
 *  1. An answer came (unless the request itself was cut short or asked to upgrade).
 *  2. The status is one the contract and HTTP allow: 200, 400, 401, 403, 404, 405, 406
 *     (an Accept header nothing satisfies), 413, 415, 429, 503; never 500 or another 5xx. HTTP-layer refusals by Node itself are
 *     allowed where only it can answer: 431 for a request head above its limit, 417 for
 *     an unknown Expect, 204 for an OPTIONS preflight, 408 for a request not received in
 *     time.
 *  3. A JSON answer is a GraphQL response: `errors` a non-empty list of errors, each
 *     with a message and `extensions.code` from the contract's list (INTERNAL_SERVER_ERROR
 *     included in the list, but never the answer to hostile input: it means an unexpected
 *     exception), no `stacktrace`/`exception` extensions; no data on a 4xx/5xx answer;
 *     401 exactly when UNAUTHENTICATED, 429 exactly when RATE_LIMITED (with Retry-After).
 *  4. Nothing leaks: no stack frame, file path, file:line, MongoDB or driver wording,
 *     MongoDB operator or JavaScript runtime error text in a message (or anywhere in a
 *     non-JSON body), unless the request itself contained that text (GraphQL messages
 *     quote what they refuse).
 *  5. Fail closed: without a valid token, no data and no 200; under a treaty context the
 *     contract refuses, no root field beyond the token-only ones (`me`, `agreements`,
 *     `agreement`, `auditIntegrity`, introspection) carries data; under a valid context
 *     whose grant is aggregate-only, none beyond those, `statistics` and `entitlements`
 *     does (records and pseudonyms are refused: RECORD_ACCESS_NOT_GRANTED); and a
 *     response that carries data of a record-reading root field under a valid context has
 *     `extensions.privacy` naming that context's agreement and purpose.
 *  6. No foreign Origin is echoed in Access-Control-Allow-Origin (CORS_ORIGINS is unset).
 *  7. GraphQL over HTTP: the gateway's answer is served in the media type the Accept header
 *     prefers (`application/graphql-response+json` or `application/json`; none or `*` / `*`:
 *     `application/json`; neither acceptable: a refusal in `application/json`, 406 or
 *     earlier). An `application/graphql-response+json` answer without `data` is 4xx/5xx,
 *     an `application/json` one with data is 200. A document refused before execution for
 *     a limit (QUERY_TOO_COMPLEX), and a well-formed request whose document does not parse,
 *     is 200 as `application/json` and 400 as `application/graphql-response+json`. (Node's
 *     own refusals, without the gateway's security headers, cannot negotiate: exempt.)
 *
 * A refusal of a body that is not JSON names where the parser stopped ("Unexpected token }
 * at position 10 (line 1, column 11)"): that report, in the gateway's words, is no leak of
 * runtime wording.
 *
 * A non-JSON body is tolerated (and counted) where the HTTP layer may answer so: an
 * empty body on a Node-level refusal (417), or a HEAD/204 answer. Any other non-JSON
 * answer is a failure (the gateway answers even the refusals of Node's HTTP parser as
 * JSON); FUZZ_STRICT_JSON=0 only counts them instead, listed in the run summary.
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { GraphQLError, Kind, parse, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { ERROR_CODES } from '../../src/context/errors';
import { KNOWN_DOCUMENTS, effectiveHeader, wireHeaders, type FuzzCase } from './cases';
import { headerOf, type RawResponse } from './rawHttp';

/** 406: an Accept header the gateway cannot satisfy. 404 also answers an unknown persisted-query hash as application/graphql-response+json. */
export const ALLOWED_STATUSES = [200, 400, 401, 403, 404, 405, 406, 413, 415, 429, 503] as const;

/** Root fields that need a token but no treaty context (contract section 1). */
const TOKEN_ONLY_FIELDS = new Set(['me', 'agreements', 'agreement', 'auditIntegrity', '__typename', '__schema', '__type']);

/** Root fields an aggregate-only grant answers besides the token-only ones (contract section 5). */
const AGGREGATE_ONLY_FIELDS = new Set(['statistics', 'entitlements']);

/** Node's default limit of a request head (--max-http-header-size). */
const NODE_MAX_HEADER_SIZE = 16 * 1024;

/** Text that must never reach a caller, unless the caller sent it. */
const LEAKS: { name: string; pattern: RegExp }[] = [
  { name: 'stack frame', pattern: /\n\s+at \S|\s{4}at \S+ \(/ },
  { name: 'node_modules path', pattern: /node_modules/ },
  { name: 'file path', pattern: /\/(?:work|home|usr|tmp|opt|srv|root|app)\/[\w.-]+\// },
  { name: 'file:line', pattern: /\.(?:ts|js|mjs|cjs):\d+/ },
  { name: 'MongoDB wording', pattern: /mongo/i },
  { name: 'duplicate-key error', pattern: /E11000/ },
  { name: 'BSON wording', pattern: /\bBSON/ },
  {
    name: 'MongoDB operator',
    pattern: /\$(?:where|ne|eq|gt|gte|lt|lte|in|nin|regex|expr|exists|or|and|not|nor|elemMatch|set|unset|match|group|project|lookup|function|accumulator|jsonSchema|all|size|mod)\b/,
  },
  { name: 'runtime error', pattern: /Maximum call stack|Cannot read propert|is not a function|undefined is not|\b(?:TypeError|RangeError|ReferenceError)\b|Unexpected token|Unexpected end of JSON|out of memory|Invalid string length/i },
];

const JSON_TYPE = 'application/json';
const GRAPHQL_RESPONSE = 'application/graphql-response+json';
type MediaType = typeof JSON_TYPE | typeof GRAPHQL_RESPONSE;

/** The gateway's report of where a body (or URL parameter) stops being JSON; no runtime leak. */
const JSON_SYNTAX_REPORT = / is not valid JSON: (?:Unexpected token (?:\\u[0-9a-f]{4}|\S+)|Unexpected end of JSON input|[A-Z][A-Za-z ',:{}[\]-]*?) at position \d+ \(line \d+, column \d+\)\./g;

export interface Verdict {
  problems: string[];
  /** A short classification for the run summary, e.g. `400 BAD_USER_INPUT`. */
  outcome: string;
  /** Set when the answer was not JSON (tolerated or not). */
  nonJson?: string;
}

interface GraphqlBody {
  data?: unknown;
  errors?: unknown;
  extensions?: { privacy?: { agreement?: unknown; purpose?: unknown; fields?: unknown } } & Record<string, unknown>;
}

/** Judges one answer. */
export function judge(c: FuzzCase, response: RawResponse): Verdict {
  const problems: string[] = [];
  const request = c.request;
  const headBytes = Buffer.byteLength(request.target, 'latin1') + request.headers.reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  const hasExpect = request.headers.some(([n, v]) => n.toLowerCase() === 'expect' && v.trim().toLowerCase() !== '100-continue');
  const upgrade = request.headers.some(([n]) => n.toLowerCase() === 'upgrade');

  // 1. An answer.
  if (response.status === 0) {
    if (request.halfClose || upgrade) return { problems, outcome: 'no answer (request cut short)' };
    return { problems: [`no answer: ${response.failure ?? 'unknown'}`], outcome: 'no answer' };
  }
  if (response.failure) problems.push(`malformed answer: ${response.failure}`);

  // 2. The status.
  const status = response.status;
  const nodeLayer =
    (status === 431 && headBytes > NODE_MAX_HEADER_SIZE - 2_048) ||
    (status === 417 && hasExpect) ||
    (status === 204 && request.method === 'OPTIONS') ||
    // A request not received in full within Node's request timeout (never the gateway's own answer).
    (status === 408 && headerOf(response, 'x-content-type-options') === undefined);
  if (!(ALLOWED_STATUSES as readonly number[]).includes(status) && !nodeLayer) problems.push(`status ${status} is not allowed`);
  if (c.expectStatus && !c.expectStatus.includes(status) && !(nodeLayer && status !== 204)) problems.push(`status ${status}, expected one of ${c.expectStatus.join(', ')} (${c.label})`);
  // CSRF: a POST a browser may send cross-site without a preflight never runs.
  const mediaType = (effectiveHeader(request.headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const simplePost = request.method === 'POST' && ['', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'].includes(mediaType);
  if (simplePost && status === 200) problems.push(`a POST with ${mediaType || 'no'} content type was answered 200 (it must never run)`);

  // 6. CORS.
  const acao = headerOf(response, 'access-control-allow-origin');
  const origin = effectiveHeader(request.headers, 'origin');
  if (acao !== undefined && (acao === '*' || (origin !== undefined && acao === origin))) problems.push(`Access-Control-Allow-Origin ${acao} without CORS_ORIGINS`);
  if (headerOf(response, 'x-powered-by') !== undefined) problems.push('X-Powered-By is sent');

  const echo = requestText(c);
  const leaksIn = (text: string, where: string): void => {
    for (const { name, pattern } of LEAKS) {
      const found = pattern.exec(text);
      if (found && !echo.toLowerCase().includes(found[0].toLowerCase())) problems.push(`${where} leaks ${name}: ${JSON.stringify(context(text, found.index))}`);
    }
  };

  // 3. The body.
  const type = headerOf(response, 'content-type') ?? '';
  const bodyText = response.body.toString('utf8');
  const isJsonType = /^application\/(?:json|graphql-response\+json)\b/i.test(type);
  if (!isJsonType || request.method === 'HEAD') {
    leaksIn(bodyText, 'non-JSON body');
    const emptyNodeRefusal = response.body.length === 0 && (status === 400 || status === 417 || status === 431);
    const bodiless = request.method === 'HEAD' || status === 204;
    if (status === 200 && !bodiless) problems.push(`200 with a non-JSON body (${type || 'no content type'})`);
    if (emptyNodeRefusal || bodiless) return { problems, outcome: `${status} ${bodiless ? 'no body' : 'Node HTTP refusal'}` };
    const nonJson = `${status} ${type || 'no content type'}: ${JSON.stringify(bodyText.slice(0, 80))}`;
    if (process.env['FUZZ_STRICT_JSON'] !== '0') problems.push(`non-JSON answer ${nonJson}`);
    return { problems, outcome: `${status} non-JSON`, nonJson };
  }
  let body: GraphqlBody;
  try {
    body = JSON.parse(bodyText) as GraphqlBody;
  } catch {
    problems.push(`JSON content type but the body does not parse: ${JSON.stringify(bodyText.slice(0, 120))}`);
    return { problems, outcome: `${status} unparseable JSON` };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    problems.push(`the body is not a JSON object: ${bodyText.slice(0, 80)}`);
    return { problems, outcome: `${status} not an object` };
  }
  const codes: string[] = [];
  if (body.errors !== undefined) {
    if (!Array.isArray(body.errors) || body.errors.length === 0) problems.push('`errors` is not a non-empty list');
    else {
      for (const error of body.errors as unknown[]) {
        const e = error as { message?: unknown; extensions?: Record<string, unknown> };
        if (typeof e !== 'object' || e === null || typeof e.message !== 'string') {
          problems.push(`an error without a message: ${JSON.stringify(error).slice(0, 120)}`);
          continue;
        }
        const code = e.extensions?.['code'];
        codes.push(String(code));
        if (typeof code !== 'string' || !(ERROR_CODES as readonly string[]).includes(code)) problems.push(`error code ${JSON.stringify(code)} is not a contract code (message ${JSON.stringify(e.message.slice(0, 100))})`);
        if (code === 'INTERNAL_SERVER_ERROR') problems.push(`INTERNAL_SERVER_ERROR for hostile input (message ${JSON.stringify(e.message.slice(0, 100))})`);
        for (const key of ['stacktrace', 'exception', 'originalError']) if (e.extensions && key in e.extensions) problems.push(`error extensions carry \`${key}\``);
        leaksIn(e.message.replace(JSON_SYNTAX_REPORT, ' is not valid JSON: (where the parser stopped).'), 'error message');
        leaksIn(JSON.stringify(e.extensions ?? {}), 'error extensions');
      }
    }
  }
  const hasData = body.data !== undefined && body.data !== null;
  if (status >= 400 && hasData) problems.push(`HTTP ${status} with data`);

  // 7. GraphQL over HTTP: media type and status.
  const served: MediaType = /^application\/graphql-response\+json\b/i.test(type) ? GRAPHQL_RESPONSE : JSON_TYPE;
  // Node's refusals of a request its parser cannot read carry none of the gateway's security headers.
  const nodeRefusal = headerOf(response, 'x-content-type-options') === undefined && [400, 408, 413, 431].includes(status);
  const wanted = acceptedMediaType(request.headers);
  if (!nodeRefusal && wanted !== null) {
    const expected = wanted === 'none' ? JSON_TYPE : wanted;
    if (served !== expected) problems.push(`served as ${served}, but the Accept header ${JSON.stringify(effectiveHeader(request.headers, 'accept') ?? '(none)')} asks for ${expected}`);
    if (wanted === 'none' && status === 200) problems.push('200 for an Accept header that allows neither GraphQL media type (406 expected)');
  }
  if (served === GRAPHQL_RESPONSE && body.data === undefined && status < 400) problems.push(`${GRAPHQL_RESPONSE} without data answered ${status} (4xx or 5xx required)`);
  if (served === JSON_TYPE && hasData && status < 400 && status !== 200) problems.push(`${JSON_TYPE} with data answered ${status} (200 required)`);
  const documentStatus = served === GRAPHQL_RESPONSE ? 400 : 200;
  if (!nodeRefusal && body.data === undefined && codes.length > 0 && codes.every((code) => code === 'QUERY_TOO_COMPLEX') && status !== documentStatus) {
    problems.push(`QUERY_TOO_COMPLEX (a validation failure) answered ${status}; ${documentStatus} expected for ${served}`);
  }
  if (!nodeRefusal && body.data === undefined && codes.length === 1 && codes[0] === 'BAD_USER_INPUT' && (status === 200 || status === 400) && status !== documentStatus && c.auth === 'valid' && unparseableDocument(c)) {
    problems.push(`a well-formed request whose document does not parse answered ${status}; ${documentStatus} expected for ${served}`);
  }
  if (status >= 400 && body.errors === undefined) problems.push(`HTTP ${status} without errors`);
  if (status === 200 && body.data === undefined && body.errors === undefined) problems.push('200 with neither data nor errors');
  if ((status === 401) !== codes.includes('UNAUTHENTICATED') && body.errors !== undefined) problems.push(`HTTP ${status} with codes ${codes.join(',')} (401 exactly when UNAUTHENTICATED)`);
  if ((status === 429) !== codes.includes('RATE_LIMITED') && body.errors !== undefined) problems.push(`HTTP ${status} with codes ${codes.join(',')} (429 exactly when RATE_LIMITED)`);
  if (status === 429 && headerOf(response, 'retry-after') === undefined) problems.push('429 without Retry-After');
  if (status === 503 && !codes.some((code) => code === 'SERVICE_UNAVAILABLE' || code === 'AUDIT_UNAVAILABLE')) problems.push(`503 with codes ${codes.join(',')}`);

  if (simplePost && hasData) problems.push(`a POST with ${mediaType || 'no'} content type returned data`);
  // Mutations only over POST.
  // (431: a head too large for Node's parser never reaches the gateway, whatever it asks.)
  if (request.method === 'GET' && selectedOperationKind(c) === 'mutation' && ![400, 401, 405].includes(status) && !(status === 431 && nodeLayer)) {
    problems.push(`a mutation over GET answered ${status} (405 expected)`);
  }

  // 5. Fail closed.
  let privacyChecked = false;
  if (c.auth === 'invalid') {
    if (status === 200) problems.push('200 without a valid token');
    if (hasData) problems.push('data without a valid token');
    if (status === 403) problems.push('403 (a treaty refusal) without a valid token: authentication must come first');
  }
  if (hasData) {
    const roots = rootFields(c);
    const data = body.data as Record<string, unknown>;
    if (roots === null) {
      if (c.context === 'invalid' && Object.keys(data).some((k) => data[k] !== null && !TOKEN_ONLY_FIELDS.has(k))) {
        problems.push('data under an invalid treaty context (document not known to the oracle)');
      }
    } else {
      const readsRecords = Object.entries(data).filter(([key, value]) => value !== null && roots.get(key) !== undefined && !TOKEN_ONLY_FIELDS.has(roots.get(key)!));
      const unknownKeys = Object.keys(data).filter((key) => !roots.has(key));
      if (unknownKeys.length > 0) problems.push(`data keys the document does not select: ${unknownKeys.slice(0, 5).join(', ')}`);
      if (readsRecords.length > 0) {
        const fields = readsRecords.map(([key]) => roots.get(key)).join(', ');
        if (c.context === 'invalid') problems.push(`${fields} answered under a treaty context the contract refuses`);
        const records = readsRecords.filter(([key]) => !AGGREGATE_ONLY_FIELDS.has(roots.get(key)!));
        if (c.context === 'valid' && c.aggregateOnly && records.length > 0) {
          problems.push(`${records.map(([key]) => roots.get(key)).join(', ')} answered under an aggregate-only grant (records must be refused)`);
        }
        if (c.context === 'valid') {
          privacyChecked = true;
          const privacy = body.extensions?.privacy;
          if (!privacy || typeof privacy !== 'object') problems.push(`${fields} answered without extensions.privacy`);
          else {
            if (privacy.agreement !== c.agreement || privacy.purpose !== c.purpose) {
              problems.push(`extensions.privacy names ${String(privacy.agreement)}/${String(privacy.purpose)}, the request ${c.agreement}/${c.purpose}`);
            }
            if (!Array.isArray(privacy.fields)) problems.push('extensions.privacy.fields is not a list');
          }
        }
      }
    }
  }
  const outcome = `${status} ${codes.length > 0 ? [...new Set(codes)].sort().join('+') : hasData ? 'data' : 'no data'}${privacyChecked ? ' (records read: privacy report checked)' : ''}`;
  return { problems, outcome };
}

function context(text: string, index: number): string {
  return text.slice(Math.max(0, index - 40), index + 60);
}

/** Everything the request said, as the server may quote it. */
function requestText(c: FuzzCase): string {
  const { request } = c;
  const parts = [request.target, request.headers.map(([k, v]) => `${k}: ${v}`).join('\n'), request.body.toString('utf8'), request.body.toString('latin1')];
  try {
    parts.push(decodeURIComponent(request.target));
  } catch {
    // not decodable: the raw target is there already
  }
  const decoded = decodedBody(c);
  if (decoded !== null) parts.push(decoded);
  return parts.join('\n');
}

/** The body as the server decodes it (Content-Encoding gzip/deflate undone), or null. */
function decodedBody(c: FuzzCase): string | null {
  const encoding = (effectiveHeader(c.request.headers, 'content-encoding') ?? 'identity').toLowerCase();
  try {
    if (encoding === 'gzip') return gunzipSync(c.request.body, { maxOutputLength: 10_000_000 }).toString('utf8');
    if (encoding === 'deflate') return inflateSync(c.request.body, { maxOutputLength: 10_000_000 }).toString('utf8');
  } catch {
    return null;
  }
  return c.request.body.toString('utf8');
}

/** The operation the server ran, as far as the request tells: its document and operation name. */
function operationOf(c: FuzzCase): { query: string; operationName?: string } | null {
  const { request } = c;
  let envelope: Record<string, unknown> | null = null;
  if (request.method === 'GET' || request.method === 'HEAD') {
    try {
      const params = new URL(request.target, 'http://gateway').searchParams;
      envelope = { query: params.get('query') ?? undefined, operationName: params.get('operationName') ?? undefined };
      const extensions = params.get('extensions');
      if (extensions) envelope['extensions'] = JSON.parse(extensions);
    } catch {
      return null;
    }
  } else {
    const text = decodedBody(c);
    if (text === null) return null;
    try {
      const parsed: unknown = JSON.parse(text.replace(/^\ufeff/, ''));
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) envelope = parsed as Record<string, unknown>;
    } catch {
      return null;
    }
  }
  if (!envelope) return null;
  let query = typeof envelope['query'] === 'string' ? envelope['query'] : undefined;
  const hash = (envelope['extensions'] as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash;
  if (query === undefined && typeof hash === 'string') query = KNOWN_DOCUMENTS.get(hash.toLowerCase());
  if (query === undefined) return null;
  return { query, ...(typeof envelope['operationName'] === 'string' ? { operationName: envelope['operationName'] } : {}) };
}

/** The operation a request selects, parsed; null when it cannot be told. */
function selectedOperation(c: FuzzCase): { document: DocumentNode; selected: OperationDefinitionNode } | null {
  const operation = operationOf(c);
  if (!operation) return null;
  let document: DocumentNode;
  try {
    document = parse(operation.query);
  } catch {
    return null;
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const selected = operation.operationName === undefined ? (operations.length === 1 ? operations[0] : undefined) : operations.find((o) => o.name?.value === operation.operationName);
  return selected ? { document, selected } : null;
}

function selectedOperationKind(c: FuzzCase): string | null {
  return selectedOperation(c)?.selected.operation ?? null;
}

/** Response key -> root field name of the operation the request ran; null when it cannot be told. */
export function rootFields(c: FuzzCase): Map<string, string> | null {
  const found = selectedOperation(c);
  if (!found) return null;
  const { document, selected } = found;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const out = new Map<string, string>();
  const walk = (set: SelectionSetNode, seen: Set<string>): void => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) out.set(s.alias?.value ?? s.name.value, s.name.value);
      else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet, seen);
      else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        const f = fragments.get(s.name.value);
        if (f) walk(f.selectionSet, seen);
      }
    }
  };
  walk(selected.selectionSet, new Set());
  return out;
}

/**
 * The media type the Accept header prefers of the two a GraphQL response may use, as
 * HTTP content negotiation (RFC 9110) picks it: the higher quality, then the more specific
 * range, then the range listed first, then application/json. No header (or an empty
 * one): application/json. 'none': neither is acceptable. Null where the header is too odd
 * to tell (a malformed quality, media type parameters, a range given twice, ...).
 */
export function acceptedMediaType(headers: [string, string][]): MediaType | 'none' | null {
  if (wireHeaders(headers).some(([n, v]) => /[\r\n]/.test(n) || /[\r\n]/.test(v))) return null;
  const raw = effectiveHeader(headers, 'accept');
  if (raw === undefined || raw.trim() === '') return JSON_TYPE;
  const ranges = new Map<string, { q: number; order: number }>();
  for (const [order, part] of raw.split(',').entries()) {
    const [range, ...params] = part.split(';').map((p) => p.trim());
    if (!range) continue;
    if (!/^[\w.+-]+\/[\w.+*-]+$/.test(range) || ranges.has(range.toLowerCase())) return null;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=').map((p) => p.trim());
      if (key?.toLowerCase() !== 'q' || !/^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(value ?? '')) return null;
      q = Number(value);
    }
    ranges.set(range.toLowerCase(), { q, order });
  }
  const rank = (type: MediaType, index: number) => {
    const [major] = type.split('/');
    for (const [range, specificity] of [[type, 2], [`${major}/*`, 1], ['*/*', 0]] as const) {
      const found = ranges.get(range);
      if (found) return { type, q: found.q, specificity, order: found.order, index };
    }
    return { type, q: 0, specificity: -1, order: Infinity, index };
  };
  const [best] = [rank(JSON_TYPE, 0), rank(GRAPHQL_RESPONSE, 1)]
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || b.specificity - a.specificity || a.order - b.order || a.index - b.index);
  return best ? best.type : 'none';
}

/**
 * Whether the request is a well-formed GraphQL-over-HTTP request (as far as the oracle can
 * tell the gateway read it the same way) whose document does not parse: a POST of an
 * application/json UTF-8 body, or a GET, to /graphql, with a non-empty string `query`, no
 * persisted query or document id, and parameters of the right types.
 */
function unparseableDocument(c: FuzzCase): boolean {
  const { request } = c;
  if (request.method !== 'POST' && request.method !== 'GET') return false;
  if (request.target.split('?')[0] !== '/graphql' || request.halfClose || !['length', 'none', 'chunked'].includes(request.framing.kind)) return false;
  if (wireHeaders(request.headers).some(([n, v]) => /[\r\n]/.test(n) || /[\r\n]/.test(v))) return false;
  const encoding = effectiveHeader(request.headers, 'content-encoding');
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
  let envelope: Record<string, unknown>;
  if (request.method === 'GET') {
    let params: URLSearchParams;
    try {
      params = new URL(request.target, 'http://gateway').searchParams;
    } catch {
      return false;
    }
    if (['query', 'operationName', 'variables', 'extensions', 'documentId'].some((name) => params.getAll(name).length > 1) || params.has('documentId')) return false;
    envelope = { query: params.get('query') ?? undefined, operationName: params.get('operationName') ?? undefined };
    for (const name of ['variables', 'extensions']) {
      if (!params.has(name)) continue;
      try {
        envelope[name] = JSON.parse(params.get(name)!);
      } catch {
        return false;
      }
    }
  } else {
    const [mediaType, ...params] = (effectiveHeader(request.headers, 'content-type') ?? '').split(';').map((p) => p.trim().toLowerCase());
    if (mediaType !== 'application/json' || params.some((p) => p.startsWith('charset=') && p !== 'charset=utf-8')) return false;
    try {
      const parsed: unknown = JSON.parse(request.body.toString('utf8').replace(/^\ufeff/, ''));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
      envelope = parsed as Record<string, unknown>;
    } catch {
      return false;
    }
    if ('documentId' in envelope) return false;
  }
  const isMap = (v: unknown) => v === undefined || v === null || (typeof v === 'object' && !Array.isArray(v));
  const { query, operationName, variables, extensions } = envelope;
  if (typeof query !== 'string' || query === '') return false;
  if (!(operationName === undefined || operationName === null || typeof operationName === 'string') || !isMap(variables) || !isMap(extensions)) return false;
  if (extensions && 'persistedQuery' in (extensions as object)) return false;
  try {
    parse(query);
    return false;
  } catch (error) {
    // A syntax error; a parser out of stack is the gateway's QUERY_TOO_COMPLEX instead.
    return error instanceof GraphQLError;
  }
}
