/**
 * The seed material of the hostile-input corpus: valid operations (those of the
 * integration tests and the README, statistics, entitlements, introspection, every
 * mutation), a GraphQL lexer and token-level mutators, document "bombs" (deep nesting,
 * many aliases, directives, fragment fan-out), hostile strings, and a JSON writer that
 * can say what `JSON.stringify` cannot (`__proto__` keys, duplicate keys, numbers out of
 * range, thousands of levels).
 *
 * No stored document may change during the fuzz run, so every mutation here must fail:
 * none names a real pseudonym (they cannot be guessed), and no id of a PENDING data
 * request appears anywhere (`req-0002` is the fixture's only one: withdrawing or deciding
 * it would succeed). `mentionsPendingRequest` is the guard the generators apply to every
 * request they build.
 */

/** The fixture's PENDING request: it must never be named by a fuzz case. */
export const PENDING_REQUEST_ID = 'req-0002';

/** Whether `text` could name the pending request (plainly, or percent- or \u-escaped). */
export function mentionsPendingRequest(text: string): boolean {
  let decoded = text;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    // keep the raw text
  }
  return [text, decoded].some((t) => /req-000(?:2|\\u0032|%32)/i.test(t));
}

export interface CorpusOperation {
  name: string;
  query: string;
  /** Variables that make the operation valid. */
  variables?: Record<string, unknown>;
  operationName?: string;
}

const MIGRANT_ALL_FIELDS = `
  id holder { code name kind } givenName familyName dateOfBirth sex placeOfBirth nationality
  address { line1 city region postalCode country } documents { type number issuingCountry expiresOn }
  legalStatus arrivalDate family { id givenName family { id } } biometrics { fingerprintTemplate faceTemplate }
  health { conditions vulnerabilities } ethnicOrigin religion criminalRecord { convictions { offence year country } }
  victimStatus { status identifiedOn exploitationType } requests { id status }`;

/** Valid operations: reads, statistics, context queries, introspection, and (failing) mutations. */
export const OPERATIONS: readonly CorpusOperation[] = [
  { name: 'me', query: '{ me { sub agency party clearance roles } }' },
  { name: 'typename', query: '{ __typename }' },
  {
    name: 'agreements',
    query:
      'query Agreements { agreements { id title kind parties { code name kind } status effectiveFrom expiresOn minCellSize retentionDays grants { purpose subjectScope categories { category level } specialCategories } } }',
  },
  { name: 'agreement', query: 'query($id: ID!) { agreement(id: $id) { id title status parties { code } } }', variables: { id: 'AGR-MED-TIP-2024' } },
  {
    name: 'migrants-page',
    query:
      'query($filter: MigrantFilter, $first: Int, $after: String) { migrants(filter: $filter, first: $first, after: $after) { totalCount edges { cursor node { id givenName familyName dateOfBirth } } pageInfo { hasNextPage endCursor } } }',
    variables: { filter: { holder: 'ITA' }, first: 5, after: null },
  },
  { name: 'migrants-all', query: `query Everything { migrants(first: 100) { totalCount edges { node { ${MIGRANT_ALL_FIELDS} } } } }` },
  {
    name: 'migrants-fragment',
    query: `query Frag { migrants(first: 3) { edges { node { ...All } } } } fragment All on Migrant { ${MIGRANT_ALL_FIELDS} }`,
  },
  {
    name: 'migrants-filter',
    query:
      'query($n: String, $l: LegalStatus, $d: PartialDate) { migrants(filter: { nationality: $n, legalStatus: $l, arrivedAfter: $d, arrivedBefore: "2026" }, first: 10) { totalCount edges { node { id nationality legalStatus arrivalDate } } } }',
    variables: { n: 'NGA', l: 'ASYLUM_SEEKER', d: '2024' },
  },
  {
    name: 'migrants-names',
    query: 'query($f: MigrantFilter) { migrants(filter: $f, first: 100) { edges { node { id givenName familyName documents { number } } } } }',
    variables: { f: { familyName: 'Okafor', documentNumber: 'A12345678' } },
  },
  { name: 'migrant', query: 'query($id: ID!) { migrant(id: $id) { id givenName religion health { conditions } victimStatus { status } } }', variables: { id: 'p_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } },
  { name: 'data-requests', query: '{ dataRequests(direction: OUTGOING) { id status requestedParty { code } subjects { id } categories validUntil } }' },
  { name: 'data-requests-status', query: 'query($s: RequestStatus, $d: RequestDirection) { dataRequests(direction: $d, status: $s) { id status purpose } }', variables: { s: 'APPROVED', d: 'INCOMING' } },
  { name: 'data-request', query: 'query($id: ID!) { dataRequest(id: $id) { id status agreement { id } subjects { id givenName } } }', variables: { id: 'req-0001' } },
  {
    name: 'statistics',
    query:
      'query Stats($g: [StatDimension!]!, $f: StatisticsFilter) { statistics(groupBy: $g, filter: $f) { groupBy cells { key count suppressed } total suppressedCells minCellSize } }',
    variables: { g: ['NATIONALITY', 'SEX'], f: { holder: 'ITA' } },
  },
  { name: 'statistics-inline', query: '{ statistics(groupBy: [NATIONALITY, VICTIM_STATUS], filter: { holder: "ITA" }) { total cells { key count } } }' },
  {
    name: 'entitlements',
    query: '{ entitlements { agreementId purpose subjectScope clearance fields { coordinate action reason strategy condition } filters { argument permitted } } }',
  },
  { name: 'disclosure-history', query: 'query($m: ID!) { disclosureHistory(migrantId: $m) { edges { node { at party agency agreementId purpose operationName coordinates } } } }', variables: { m: 'p_notapseudonym' } },
  { name: 'audit-integrity', query: '{ auditIntegrity { valid checkedEvents chains firstInvalidEventId } }' },
  { name: 'introspection-type', query: '{ __type(name: "Migrant") { name fields { name description type { name kind ofType { name } } } } }' },
  { name: 'introspection-schema', query: '{ __schema { queryType { name } types { name kind fields { name args { name } } } directives { name } } }' },
  {
    name: 'two-operations',
    query: 'query A { me { party } } query B { agreements { id } } mutation C { withdrawDataRequest(id: "req-0003") { id } }',
    operationName: 'A',
  },
  // Mutations: each fails (no real pseudonym, no PENDING request, roles as they come).
  {
    name: 'submit',
    query:
      'mutation($input: SubmitDataRequestInput!) { submitDataRequest(input: $input) { id status subjects { id } } }',
    variables: {
      input: {
        agreementId: 'AGR-ITA-NGA-READMISSION-2023',
        requestedParty: 'ITA',
        purpose: 'LAW_ENFORCEMENT',
        subjectIds: ['p_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
        categories: ['IDENTITY'],
        justification: 'Case NG-EFCC-2025-201',
        validDays: 30,
      },
    },
  },
  {
    name: 'submit-inline',
    query:
      'mutation { submitDataRequest(input: { agreementId: "AGR-MED-TIP-2024", requestedParty: "ESP", purpose: ANTI_TRAFFICKING, subjectIds: ["m-0001", "p_x"], categories: [IDENTITY, NATIONALITY], justification: "x", validDays: 3650 }) { id } }',
  },
  { name: 'decide', query: 'mutation($id: ID!) { decideDataRequest(id: $id, decision: APPROVE, categories: [IDENTITY], validUntil: "2030-01-01", note: "ok") { id status } }', variables: { id: 'req-0001' } },
  { name: 'deny', query: 'mutation { decideDataRequest(id: "req-0003", decision: DENY, note: "no") { id status } }' },
  { name: 'withdraw', query: 'mutation($id: ID!) { withdrawDataRequest(id: $id) { id status } }', variables: { id: 'req-0003' } },
  { name: 'record-consent', query: 'mutation($m: ID!, $p: Purpose!, $e: String!) { recordConsent(migrantId: $m, purpose: $p, evidence: $e) { migrantId active } }', variables: { m: 'm-0001', p: 'SERVICE_DELIVERY', e: 'signed form' } },
  { name: 'withdraw-consent', query: 'mutation { withdrawConsent(migrantId: "p_AAAA", purpose: SERVICE_DELIVERY) { active } }' },
  {
    name: 'rectify',
    query: 'mutation($id: ID!, $patch: MigrantPatch!) { rectifyMigrant(id: $id, patch: $patch) { id givenName } }',
    variables: { id: 'm-0001', patch: { givenName: 'Changed', address: { country: 'ITA', line1: 'x' }, dateOfBirth: '1990-01-01' } },
  },
  { name: 'erase', query: 'mutation { eraseMigrant(id: "p_BBBBBBBBBBBBBBBBBBBB", reason: "fuzz") }' },
];

// ---------------------------------------------------------------------------------
// Lexing and token-level mutation
// ---------------------------------------------------------------------------------

const TOKEN = /"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|\.\.\.|[!$&()[\]{}:=@|]|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[_A-Za-z][_0-9A-Za-z]*|#[^\n]*|\S/g;

/** The tokens of a document (comments kept as tokens, whitespace dropped). */
export function lex(document: string): string[] {
  return document.match(TOKEN) ?? [];
}

/** Names of the schema and of GraphQL, for insertions and replacements. */
export const NAMES = [
  'query', 'mutation', 'subscription', 'fragment', 'on', 'true', 'false', 'null',
  'me', 'migrants', 'migrant', 'agreements', 'agreement', 'dataRequests', 'dataRequest', 'statistics', 'entitlements',
  'disclosureHistory', 'auditIntegrity', 'submitDataRequest', 'decideDataRequest', 'withdrawDataRequest', 'recordConsent',
  'withdrawConsent', 'rectifyMigrant', 'eraseMigrant', 'edges', 'node', 'cursor', 'pageInfo', 'totalCount', 'id',
  'givenName', 'familyName', 'religion', 'health', 'victimStatus', 'family', 'documents', 'number', 'address', 'holder',
  'filter', 'first', 'after', 'groupBy', 'input', 'patch', 'Migrant', 'Query', 'Mutation', 'MigrantFilter', 'String',
  'Int', 'ID', 'Boolean', 'PartialDate', 'StatDimension', 'NATIONALITY', 'VICTIM_STATUS', 'ANTI_TRAFFICKING', 'APPROVE',
  '__typename', '__schema', '__type', 'include', 'skip', 'deprecated', 'defer', 'stream', 'specifiedBy', 'if',
  'constructor', '__proto__', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'then',
] as const;

export const PUNCTUATORS = ['{', '}', '(', ')', '[', ']', ':', '!', '$', '@', '...', '=', '|', '&', ',', '#', '"', '"""', '\\'] as const;

/** Numbers as GraphQL text, in and out of every range. */
export const NUMBER_TEXTS = [
  '0', '-0', '1', '-1', '2147483647', '2147483648', '-2147483649', '9007199254740993', '99999999999999999999999999',
  '1e309', '-1e309', '1.5', '0.0000001', '1e-400', '00', '0x10', '1_000', 'NaN', 'Infinity', '.5', '5.', '1e',
] as const;

/** GraphQL string literals, well formed and not (escapes, NULs, surrogates, unterminated). */
export const STRING_LITERALS = [
  '""', '"\\u0000"', '"a\\u0000b"', '"\\ud800"', '"\\udfff\\ud800"', '"\\u{10FFFF}"', '"\\u{110000}"', '"\\u{D800}"',
  '"\\x41"', '"\\q"', '"\\u12"', '"unterminated', '"line\nbreak"', '"\u0000raw nul"', '"\ud800raw lone surrogate"',
  '"""block \\""" string"""', '"""unterminated block', '"$where"', '"{ \\"$ne\\": null }"', '"__proto__"',
  '"req-0001"', '"req-0003"', '"req-9999"', '"m-0001"', '"p_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"',
  '"AGR-MED-TIP-2024"', '"ITA"', '"../../../etc/passwd"', '"<script>alert(1)</script>"', '"\'; db.dropDatabase(); //"',
] as const;

export type TokenEdit =
  | { kind: 'delete'; at: number }
  | { kind: 'insert'; at: number; token: string }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'duplicate'; at: number; times: number }
  | { kind: 'replace'; at: number; token: string };

/** Applies `edits` in order to the tokens of `document`; positions wrap around. */
export function applyEdits(document: string, edits: readonly TokenEdit[]): string {
  const tokens = lex(document);
  for (const edit of edits) {
    const n = tokens.length;
    const at = (i: number): number => (n === 0 ? 0 : i % n);
    switch (edit.kind) {
      case 'delete':
        if (n > 0) tokens.splice(at(edit.at), 1);
        break;
      case 'insert':
        tokens.splice(n === 0 ? 0 : edit.at % (n + 1), 0, edit.token);
        break;
      case 'swap':
        if (n > 1) {
          const a = at(edit.a);
          const b = at(edit.b);
          [tokens[a], tokens[b]] = [tokens[b]!, tokens[a]!];
        }
        break;
      case 'duplicate':
        if (n > 0) tokens.splice(at(edit.at), 0, ...Array.from({ length: edit.times }, () => tokens[at(edit.at)]!));
        break;
      case 'replace':
        if (n > 0) tokens[at(edit.at)] = edit.token;
        break;
    }
  }
  // Comments run to the end of the line: keep each on its own line.
  return tokens.map((t) => (t.startsWith('#') ? `${t}\n` : t)).join(' ');
}

// ---------------------------------------------------------------------------------
// Document bombs
// ---------------------------------------------------------------------------------

export type Bomb =
  | { kind: 'deepFields'; depth: number }
  | { kind: 'deepFamily'; depth: number }
  | { kind: 'deepInlineFragments'; depth: number }
  | { kind: 'deepListValue'; depth: number }
  | { kind: 'deepObjectValue'; depth: number }
  | { kind: 'aliases'; count: number; heavy: boolean }
  | { kind: 'directives'; count: number }
  | { kind: 'fragmentFanOut'; levels: number; width: number }
  | { kind: 'fragmentCycle'; length: number }
  | { kind: 'manyOperations'; count: number }
  | { kind: 'manyVariables'; count: number }
  | { kind: 'longName'; length: number }
  | { kind: 'wideSelection'; count: number }
  | { kind: 'bigFirst'; first: string };

export function bombDocument(bomb: Bomb): string {
  switch (bomb.kind) {
    case 'deepFields':
      return `{${' a {'.repeat(bomb.depth)} b ${'}'.repeat(bomb.depth)} }`;
    case 'deepFamily':
      return `{ migrants(first: 100) { edges { node {${' family {'.repeat(bomb.depth)} id givenName ${'}'.repeat(bomb.depth)} } } } }`;
    case 'deepInlineFragments':
      return `{${' ... on Query {'.repeat(bomb.depth)} me { party } ${'}'.repeat(bomb.depth)} }`;
    case 'deepListValue':
      return `{ statistics(groupBy: ${'['.repeat(bomb.depth)}NATIONALITY${']'.repeat(bomb.depth)}) { total } }`;
    case 'deepObjectValue':
      return `{ migrants(filter: ${'{ holder: '.repeat(bomb.depth)}"ITA"${' }'.repeat(bomb.depth)}, first: 1) { totalCount } }`;
    case 'aliases': {
      const field = bomb.heavy ? 'migrants(first: 500) { totalCount edges { node { id givenName family { id } } } }' : '__typename';
      return `{ ${Array.from({ length: bomb.count }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
    }
    case 'directives':
      return `{ me ${Array.from({ length: bomb.count }, (_, i) => (i % 2 ? '@include(if: true)' : '@skip(if: false)')).join(' ')} { party } }`;
    case 'fragmentFanOut': {
      // "Billion laughs": each level spreads the next `width` times.
      const defs = Array.from({ length: bomb.levels }, (_, i) =>
        `fragment F${i} on Query { ${i + 1 < bomb.levels ? Array.from({ length: bomb.width }, () => `...F${i + 1}`).join(' ') : 'me { party } __typename'} }`,
      );
      return `query Bomb { ...F0 } ${defs.join(' ')}`;
    }
    case 'fragmentCycle': {
      const defs = Array.from({ length: bomb.length }, (_, i) => `fragment C${i} on Query { me { party } ...C${(i + 1) % bomb.length} }`);
      return `{ ...C0 } ${defs.join(' ')}`;
    }
    case 'manyOperations':
      return Array.from({ length: bomb.count }, (_, i) => `query Op${i} { me { party } }`).join(' ');
    case 'manyVariables':
      return `query(${Array.from({ length: bomb.count }, (_, i) => `$v${i}: String`).join(', ')}) { me { party } }`;
    case 'longName':
      return `{ ${'a'.repeat(bomb.length)} }`;
    case 'wideSelection':
      return `{ migrants(first: 100) { edges { node { ${Array.from({ length: bomb.count }, () => 'id givenName').join(' ')} } } } }`;
    case 'bigFirst':
      return `{ migrants(first: ${bomb.first}) { totalCount edges { node { id } } } }`;
  }
}

// ---------------------------------------------------------------------------------
// Hostile values
// ---------------------------------------------------------------------------------

/** Strings a careless server mishandles. */
export const HOSTILE_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', '\udc00', 'x\udfff\ud800y', '\ufeff', '\uffff', '\u202e', '\r\n', '\t',
  '__proto__', 'constructor', 'prototype', '$where', '$ne', '{"$gt": ""}', 'this.a == 1', "'; return true; //",
  '../../etc/passwd', '%00', '%s%s%s%n', '${7*7}', '{{7*7}}', '<script>alert(1)</script>', 'null', 'undefined', 'NaN',
  'ITA', 'AGR-MED-TIP-2024', 'ANTI_TRAFFICKING', 'req-0001', 'req-0003', 'req-9999', 'm-0001',
  'p_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'p_', 'p_\u0000', 'p_%%%%', '2024-02-30', '1994', '9999-99-99',
  'NATIONALITY', 'SEX', 'UNKNOWN', 'E11000 duplicate key', 'MongoServerError',
] as const;

/** A JSON value with everything JSON text can carry. */
export type JsonAst =
  | { t: 'string'; v: string }
  | { t: 'number'; raw: string }
  | { t: 'bool'; v: boolean }
  | { t: 'null' }
  | { t: 'array'; items: JsonAst[] }
  | { t: 'object'; entries: [string, JsonAst][] }
  /** `depth` levels of `[` or `{"k":` around `leaf`. */
  | { t: 'deep'; depth: number; shape: 'array' | 'object'; key: string; leaf: JsonAst }
  /** A string of `length` code units repeating `unit`. */
  | { t: 'huge'; unit: string; length: number };

export function jsonText(value: JsonAst): string {
  switch (value.t) {
    case 'string':
      return JSON.stringify(value.v);
    case 'number':
      return value.raw;
    case 'bool':
      return String(value.v);
    case 'null':
      return 'null';
    case 'array':
      return `[${value.items.map(jsonText).join(',')}]`;
    case 'object':
      return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`;
    case 'deep': {
      const open = value.shape === 'array' ? '[' : `{${JSON.stringify(value.key)}:`;
      const close = value.shape === 'array' ? ']' : '}';
      return `${open.repeat(value.depth)}${jsonText(value.leaf)}${close.repeat(value.depth)}`;
    }
    case 'huge': {
      const unit = value.unit.length === 0 ? 'x' : value.unit;
      return JSON.stringify(unit.repeat(Math.ceil(value.length / unit.length)).slice(0, value.length));
    }
  }
}

/** A plain value as a JSON AST (object keys kept as given). */
export function toAst(value: unknown): JsonAst {
  if (value === null || value === undefined) return { t: 'null' };
  if (typeof value === 'string') return { t: 'string', v: value };
  if (typeof value === 'number') return { t: 'number', raw: JSON.stringify(value) };
  if (typeof value === 'boolean') return { t: 'bool', v: value };
  if (Array.isArray(value)) return { t: 'array', items: value.map(toAst) };
  return { t: 'object', entries: Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toAst(v)]) };
}
