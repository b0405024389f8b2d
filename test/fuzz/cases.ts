/**
 * fast-check arbitraries of hostile HTTP requests to `/graphql`, in four families:
 *
 *  - documents: valid operations mutated token by token, random GraphQL-ish text, and
 *    document bombs (deep nesting, aliases, directives, fragment fan-out and cycles);
 *  - variables: wrong types, huge strings (around and above BODY_LIMIT), thousands of
 *    levels of JSON, `__proto__`/`constructor`/`prototype` keys, NULs, lone surrogates,
 *    numbers out of range, MongoDB operators as values;
 *  - bodies: not JSON, batches (JSON arrays), JSON scalars, envelopes with wrong-typed
 *    members, invalid UTF-8, truncated JSON, bodies above BODY_LIMIT, BOMs, UTF-16,
 *    gzip (valid, corrupt, a decompression bomb), wrong Content-Length, chunked framing;
 *  - headers and methods: every method, odd request targets, GET with query strings
 *    (mutations too), tokens valid/forged/expired/huge, treaty headers valid, invalid,
 *    missing, duplicated, huge or with control characters, content types, Origin.
 *
 * Each case carries what the oracle needs to judge the answer: whether its bearer token
 * is valid (as the gateway's own authenticator judged it when the pools were built),
 * and whether its treaty context is certainly valid, certainly invalid, or unknown.
 */
import { createHash } from 'node:crypto';
import { gzipSync, deflateSync } from 'node:zlib';
import fc from 'fast-check';
import {
  HOSTILE_STRINGS,
  NAMES,
  NUMBER_TEXTS,
  OPERATIONS,
  PUNCTUATORS,
  STRING_LITERALS,
  applyEdits,
  bombDocument,
  jsonText,
  mentionsPendingRequest,
  toAst,
  type Bomb,
  type CorpusOperation,
  type JsonAst,
  type TokenEdit,
} from './corpus';
import type { Framing, RawRequest } from './rawHttp';

// ---------------------------------------------------------------------------------
// Pools built once per run (tokens need signing, so they are made before the arbitraries)
// ---------------------------------------------------------------------------------

/** An Authorization header value and how the gateway's authenticator judged it. */
export interface AuthOption {
  /** The header value; null: no Authorization header. */
  value: string | null;
  valid: boolean;
  /** The token's party, when valid. */
  party?: string;
  note: string;
}

/** A treaty context as headers, and what the contract says of it for a given party. */
export interface TreatyModel {
  /**
   * Agreements by id: parties, granted purposes, in force on the gateway's date, and the
   * purposes whose grant is aggregate-only (no data category above AGGREGATE: records refused).
   */
  agreements: Map<string, { parties: string[]; purposes: string[]; inForce: boolean; aggregateOnly: string[] }>;
  /** Usable data requests: id -> the one context in which each is valid. */
  dataRequests: Map<string, { party: string; agreementId: string; purpose: string }>;
}

export interface Pools {
  /** Tokens the authenticator accepts. */
  valid: AuthOption[];
  /** Header values it refuses (forged, expired, wrong issuer, alg none, garbage, ...). */
  invalid: AuthOption[];
  treaty: TreatyModel;
  bodyLimit: number;
}

export type ContextVerdict = 'valid' | 'invalid' | 'unknown';

/** One generated request and the facts the oracle judges it by. */
export interface FuzzCase {
  family: 'documents' | 'variables' | 'bodies' | 'headers';
  /** Which generator branch made it. */
  label: string;
  request: RawRequest;
  /** The effective Authorization header's verdict; unknown when it cannot be told. */
  auth: 'valid' | 'invalid' | 'unknown';
  context: ContextVerdict;
  /** The agreement and purpose the gateway must report in extensions.privacy (valid contexts). */
  agreement?: string;
  purpose?: string;
  /** A valid context whose grant is aggregate-only: only statistics, entitlements and the token-only fields may carry data. */
  aggregateOnly?: boolean;
  /** The statuses the contract leaves for this request (e.g. a batch: refused), when it narrows them. */
  expectStatus?: number[];
}

// ---------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------

const JSON_TYPE: [string, string] = ['Content-Type', 'application/json'];

function post(body: Buffer | string, headers: [string, string][], framing: Framing = { kind: 'length' }): RawRequest {
  return { method: 'POST', target: '/graphql', headers, body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body, framing };
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The header lines as they go on the wire: a value holding CRLF becomes several lines (a
 * client-side header injection the server sees as separate headers).
 */
export function wireHeaders(headers: [string, string][]): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of headers) {
    `${name}: ${value}`.split('\r\n').forEach((line, i) => {
      if (i === 0) out.push([name, line.slice(name.length + 2)]);
      else {
        const colon = line.indexOf(':');
        out.push(colon < 0 ? [line, ''] : [line.slice(0, colon), line.slice(colon + 1)]);
      }
    });
  }
  return out;
}

/** Node's view of a header: duplicates of most headers joined with ", ", of some the first kept; OWS trimmed. */
export function effectiveHeader(headers: [string, string][], name: string): string | undefined {
  const values = wireHeaders(headers).filter(([n]) => n.toLowerCase() === name).map(([, v]) => v.replace(/^[ \t]+|[ \t]+$/g, ''));
  if (values.length === 0) return undefined;
  const firstWins = ['authorization', 'content-type', 'content-length', 'host', 'user-agent', 'referer'];
  return firstWins.includes(name) ? values[0] : values.join(', ');
}

/** The contract's verdict on a treaty context for a caller of `party` (unknown party: unknown). */
export function judgeContext(
  model: TreatyModel,
  party: string | undefined,
  headers: [string, string][],
): { verdict: ContextVerdict; agreement?: string; purpose?: string; aggregateOnly?: boolean } {
  const agreementRaw = effectiveHeader(headers, 'x-agreement-id');
  const purposeRaw = effectiveHeader(headers, 'x-purpose');
  const requestRaw = effectiveHeader(headers, 'x-data-request-id');
  // A value that only some trimming (JS trim is wider than HTTP's) would turn into a valid one: unknown.
  const exact = (raw: string | undefined): { value: string | undefined; odd: boolean } =>
    raw === undefined ? { value: undefined, odd: false } : { value: raw.trim(), odd: raw.trim() !== raw };
  const agreementId = exact(agreementRaw);
  const purpose = exact(purposeRaw);
  const dataRequest = exact(requestRaw);
  const agreement = agreementId.value === undefined ? undefined : model.agreements.get(agreementId.value);
  if (!agreement || !agreement.inForce || purpose.value === undefined || !agreement.purposes.includes(purpose.value)) return { verdict: 'invalid' };
  if (party === undefined) return { verdict: 'unknown' };
  if (!agreement.parties.includes(party)) return { verdict: 'invalid' };
  if (dataRequest.value !== undefined) {
    const usable = model.dataRequests.get(dataRequest.value);
    if (!usable || usable.party !== party || usable.agreementId !== agreementId.value || usable.purpose !== purpose.value) return { verdict: 'invalid' };
  }
  if (agreementId.odd || purpose.odd || dataRequest.odd) return { verdict: 'unknown' };
  return { verdict: 'valid', agreement: agreementId.value!, purpose: purpose.value, aggregateOnly: agreement.aggregateOnly.includes(purpose.value) };
}

// ---------------------------------------------------------------------------------
// The arbitraries
// ---------------------------------------------------------------------------------

export interface CaseArbitraries {
  documents: fc.Arbitrary<FuzzCase>;
  variables: fc.Arbitrary<FuzzCase>;
  bodies: fc.Arbitrary<FuzzCase>;
  headers: fc.Arbitrary<FuzzCase>;
}

/** Every operation of the corpus, for hash-only persisted queries: sha256 -> document. */
export const KNOWN_DOCUMENTS = new Map<string, string>(OPERATIONS.map((o) => [sha256Hex(o.query), o.query]));

let zipBomb: Buffer | undefined;
/** 50 MB of zeros, gzipped (about 50 kB). */
function gzipBomb(): Buffer {
  zipBomb ??= gzipSync(Buffer.alloc(50_000_000), { level: 9 });
  return zipBomb;
}

export function caseArbitraries(pools: Pools): CaseArbitraries {
  const { bodyLimit } = pools;

  // --- who calls, and in which context ------------------------------------------------

  const validAuth = fc.constantFrom(...pools.valid);
  const invalidAuth = fc.constantFrom(...pools.invalid);
  const missingAuth = fc.constant<AuthOption>({ value: null, valid: false, note: 'no Authorization' });
  const mostlyValidAuth = fc.oneof({ weight: 16, arbitrary: validAuth }, { weight: 2, arbitrary: invalidAuth }, { weight: 1, arbitrary: missingAuth });

  const agreementIds = [...pools.treaty.agreements.keys()];
  const purposes = ['BORDER_CONTROL', 'LAW_ENFORCEMENT', 'ANTI_TRAFFICKING', 'ASYLUM_PROCESSING', 'FAMILY_REUNIFICATION', 'SERVICE_DELIVERY', 'RETURN_AND_READMISSION', 'STATISTICS'];
  /** Contexts the personas use, valid for their own party. */
  const knownContexts: [string, string, string?][] = [
    ['AGR-MED-TIP-2024', 'ANTI_TRAFFICKING'],
    ['AGR-MED-TIP-2024', 'STATISTICS'],
    ['AGR-MED-TIP-2024', 'SERVICE_DELIVERY'],
    ['AGR-ITA-NGA-READMISSION-2023', 'LAW_ENFORCEMENT'],
    ['AGR-ITA-NGA-READMISSION-2023', 'LAW_ENFORCEMENT', 'req-0001'],
    ['AGR-ITA-NGA-READMISSION-2023', 'RETURN_AND_READMISSION'],
  ];
  const plainContext: fc.Arbitrary<[string, string][]> = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...knownContexts).map(([a, p, r]) => treatyHeaders(a, p, r)) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.option(fc.constantFrom(...agreementIds, 'AGR-UNKNOWN-1')), fc.option(fc.constantFrom(...purposes, 'SIGHTSEEING')), fc.option(fc.constantFrom('req-0001', 'req-0003', 'req-9999')))
        .map(([a, p, r]) => treatyHeaders(a ?? undefined, p ?? undefined, r ?? undefined)),
    },
    { weight: 1, arbitrary: fc.constant<[string, string][]>([]) },
  );

  /** A treaty header value that is hostile in some way. */
  const hostileHeaderValue: fc.Arbitrary<string> = fc.oneof(
    fc.constantFrom(
      '', ' ', 'AGR-MED-TIP-2024, AGR-ITA-NGA-READMISSION-2023', 'agr-med-tip-2024', 'anti_trafficking', 'AGR-MED-TIP-2024\t',
      ' ANTI_TRAFFICKING ', 'AGR MED', '__proto__', 'constructor', '$where', '*', 'AGR-MED-TIP-2024;', 'ANTI_TRAFFICKING\u00a0',
      'AGR-MED-TIP-2024\u0001', 'STATISTICS\u007f', 'x\u0000y', 'ANTI\rTRAFFICKING', 'ANTI_TRAFFICKING\r\nX-Injected: 1',
      '\u00e9\u00ff\u0080', 'AGR-MED-TIP-2024\u00a0', 'req-0001 ', '%41GR-MED-TIP-2024',
    ),
    fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 100, max: 8_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 8_000, max: 40_000 }) }).map((n) => 'A'.repeat(n)),
    fc.string({ unit: 'binary-ascii', maxLength: 40 }),
    fc.string({ maxLength: 40 }).map((s) => Buffer.from(s, 'utf8').toString('latin1')),
  );

  /** Treaty headers, mostly plain, sometimes hostile or duplicated. */
  const contextHeaders: fc.Arbitrary<[string, string][]> = fc.oneof(
    { weight: 7, arbitrary: plainContext },
    {
      weight: 3,
      arbitrary: fc
        .tuple(plainContext, fc.constantFrom('X-Agreement-Id', 'X-Purpose', 'X-Data-Request-Id', 'x-agreement-id', 'X-PURPOSE'), hostileHeaderValue, fc.constantFrom('replace', 'add'))
        .map(([base, name, value, how]) => (how === 'add' ? [...base, [name, value] as [string, string]] : [...base.filter(([n]) => n.toLowerCase() !== name.toLowerCase()), [name, value] as [string, string]])),
    },
  );

  /** A valid token with a treaty context valid for its party: requests that get as far as the records. */
  const personas: { auth: AuthOption; context: [string, string][] }[] = pools.valid.flatMap((auth) =>
    knownContexts.map(([a, p, r]) => ({ auth, context: treatyHeaders(a, p, r) })).filter(({ auth: t, context }) => judgeContext(pools.treaty, t.party, context).verdict === 'valid'),
  );
  const persona = fc.constantFrom(...personas);
  /** Half personas, half a token and context drawn independently (mostly valid tokens, contexts of every kind). */
  const caller = (auth: fc.Arbitrary<AuthOption>, context: fc.Arbitrary<[string, string][]>): fc.Arbitrary<{ auth: AuthOption; context: [string, string][] }> =>
    fc.oneof(persona, fc.record({ auth, context }));

  // --- documents ----------------------------------------------------------------------

  const tokenArb: fc.Arbitrary<string> = fc.oneof(
    fc.constantFrom(...NAMES),
    fc.constantFrom(...PUNCTUATORS),
    fc.constantFrom(...NUMBER_TEXTS),
    fc.constantFrom(...STRING_LITERALS),
    fc.stringMatching(/^[_A-Za-z][_0-9A-Za-z]{0,12}$/),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }),
    fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 2_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 2_000, max: 3 * bodyLimit }) }).map((n) => `"${'x'.repeat(n)}"`),
  );
  const editArb: fc.Arbitrary<TokenEdit> = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), token: tokenArb }),
    fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
    fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), times: fc.integer({ min: 1, max: 200 }) }),
    fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), token: tokenArb }),
  );
  const operationArb = fc.constantFrom(...OPERATIONS);
  const mutatedOperation = fc.record({ op: operationArb, edits: fc.oneof(fc.array(editArb, { minLength: 0, maxLength: 2 }), fc.array(editArb, { minLength: 1, maxLength: 6 })) }).map(({ op, edits }) => ({
    label: edits.length === 0 ? `unmutated ${op.name}` : `mutated ${op.name} (${edits.map((e) => e.kind).join(',')})`,
    query: applyEdits(op.query, edits),
    op,
  }));
  const randomText = fc
    .array(fc.oneof(tokenArb, fc.constantFrom(' ', '\n', '\t', '\u00a0', '\ufeff', ',')), { maxLength: 120 })
    .map((tokens) => ({ label: 'random GraphQL-ish text', query: tokens.join(' '), op: undefined as CorpusOperation | undefined }));
  const randomUnicode = fc.string({ unit: 'binary', maxLength: 300 }).map((query) => ({ label: 'random unicode', query, op: undefined as CorpusOperation | undefined }));
  const bombArb: fc.Arbitrary<Bomb> = fc.oneof(
    fc.record({ kind: fc.constant('deepFields' as const), depth: depthArb(20_000) }),
    fc.record({ kind: fc.constant('deepFamily' as const), depth: depthArb(10_000) }),
    fc.record({ kind: fc.constant('deepInlineFragments' as const), depth: depthArb(5_000) }),
    fc.record({ kind: fc.constant('deepListValue' as const), depth: depthArb(30_000) }),
    fc.record({ kind: fc.constant('deepObjectValue' as const), depth: depthArb(5_000) }),
    fc.record({ kind: fc.constant('aliases' as const), count: fc.integer({ min: 1, max: 5_000 }), heavy: fc.boolean() }),
    fc.record({ kind: fc.constant('directives' as const), count: fc.integer({ min: 1, max: 3_000 }) }),
    fc.record({ kind: fc.constant('fragmentFanOut' as const), levels: fc.integer({ min: 2, max: 40 }), width: fc.integer({ min: 2, max: 10 }) }),
    fc.record({ kind: fc.constant('fragmentCycle' as const), length: fc.integer({ min: 1, max: 50 }) }),
    fc.record({ kind: fc.constant('manyOperations' as const), count: fc.integer({ min: 2, max: 2_000 }) }),
    fc.record({ kind: fc.constant('manyVariables' as const), count: fc.integer({ min: 1, max: 3_000 }) }),
    fc.record({ kind: fc.constant('longName' as const), length: fc.integer({ min: 1, max: 2 * bodyLimit }) }),
    fc.record({ kind: fc.constant('wideSelection' as const), count: fc.integer({ min: 1, max: 5_000 }) }),
    fc.record({ kind: fc.constant('bigFirst' as const), first: fc.constantFrom(...NUMBER_TEXTS, '501', '500', '10000') }),
  );
  const bombs = bombArb.map((bomb) => ({ label: `bomb ${bomb.kind}`, query: bombDocument(bomb), op: undefined as CorpusOperation | undefined }));

  const documentArb = fc.oneof(
    { weight: 6, arbitrary: mutatedOperation },
    { weight: 2, arbitrary: randomText },
    { weight: 1, arbitrary: randomUnicode },
    { weight: 3, arbitrary: bombs },
  );

  const documents = fc
    .record({ doc: documentArb, who: caller(mostlyValidAuth, contextHeaders), keepVariables: fc.boolean(), persisted: fc.constantFrom('no', 'no', 'no', 'hash', 'wrong-hash') })
    .map(({ doc, who: { auth, context }, keepVariables, persisted }) => {
      const envelope: [string, JsonAst][] = [['query', { t: 'string', v: doc.query }]];
      if (keepVariables && doc.op?.variables) envelope.push(['variables', toAst(doc.op.variables)]);
      if (doc.op?.operationName) envelope.push(['operationName', { t: 'string', v: doc.op.operationName }]);
      if (persisted !== 'no') {
        const hash = persisted === 'hash' ? sha256Hex(doc.query) : sha256Hex(`${doc.query} `);
        envelope.push(['extensions', toAst({ persistedQuery: { version: 1, sha256Hash: hash } })]);
      }
      const headers = [JSON_TYPE, ...authHeader(auth), ...context];
      return finish(pools, 'documents', `${doc.label}${persisted !== 'no' ? ` (${persisted})` : ''}`, post(jsonText({ t: 'object', entries: envelope }), headers), auth);
    });

  // --- variables ----------------------------------------------------------------------

  const hugeString = fc.record({
    unit: fc.oneof(fc.constantFrom('x', '\u0000', '\ud800', '\u00e9', '\ud83d\ude00', '"', '\\', '$where'), fc.string({ unit: 'binary', minLength: 1, maxLength: 6 })),
    length: fc.oneof(fc.integer({ min: 100, max: 5_000 }), fc.integer({ min: bodyLimit - 2_000, max: bodyLimit + 2_000 }), fc.integer({ min: bodyLimit, max: 3 * bodyLimit })),
  });
  const hostileLeaf: fc.Arbitrary<JsonAst> = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS).map((v): JsonAst => ({ t: 'string', v })) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map((v): JsonAst => ({ t: 'string', v })) },
    { weight: 2, arbitrary: fc.constantFrom(...NUMBER_TEXTS.filter((n) => /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(n)), '1e400', '-0.0', '0.1e-999').map((raw): JsonAst => ({ t: 'number', raw })) },
    { weight: 1, arbitrary: fc.boolean().map((v): JsonAst => ({ t: 'bool', v })) },
    { weight: 1, arbitrary: fc.constant<JsonAst>({ t: 'null' }) },
    { weight: 1, arbitrary: hugeString.map(({ unit, length }): JsonAst => ({ t: 'huge', unit, length })) },
    {
      weight: 1,
      arbitrary: fc
        .record({ depth: depthArb(40_000), shape: fc.constantFrom('array' as const, 'object' as const), key: fc.constantFrom('a', '__proto__', 'holder', '$ne', 'constructor') })
        .map(({ depth, shape, key }): JsonAst => ({ t: 'deep', depth, shape, key, leaf: { t: 'string', v: 'ITA' } })),
    },
  );
  const keyArb = fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'prototype', '$where', '$ne', '$gt', 'toString', 'hasOwnProperty', '', '\u0000', 'holder', 'familyName', 'nationality', 'first', 'after', 'filter', 'id', 'input', 'subjectIds', 'agreementId', 'g', 'f'),
    fc.string({ unit: 'binary', maxLength: 10 }),
  );
  const jsonValue: fc.Arbitrary<JsonAst> = fc.letrec<{ value: JsonAst }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 5, arbitrary: hostileLeaf },
      { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 5 }).map((items): JsonAst => ({ t: 'array', items })) },
      { weight: 1, arbitrary: fc.array(fc.tuple(keyArb, tie('value')), { maxLength: 5 }).map((entries): JsonAst => ({ t: 'object', entries })) },
    ),
  })).value;

  /** Variables of an operation with one or more values replaced, keys added, or the whole object swapped. */
  const hostileVariables = fc
    .record({
      op: operationArb,
      replace: fc.array(fc.tuple(fc.nat(), jsonValue), { minLength: 0, maxLength: 3 }),
      extra: fc.array(fc.tuple(keyArb, jsonValue), { maxLength: 3 }),
      whole: fc.option(jsonValue, { freq: 5 }),
      nestedProto: fc.boolean(),
    })
    .map(({ op, replace, extra, whole, nestedProto }) => {
      let variables: JsonAst;
      if (whole) variables = whole;
      else {
        const entries = Object.entries(op.variables ?? {}).map(([k, v]): [string, JsonAst] => [k, toAst(v)]);
        for (const [at, value] of replace) {
          if (entries.length > 0) entries[at % entries.length]![1] = value;
          else entries.push(['v', value]);
        }
        entries.push(...extra);
        // An input object that smuggles fields through `__proto__` / `constructor.prototype`.
        if (nestedProto && entries.length > 0) {
          const [key, value] = entries[0]!;
          if (value.t === 'object') entries[0] = [key, { t: 'object', entries: [...value.entries, ['__proto__', toAst({ holder: 'ESP', isAdmin: true })], ['constructor', toAst({ prototype: { holder: 'ESP' } })]] }];
        }
        variables = { t: 'object', entries };
      }
      return { op, variables };
    });

  const variables = fc
    .record({ v: hostileVariables, who: caller(fc.oneof({ weight: 9, arbitrary: validAuth }, { weight: 1, arbitrary: invalidAuth }), plainContext), overGet: fc.nat({ max: 9 }) })
    .map(({ v, who: { auth, context }, overGet }) => {
      const variablesText = jsonText(v.variables);
      const headers = [...authHeader(auth), ...context];
      if (overGet === 0) {
        // The same over GET: variables in the query string.
        const target = `/graphql?query=${encodeURIComponent(v.op.query)}&variables=${encodeURIComponent(variablesText)}`;
        return finish(pools, 'variables', `GET ${v.op.name} hostile variables`, { method: 'GET', target, headers: [...headers, ['apollo-require-preflight', 'true']], body: Buffer.alloc(0), framing: { kind: 'none' } }, auth);
      }
      const body = `{"query":${JSON.stringify(v.op.query)},"variables":${variablesText}${v.op.operationName ? `,"operationName":${JSON.stringify(v.op.operationName)}` : ''}}`;
      return finish(pools, 'variables', `${v.op.name} hostile variables`, post(body, [JSON_TYPE, ...headers]), auth);
    });

  // --- bodies -------------------------------------------------------------------------

  const goodBody = operationArb.map((op) => JSON.stringify({ query: op.query, variables: op.variables ?? {}, ...(op.operationName ? { operationName: op.operationName } : {}) }));
  const invalidUtf8 = fc.constantFrom(
    [0xff], [0xfe], [0xc0, 0x80], [0xc1, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xbf],
    [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xfc, 0x84, 0x80, 0x80, 0x80, 0x80], [0x00], [0xef, 0xbb, 0xbf],
  );
  const wrongMember: fc.Arbitrary<JsonAst> = fc.oneof(
    hostileLeaf,
    fc.constantFrom<JsonAst>({ t: 'array', items: [] }, { t: 'object', entries: [] }, { t: 'array', items: [{ t: 'string', v: '{ me { party } }' }] }),
  );
  const envelopeMember = fc.constantFrom('query', 'variables', 'operationName', 'extensions', 'documentId', '__proto__', 'constructor', 'id', 'queryId', 'extensions.persistedQuery');
  /** A JSON object envelope whose members have the wrong type, repeat, or are unexpected. */
  const oddEnvelope = fc
    .record({ op: operationArb, members: fc.array(fc.tuple(envelopeMember, wrongMember), { minLength: 1, maxLength: 4 }), keepQuery: fc.boolean() })
    .map(({ op, members, keepQuery }) => {
      const entries: [string, JsonAst][] = keepQuery ? [['query', { t: 'string', v: op.query }]] : [];
      for (const [name, value] of members) {
        if (name === 'extensions.persistedQuery') entries.push(['extensions', { t: 'object', entries: [['persistedQuery', value]] }]);
        else entries.push([name, value]);
      }
      return { label: `envelope ${members.map(([n, v]) => `${n}:${v.t}`).join(',')}`, body: Buffer.from(jsonText({ t: 'object', entries }), 'utf8') };
    });
  /** A body that must never run: refused as a bad request (or as unauthenticated, where authentication comes first). */
  const REFUSED = [400, 401];
  const rawBody: fc.Arbitrary<{ label: string; body: Buffer; headers?: [string, string][]; framing?: Framing; halfClose?: boolean; expectStatus?: number[] }> = fc.oneof(
    // Not JSON at all.
    fc.oneof(
      fc.constantFrom('{ me { party } }', 'query=%7Bme%7Bparty%7D%7D', '<xml/>', 'null null', '{"query": "{ me { party } }"', '{"query": "{ me { party } }"}}', "{'query': '{ me { party } }'}", '{query: "{ me { party } }"}', '{"query": "{ me { party } }",}', '\u0000', ''),
      fc.string({ unit: 'binary', maxLength: 200 }),
    ).map((text) => ({ label: 'not JSON', body: Buffer.from(text, 'utf8'), expectStatus: REFUSED })),
    // Batches: must be refused.
    fc.array(goodBody, { minLength: 0, maxLength: 20 }).map((items) => ({ label: `batch of ${items.length}`, body: Buffer.from(`[${items.join(',')}]`, 'utf8'), expectStatus: REFUSED })),
    // JSON scalars.
    fc.constantFrom('1', '-1e400', '"{ me { party } }"', 'null', 'true', 'false', '[]', '{}', '[[[]]]', '""').map((text) => ({ label: `JSON scalar ${text.slice(0, 10)}`, body: Buffer.from(text, 'utf8'), expectStatus: REFUSED })),
    oddEnvelope,
    // Duplicate keys: the last one wins in JSON.parse; a query and a mutation.
    fc.constant({ label: 'duplicate query keys', body: Buffer.from('{"query":"{ me { party } }","query":"mutation { withdrawDataRequest(id: \\"req-0003\\") { id } }"}', 'utf8') }),
    // Invalid UTF-8 anywhere in a good body.
    fc.tuple(goodBody, fc.nat(), invalidUtf8).map(([text, at, bytes]) => {
      const raw = Buffer.from(text, 'utf8');
      const cut = at % (raw.length + 1);
      return { label: `invalid UTF-8 ${Buffer.from(bytes).toString('hex')}`, body: Buffer.concat([raw.subarray(0, cut), Buffer.from(bytes), raw.subarray(cut)]) };
    }),
    // Truncated JSON (honest Content-Length).
    fc.tuple(goodBody, fc.nat()).map(([text, at]) => {
      const raw = Buffer.from(text, 'utf8');
      return { label: 'truncated JSON', body: raw.subarray(0, at % raw.length), expectStatus: REFUSED };
    }),
    // Above BODY_LIMIT: padding inside a good envelope, or junk.
    fc.tuple(fc.integer({ min: bodyLimit + 1, max: bodyLimit * 4 }), fc.boolean()).map(([size, json]) => ({
      label: `body of ${size} bytes`,
      expectStatus: [413, 401],
      body: json ? Buffer.from(`{"query":"{ me { party } }","variables":{"pad":"${'p'.repeat(size)}"}}`, 'utf8') : Buffer.alloc(size, 0x7b),
    })),
    // Encodings and charsets.
    fc.tuple(goodBody, fc.constantFrom('bom', 'utf16le', 'utf16-declared', 'latin1', 'bogus-charset', 'gzip', 'deflate', 'gzip-corrupt', 'gzip-bomb', 'br', 'identity', 'gzip-twice')).map(([text, how]) => encoded(text, how)),
    // Framing: chunked, Content-Length wrong either way, both headers, body cut short.
    fc.tuple(goodBody, fc.constantFrom('chunked', 'cl-short', 'cl-long-cut', 'cl-and-te', 'no-length', 'cl-negative', 'cl-junk', 'bad-chunk', 'cl-duplicate')).map(([text, how]) => framed(text, how)),
  );
  const bodies = fc.record({ raw: rawBody, who: caller(mostlyValidAuth, plainContext) }).map(({ raw, who: { auth, context } }) => {
    const headers: [string, string][] = [...(raw.headers ?? [JSON_TYPE]), ...authHeader(auth), ...context];
    const request: RawRequest = { method: 'POST', target: '/graphql', headers, body: raw.body, framing: raw.framing ?? { kind: 'length' }, ...(raw.halfClose ? { halfClose: true } : {}) };
    const c = finish(pools, 'bodies', raw.label, request, auth);
    return raw.expectStatus ? { ...c, expectStatus: raw.expectStatus } : c;
  });

  // --- headers, methods, targets ----------------------------------------------------

  const hostileAuth: fc.Arbitrary<AuthOption> = fc.oneof(
    { weight: 4, arbitrary: validAuth },
    { weight: 3, arbitrary: invalidAuth },
    { weight: 1, arbitrary: missingAuth },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.constantFrom('Bearer \u0000', 'Bearer a\u0001b', 'Bearer \u00e9\u00e8', 'Bearer\ttoken', 'Bearer  ', 'Bearer a.b.c\u007f'),
          fc.integer({ min: 1_000, max: 40_000 }).map((n) => `Bearer ${'e'.repeat(n)}`),
          fc.string({ unit: 'binary-ascii', maxLength: 60 }),
        )
        .map((value): AuthOption => ({ value, valid: false, note: 'hostile Authorization' })),
    },
  );
  const contentType = fc.constantFrom(
    'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset=UTF-8', 'application/json; charset=latin1',
    'application/json; charset=utf-16', 'application/graphql', 'application/graphql-response+json', 'text/plain', 'text/plain; charset=utf-8',
    'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/jsonx', 'json', 'application/json, text/plain',
    '*/*', 'application/json; boundary=\u0000',
  );
  const accept = fc.constantFrom('application/json', 'application/graphql-response+json', 'text/html', 'multipart/mixed; deferSpec=20220824', '*/*;q=bogus', 'application/json; charset=utf-16', '');
  const extraHeader: fc.Arbitrary<[string, string]> = fc.oneof(
    fc.constantFrom<[string, string]>(
      ['Origin', 'https://evil.example'], ['Origin', 'null'], ['Access-Control-Request-Method', 'POST'], ['Access-Control-Request-Headers', 'authorization, x-purpose'],
      ['apollo-require-preflight', 'true'], ['x-apollo-operation-name', 'Me'], ['X-Forwarded-For', '1.2.3.4, \u00ff'], ['X-Forwarded-Proto', 'javascript'],
      ['Cookie', 'session=x; __proto__=y'], ['Expect', '100-continue'], ['Expect', 'the unexpected'], ['Transfer-Encoding', 'identity'], ['Content-Encoding', 'identity'],
      ['Range', 'bytes=0-1'], ['If-None-Match', '*'], ['X-HTTP-Method-Override', 'DELETE'], ['Upgrade', 'websocket'], ['Connection', 'keep-alive, Upgrade'],
      ['Host', 'evil.example'], ['__proto__', 'x'], ['constructor', 'x'],
    ),
    fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/), fc.string({ unit: 'binary-ascii', maxLength: 40 })),
    fc.integer({ min: 100, max: 300 }).map((n): [string, string] => ['X-Many', 'v'.repeat(n)]),
  );
  const method = fc.constantFrom('POST', 'POST', 'POST', 'GET', 'GET', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'post', 'GETT', 'M-SEARCH');
  const target = fc.constantFrom(
    '/graphql', '/graphql', '/graphql', '/graphql/', '/GraphQL', '/graphql?', '/graphql?x=1', '//graphql', '/graphql/../graphql', '/./graphql', '/graphql%2f', '/graphql;a=b',
    '/graphql#frag', 'http://127.0.0.1/graphql', '*', '/graphql/explorer', '/graphqlx', '/%67raphql', '/graphql?query', '/graphql?query=&query=', '/', '/nothing', '/graphql\u00ff',
  );
  const getQuery = fc
    .record({
      op: operationArb,
      variables: fc.option(jsonValue),
      extra: fc.constantFrom('', '&operationName=Nope', '&extensions=%7B', '&extensions=%7B%22persistedQuery%22%3A1%7D', '&variables=%5B%5D', '&documentId=sha256%3Aabc', '&query=%7B__typename%7D', '&%zz', '&query=%ff%fe', '&variables=%00'),
      raw: fc.boolean(),
    })
    .map(({ op, variables, extra, raw }) => {
      const query = raw ? op.query.replace(/ /g, '%20') : encodeURIComponent(op.query);
      const vars = variables ? `&variables=${encodeURIComponent(jsonText(variables))}` : op.variables ? `&variables=${encodeURIComponent(JSON.stringify(op.variables))}` : '';
      return `/graphql?query=${query}${vars}${extra}`;
    });
  /** One hostile change to an otherwise ordinary request. */
  type HeaderEdit =
    | { kind: 'method'; method: string }
    | { kind: 'target'; target: string }
    | { kind: 'get'; target: string }
    | { kind: 'auth'; auth: AuthOption }
    | { kind: 'duplicateAuth'; auth: AuthOption }
    | { kind: 'context'; headers: [string, string][] }
    | { kind: 'contentType'; value: string | null }
    | { kind: 'accept'; value: string }
    | { kind: 'extra'; header: [string, string] }
    | { kind: 'many'; count: number }
    | { kind: 'noHost' };
  const headerEdit: fc.Arbitrary<HeaderEdit> = fc.oneof(
    { weight: 3, arbitrary: method.map((m): HeaderEdit => ({ kind: 'method', method: m })) },
    { weight: 2, arbitrary: target.map((t): HeaderEdit => ({ kind: 'target', target: t })) },
    { weight: 4, arbitrary: getQuery.map((t): HeaderEdit => ({ kind: 'get', target: t })) },
    { weight: 4, arbitrary: hostileAuth.map((a): HeaderEdit => ({ kind: 'auth', auth: a })) },
    { weight: 1, arbitrary: hostileAuth.map((a): HeaderEdit => ({ kind: 'duplicateAuth', auth: a })) },
    { weight: 4, arbitrary: contextHeaders.map((h): HeaderEdit => ({ kind: 'context', headers: h })) },
    { weight: 3, arbitrary: fc.option(contentType).map((v): HeaderEdit => ({ kind: 'contentType', value: v })) },
    { weight: 2, arbitrary: accept.map((v): HeaderEdit => ({ kind: 'accept', value: v })) },
    { weight: 4, arbitrary: extraHeader.map((h): HeaderEdit => ({ kind: 'extra', header: h })) },
    { weight: 1, arbitrary: fc.integer({ min: 50, max: 3_000 }).map((n): HeaderEdit => ({ kind: 'many', count: n })) },
    { weight: 1, arbitrary: fc.constant<HeaderEdit>({ kind: 'noHost' }) },
  );
  const headers = fc
    .record({ op: operationArb, who: caller(validAuth, plainContext), edits: fc.array(headerEdit, { minLength: 1, maxLength: 3 }) })
    .map(({ op, who: { auth, context }, edits }) => {
      let requestMethod = 'POST';
      let requestTarget = '/graphql';
      let contentTypeValue: string | null = 'application/json';
      let first = auth;
      const tail: [string, string][] = [];
      let treaty = context;
      let noHost = false;
      for (const edit of edits) {
        switch (edit.kind) {
          case 'method':
            requestMethod = edit.method;
            break;
          case 'target':
            requestTarget = edit.target;
            break;
          case 'get':
            requestMethod = 'GET';
            requestTarget = edit.target;
            break;
          case 'auth':
            first = edit.auth;
            break;
          case 'duplicateAuth':
            tail.push(...authHeader(edit.auth));
            break;
          case 'context':
            treaty = edit.headers;
            break;
          case 'contentType':
            contentTypeValue = edit.value;
            break;
          case 'accept':
            tail.push(['Accept', edit.value]);
            break;
          case 'extra':
            tail.push(edit.header);
            break;
          case 'many':
            for (let i = 0; i < edit.count; i++) tail.push([`X-Filler-${i}`, String(i)]);
            break;
          case 'noHost':
            noHost = true;
            break;
        }
      }
      const isGet = requestMethod === 'GET' || requestMethod === 'HEAD';
      const list: [string, string][] = [
        ...(contentTypeValue === null ? [] : [['Content-Type', contentTypeValue] as [string, string]]),
        ...authHeader(first),
        ...treaty,
        ...tail,
      ];
      const body = isGet ? Buffer.alloc(0) : Buffer.from(JSON.stringify({ query: op.query, variables: op.variables ?? {} }), 'utf8');
      const request: RawRequest = { method: requestMethod, target: requestTarget, headers: list, body, framing: isGet ? { kind: 'none' } : { kind: 'length' }, ...(noHost ? { noHost: true } : {}) };
      const c = finish(pools, 'headers', edits.map((e) => e.kind).join('+'), request, first);
      // Only GET and POST are served: any other method is 405 (400 where Node refuses the method itself).
      const onlyMethod = edits.length === 1 && edits[0]!.kind === 'method' && !['GET', 'POST', 'HEAD'].includes(requestMethod);
      return onlyMethod ? { ...c, expectStatus: requestMethod === 'OPTIONS' ? [405, 204] : [405, 400] } : c;
    });

  return {
    documents: documents.filter(safe),
    variables: variables.filter(safe),
    bodies: bodies.filter(safe),
    headers: headers.filter(safe),
  };
}

/** No case may name the PENDING request (a mutation on it would succeed and change the database). */
function safe(c: FuzzCase): boolean {
  return !mentionsPendingRequest(c.request.target) && !mentionsPendingRequest(c.request.body.toString('latin1')) && !mentionsPendingRequest(c.request.body.toString('utf8'));
}

function depthArb(max: number): fc.Arbitrary<number> {
  return fc.oneof(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 50, max: 1_000 }), fc.integer({ min: 1_000, max }));
}

function treatyHeaders(agreement?: string, purpose?: string, dataRequest?: string): [string, string][] {
  const out: [string, string][] = [];
  if (agreement !== undefined) out.push(['X-Agreement-Id', agreement]);
  if (purpose !== undefined) out.push(['X-Purpose', purpose]);
  if (dataRequest !== undefined) out.push(['X-Data-Request-Id', dataRequest]);
  return out;
}

function authHeader(auth: AuthOption): [string, string][] {
  return auth.value === null ? [] : [['Authorization', auth.value]];
}

/** Labels a request with the verdicts the oracle needs. */
function finish(pools: Pools, family: FuzzCase['family'], label: string, request: RawRequest, declared: AuthOption): FuzzCase {
  const header = effectiveHeader(request.headers, 'authorization');
  const known = [...pools.valid, ...pools.invalid].find((o) => o.value === header);
  let auth: FuzzCase['auth'];
  let party: string | undefined;
  if (header === undefined) auth = 'invalid';
  else if (known) {
    auth = known.valid ? 'valid' : 'invalid';
    party = known.party;
  } else if (declared.value === header && !declared.valid && declared.note === 'hostile Authorization') {
    // Hostile values made here are never tokens the authenticator could accept.
    auth = 'invalid';
  } else auth = 'unknown';
  // A bare CR or LF (not a CRLF line break) is the server's HTTP parser's to judge: the context cannot be told.
  const bare = wireHeaders(request.headers).some(([n, v]) => /[\r\n]/.test(n) || /[\r\n]/.test(v));
  const context = auth === 'valid' && !bare ? judgeContext(pools.treaty, party, request.headers) : { verdict: 'unknown' as const };
  return {
    family,
    label,
    request,
    auth,
    context: context.verdict,
    ...(context.agreement ? { agreement: context.agreement } : {}),
    ...(context.purpose ? { purpose: context.purpose } : {}),
    ...('aggregateOnly' in context && context.aggregateOnly ? { aggregateOnly: true } : {}),
  };
}

function encoded(text: string, how: string): { label: string; body: Buffer; headers: [string, string][] } {
  const utf8 = Buffer.from(text, 'utf8');
  const label = `encoding ${how}`;
  switch (how) {
    case 'bom':
      return { label, body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]), headers: [JSON_TYPE] };
    case 'utf16le':
      return { label, body: Buffer.from(text, 'utf16le'), headers: [['Content-Type', 'application/json; charset=utf-16le']] };
    case 'utf16-declared':
      return { label, body: utf8, headers: [['Content-Type', 'application/json; charset=utf-16']] };
    case 'latin1':
      return { label, body: Buffer.from(text, 'latin1'), headers: [['Content-Type', 'application/json; charset=iso-8859-1']] };
    case 'bogus-charset':
      return { label, body: utf8, headers: [['Content-Type', 'application/json; charset=x-klingon']] };
    case 'gzip':
      return { label, body: gzipSync(utf8), headers: [JSON_TYPE, ['Content-Encoding', 'gzip']] };
    case 'gzip-twice':
      return { label, body: gzipSync(gzipSync(utf8)), headers: [JSON_TYPE, ['Content-Encoding', 'gzip, gzip']] };
    case 'deflate':
      return { label, body: deflateSync(utf8), headers: [JSON_TYPE, ['Content-Encoding', 'deflate']] };
    case 'gzip-corrupt': {
      const zipped = gzipSync(utf8);
      const middle = Math.floor(zipped.length / 2);
      zipped[middle] = zipped[middle]! ^ 0xff;
      return { label, body: zipped.subarray(0, zipped.length - 3), headers: [JSON_TYPE, ['Content-Encoding', 'gzip']] };
    }
    case 'gzip-bomb':
      return { label, body: gzipBomb(), headers: [JSON_TYPE, ['Content-Encoding', 'gzip']] };
    case 'br':
      return { label, body: utf8, headers: [JSON_TYPE, ['Content-Encoding', 'br']] };
    default:
      return { label, body: utf8, headers: [JSON_TYPE, ['Content-Encoding', 'identity']] };
  }
}

function framed(text: string, how: string): { label: string; body: Buffer; framing: Framing; halfClose?: boolean } {
  const body = Buffer.from(text, 'utf8');
  const label = `framing ${how}`;
  switch (how) {
    case 'chunked':
      return { label, body, framing: { kind: 'chunked', size: 1 + (body.length % 97) } };
    case 'cl-short':
      return { label, body, framing: { kind: 'declared', declared: String(Math.max(0, body.length - 7)) } };
    case 'cl-long-cut':
      return { label, body, framing: { kind: 'declared', declared: String(body.length + 50) }, halfClose: true };
    case 'cl-and-te':
      return { label, body, framing: { kind: 'raw', lines: [`Content-Length: ${body.length}`, 'Transfer-Encoding: chunked'] } };
    case 'no-length':
      return { label, body, framing: { kind: 'none' } };
    case 'cl-negative':
      return { label, body, framing: { kind: 'declared', declared: '-1' } };
    case 'cl-junk':
      return { label, body, framing: { kind: 'declared', declared: `${body.length}abc` } };
    case 'bad-chunk':
      return { label, body: Buffer.from(`zz\r\n${text}\r\n0\r\n\r\n`, 'utf8'), framing: { kind: 'raw', lines: ['Transfer-Encoding: chunked'] } };
    default:
      return { label, body, framing: { kind: 'raw', lines: [`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`] } };
  }
}
