/**
 * Corruptions of an import file (contract section 6) as fast-check arbitraries, each of
 * which makes the file invalid, with the problem the importer must name for it:
 *
 *  - a field set to a value no field accepts (a boolean, a list holding a boolean, 1.5,
 *    "", a NUL, a string longer than any limit, thousands of levels of JSON, an object
 *    with a `__proto__` key), or to a value its kind refuses (an impossible date, an
 *    unknown enum member, a malformed id, party or country code);
 *  - a required field deleted; an unknown key added (`__proto__`, `constructor`, ...);
 *  - a record's id copied onto another record of its collection (the later one is named);
 *  - a reference to a record that is neither in the file nor stored;
 *  - lists longer than allowed; dates out of order; a request to its own party;
 *  - a record, a collection or the whole file of the wrong shape; unknown top-level keys;
 *  - at the text level: truncated JSON, raw NUL bytes, invalid UTF-8 bytes, junk after
 *    the world, not JSON at all.
 *
 * Record-level corruptions of one case hit distinct records (and a duplicated id's source
 * is left alone), so that each one's problem is reported on its own.
 */
import fc from 'fast-check';

export type Segment = string | number;
export type World = Record<string, unknown[]>;

export const COLLECTIONS = ['parties', 'agreements', 'migrants', 'dataRequests', 'consents'] as const;
export type CollectionName = (typeof COLLECTIONS)[number];

/** A value written as given into the JSON text (for what JSON.stringify cannot make cheaply). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** What the importer must report for a corruption. */
export interface Expectation {
  collection: string;
  index: number | null;
  /** The problem's field is this path, or a path below it. */
  field: string;
  /** Only that field, not one below it. */
  exact?: boolean;
}

export type Corruption =
  | { kind: 'badValue'; collection: CollectionName; index: number; path: Segment[]; value: unknown; note: string }
  | { kind: 'delete'; collection: CollectionName; index: number; path: Segment[] }
  | { kind: 'unknownKey'; collection: CollectionName; index: number; path: Segment[]; key: string }
  | { kind: 'duplicate'; collection: CollectionName; from: number; index: number }
  | { kind: 'dangling'; collection: CollectionName; index: number; path: Segment[]; id: string }
  | { kind: 'tooMany'; collection: 'migrants'; index: number; field: 'familyIds' | 'documents' | 'health'; count: number }
  | { kind: 'order'; collection: CollectionName; index: number; field: string; value: string }
  | { kind: 'recordShape'; collection: CollectionName; index: number; value: unknown }
  | { kind: 'collectionShape'; collection: CollectionName; value: unknown }
  | { kind: 'rootKey'; key: string }
  | { kind: 'rootShape'; value: unknown };

export type TextCorruption =
  | { kind: 'truncate'; at: number }
  | { kind: 'nul'; at: number }
  | { kind: 'invalidUtf8'; at: number; bytes: number[] }
  | { kind: 'junkAfter'; junk: string }
  | { kind: 'notJson'; text: string };

export interface CorruptWorld {
  corruptions: Corruption[];
  text: TextCorruption | null;
}

// ---------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------

export function pathText(path: readonly Segment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every path inside a record (objects' keys and lists' entries), parents before children. */
export function pathsOf(value: unknown, prefix: Segment[] = []): Segment[][] {
  const out: Segment[][] = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push([...prefix, i], ...pathsOf(v, [...prefix, i])));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) out.push([...prefix, k], ...pathsOf(v, [...prefix, k]));
  return out;
}

/** Paths to the record itself and to every nested object (where unknown keys can go). */
function objectPaths(record: unknown): Segment[][] {
  return [[], ...pathsOf(record).filter((p) => isObject(getAt(record, p)))];
}

export function getAt(root: unknown, path: readonly Segment[]): unknown {
  let node = root;
  for (const s of path) node = (node as Record<string | number, unknown>)[s];
  return node;
}

function setAt(root: unknown, path: readonly Segment[], value: unknown): void {
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  Object.defineProperty(parent, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
}

function deleteAt(root: unknown, path: readonly Segment[]): void {
  const parent = getAt(root, path.slice(0, -1)) as Record<string, unknown>;
  delete parent[path[path.length - 1] as string];
}

/** An object with one own, enumerable key (also `__proto__`). */
function objectWith(key: string, value: unknown): Record<string, unknown> {
  return Object.defineProperty({}, key, { value, enumerable: true, writable: true, configurable: true });
}

// ---------------------------------------------------------------------------------
// Serialising (own keys only, `__proto__` included; RawJson as is)
// ---------------------------------------------------------------------------------

export function serialise(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(serialise).join(',')}]`;
  if (isObject(value)) return `{${Object.keys(value).map((k) => `${JSON.stringify(k)}:${serialise(value[k])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

// ---------------------------------------------------------------------------------
// Field kinds of the import format (for kind-specific bad values)
// ---------------------------------------------------------------------------------

const DATE_FIELDS = new Set(['recordedAt', 'dateOfBirth', 'arrivalDate', 'expiresOn', 'identifiedOn', 'effectiveFrom', 'submittedAt', 'decidedAt', 'validUntil', 'givenAt', 'withdrawnAt']);
const ENUM_FIELDS = new Set(['kind', 'status', 'purpose', 'subjectScope', 'sex', 'legalStatus', 'type', 'exploitationType', 'specialCategories', 'vulnerabilities']);
const ID_FIELDS = new Set(['id', 'agreementId', 'migrantId', 'familyIds', 'subjectIds']);
const PARTY_FIELDS = new Set(['code', 'holder', 'parties', 'requestingParty', 'requestedParty']);
const COUNTRY_FIELDS = new Set(['nationality', 'country', 'issuingCountry']);

/** The name that says what a path holds: its last named segment. */
function fieldName(path: readonly Segment[]): string {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === 'string') return path[i] as string;
  return '';
}

/** Values no field of the import format accepts. */
const universalBad: fc.Arbitrary<{ value: unknown; note: string }> = fc.oneof(
  fc.constantFrom(
    { value: true, note: 'true' },
    { value: false, note: 'false' },
    { value: [true], note: '[true]' },
    { value: 1.5, note: '1.5' },
    { value: -1.5, note: '-1.5' },
    { value: '', note: 'empty string' },
    { value: '   ', note: 'blank string' },
    { value: '\u0000', note: 'NUL' },
    { value: 'ITA\u0000', note: 'ITA and a NUL' },
    { value: 'AGR-MED-TIP-2024\u0000', note: 'an id and a NUL' },
    { value: objectWith('__proto__', { polluted: true }), note: '{ __proto__ }' },
    { value: objectWith('constructor', { prototype: { polluted: true } }), note: '{ constructor.prototype }' },
    { value: new RawJson('1e400'), note: '1e400' },
  ),
  fc.integer({ min: 20_001, max: 300_000 }).map((n) => ({ value: `${'x'.repeat(n - 1)}\u0000`, note: `string of ${n} characters` })),
  fc.integer({ min: 20_001, max: 300_000 }).map((n) => ({ value: 'y'.repeat(n), note: `string of ${n} characters` })),
  fc.integer({ min: 1_000, max: 50_000 }).map((n) => ({ value: new RawJson(`${'['.repeat(n)}${']'.repeat(n)}`), note: `${n} nested lists` })),
  fc.integer({ min: 1_000, max: 20_000 }).map((n) => ({ value: new RawJson(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`), note: `${n} nested objects` })),
);

/** Values the field's own kind refuses (null when the field has no such kind here). */
function kindBad(path: readonly Segment[], choice: number): { value: unknown; note: string } | null {
  const name = fieldName(path);
  const inCategoryMap = path.includes('categories') && typeof path[path.length - 1] === 'string' && path[path.length - 1] !== 'categories';
  const pick = (values: string[]): { value: unknown; note: string } => {
    const value = values[choice % values.length]!;
    return { value, note: JSON.stringify(value) };
  };
  if (DATE_FIELDS.has(name)) return pick(['2023-02-30', '2024-13-01', '24-01-01', '2024-1-1', '2024-01-01T00:00:00Z', '0000-00-00', '2024-02-29x']);
  if (ENUM_FIELDS.has(name) || inCategoryMap || (name === 'categories' && typeof path[path.length - 1] === 'number')) return pick(['SIGHTSEEING', 'full', 'Anti_Trafficking', '__proto__', 'NONE ']);
  if (ID_FIELDS.has(name)) return pick(['-starts-with-dash', 'has space', 'ümlaut', `${'i'.repeat(129)}`, '__proto__', 'a/b']);
  if (PARTY_FIELDS.has(name)) return pick(['ita', 'I', 'ITALIA-REPUBLIC', 'IT A', '__proto__']);
  if (COUNTRY_FIELDS.has(name)) return pick(['IT', 'ita', 'ITAL', 'I1A']);
  return null;
}

// ---------------------------------------------------------------------------------
// The arbitraries
// ---------------------------------------------------------------------------------

/** References from one record to another, by collection: path patterns and what they name. */
function referencePaths(collection: CollectionName, record: Record<string, unknown>): { path: Segment[]; to: 'parties' | 'agreements' | 'migrants' }[] {
  const out: { path: Segment[]; to: 'parties' | 'agreements' | 'migrants' }[] = [];
  const list = (field: string, to: 'parties' | 'agreements' | 'migrants'): void => {
    const value = record[field];
    if (Array.isArray(value)) value.forEach((_, i) => out.push({ path: [field, i], to }));
  };
  switch (collection) {
    case 'agreements':
      list('parties', 'parties');
      break;
    case 'migrants':
      out.push({ path: ['holder'], to: 'parties' });
      list('familyIds', 'migrants');
      break;
    case 'dataRequests':
      out.push({ path: ['agreementId'], to: 'agreements' }, { path: ['requestingParty'], to: 'parties' }, { path: ['requestedParty'], to: 'parties' });
      list('subjectIds', 'migrants');
      break;
    case 'consents':
      out.push({ path: ['migrantId'], to: 'migrants' });
      break;
    case 'parties':
      break;
  }
  return out;
}

const KEY_FIELDS: Record<CollectionName, string[]> = {
  parties: ['code'],
  agreements: ['id'],
  migrants: ['id'],
  dataRequests: ['id'],
  consents: ['migrantId', 'purpose', 'givenAt'],
};
const KEY_FIELD_REPORTED: Record<CollectionName, string> = { parties: 'code', agreements: 'id', migrants: 'id', dataRequests: 'id', consents: 'givenAt' };

const UNKNOWN_IDS = { parties: ['ZZZ', 'XX9', 'ATLANTIS'], agreements: ['AGR-NOPE-1', 'AGR-MED-TIP-2099'], migrants: ['m-9999', 'ghost-1', 'm-0001x'] };

export function corruptWorldArbitrary(world: World): fc.Arbitrary<CorruptWorld> {
  const sizes = COLLECTIONS.map((c) => world[c]?.length ?? 0);
  const recordArb = fc.tuple(fc.nat({ max: COLLECTIONS.length - 1 }), fc.nat()).map(([c, i]) => {
    const collection = COLLECTIONS[c]!;
    const index = i % sizes[c]!;
    return { collection, index, record: world[collection]![index] as Record<string, unknown> };
  });

  const badValue = fc.tuple(recordArb, fc.nat(), fc.boolean(), universalBad, fc.nat()).map(([{ collection, index, record }, p, ofKind, universal, choice]): Corruption => {
    const paths = pathsOf(record);
    const path = paths[p % paths.length]!;
    const specific = ofKind ? kindBad(path, choice) : null;
    const { value, note } = specific ?? universal;
    return { kind: 'badValue', collection, index, path, value, note };
  });
  const deleteField = fc.tuple(recordArb, fc.nat()).map(([{ collection, index, record }, p]): Corruption | null => {
    // Optional fields and the entries of a grant's category map may be left out.
    const paths = pathsOf(record).filter((path) => typeof path[path.length - 1] === 'string' && !['decisionNote', 'evidence'].includes(path[path.length - 1] as string) && !(path.length >= 3 && path[path.length - 2] === 'categories'));
    return paths.length === 0 ? null : { kind: 'delete', collection, index, path: paths[p % paths.length]! };
  });
  const unknownKey = fc.tuple(recordArb, fc.nat(), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'extra', '', 'IDENTITY ', '$where', '\u001b[2J', 'a\u0000b', '\nfile.json: (root) field forged: line')).map(([{ collection, index, record }, p, key]): Corruption => {
    const paths = objectPaths(record);
    return { kind: 'unknownKey', collection, index, path: paths[p % paths.length]!, key };
  });
  const duplicate = fc.tuple(fc.nat({ max: COLLECTIONS.length - 1 }), fc.nat(), fc.nat()).map(([c, a, b]): Corruption | null => {
    const collection = COLLECTIONS[c]!;
    const size = sizes[c]!;
    if (size < 2) return null;
    const from = a % size;
    const index = (from + 1 + (b % (size - 1))) % size;
    return { kind: 'duplicate', collection, from, index };
  });
  const dangling = fc.tuple(recordArb, fc.nat(), fc.nat()).map(([{ collection, index, record }, p, k]): Corruption | null => {
    const refs = referencePaths(collection, record);
    if (refs.length === 0) return null;
    const ref = refs[p % refs.length]!;
    const ids = UNKNOWN_IDS[ref.to];
    return { kind: 'dangling', collection, index, path: ref.path, id: ids[k % ids.length]! };
  });
  const tooMany = fc.tuple(fc.nat(), fc.constantFrom('familyIds' as const, 'documents' as const, 'health' as const), fc.integer({ min: 1, max: 500 })).map(([i, field, extra]): Corruption => ({
    kind: 'tooMany',
    collection: 'migrants',
    index: i % sizes[COLLECTIONS.indexOf('migrants')]!,
    field,
    count: extra,
  }));
  const order = fc.tuple(fc.constantFrom(
    ['agreements', 'expiresOn'] as const,
    ['consents', 'withdrawnAt'] as const,
    ['dataRequests', 'decidedAt'] as const,
    ['dataRequests', 'requestedParty'] as const,
  ), fc.nat()).map(([[collection, field], i]): Corruption => {
    const index = i % sizes[COLLECTIONS.indexOf(collection)]!;
    const record = world[collection]![index] as Record<string, unknown>;
    const value = field === 'requestedParty' ? String(record['requestingParty']) : '1900-01-01';
    return { kind: 'order', collection, index, field, value };
  });
  const recordShape = fc.tuple(recordArb, fc.constantFrom<unknown>('x', 1, null, [], true, [{}])).map(([{ collection, index }, value]): Corruption => ({ kind: 'recordShape', collection, index, value }));
  const collectionShape = fc.tuple(fc.constantFrom(...COLLECTIONS), fc.constantFrom<unknown>({}, 'x', 1, null, true, objectWith('0', {}))).map(([collection, value]): Corruption => ({ kind: 'collectionShape', collection, value }));
  const rootKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'Parties', 'migrant', '', '\u001b]0;title\u0007', '\r\n').map((key): Corruption => ({ kind: 'rootKey', key }));
  const rootShape = fc.constantFrom<unknown>([], 'world', 1, null, true, new RawJson('[{"parties":[]}]')).map((value): Corruption => ({ kind: 'rootShape', value }));

  const corruption: fc.Arbitrary<Corruption | null> = fc.oneof(
    { weight: 8, arbitrary: badValue },
    { weight: 3, arbitrary: deleteField },
    { weight: 3, arbitrary: unknownKey },
    { weight: 2, arbitrary: duplicate },
    { weight: 3, arbitrary: dangling },
    { weight: 1, arbitrary: tooMany },
    { weight: 1, arbitrary: order },
    { weight: 1, arbitrary: recordShape },
    { weight: 1, arbitrary: collectionShape },
    { weight: 1, arbitrary: rootKey },
    { weight: 1, arbitrary: rootShape },
  );
  const text: fc.Arbitrary<TextCorruption> = fc.oneof(
    fc.nat().map((at): TextCorruption => ({ kind: 'truncate', at })),
    fc.nat().map((at): TextCorruption => ({ kind: 'nul', at })),
    fc.tuple(fc.nat(), fc.constantFrom<number[]>([0xff], [0xfe], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80])).map(([at, bytes]): TextCorruption => ({ kind: 'invalidUtf8', at, bytes })),
    fc.constantFrom(' x', ',', '}', ' {}', '\u0000', ' null').map((junk): TextCorruption => ({ kind: 'junkAfter', junk })),
    fc.oneof(fc.constantFrom('', ' ', 'undefined', "{'parties': []}", '{"parties": [}', 'NaN', '{"parties": [] /* c */}'), fc.string({ unit: 'binary', maxLength: 50 }).filter(notJson)).map((t): TextCorruption => ({ kind: 'notJson', text: t })),
  );

  return fc
    .oneof(
      { weight: 5, arbitrary: fc.record({ list: fc.array(corruption, { minLength: 1, maxLength: 4 }), text: fc.option(text, { freq: 5 }) }) },
      // The text alone: a valid world whose file is broken (so only the text can be blamed).
      { weight: 1, arbitrary: fc.record({ list: fc.constant<(Corruption | null)[]>([]), text }) },
    )
    .map(({ list, text: t }) => ({ corruptions: normalise(list.filter((c): c is Corruption => c !== null)), text: t }))
    .filter((c) => c.corruptions.length > 0 || c.text !== null);
}

function notJson(text: string): boolean {
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}

/** Keeps corruptions that cannot hide one another: distinct records, sources untouched, shapes first. */
function normalise(list: Corruption[]): Corruption[] {
  const root = list.find((c) => c.kind === 'rootShape');
  if (root) return [root];
  const reshaped = new Set(list.filter((c) => c.kind === 'collectionShape').map((c) => c.collection));
  const out: Corruption[] = [];
  const touched = new Set<string>();
  const sources = new Set<string>();
  const seenCollections = new Set<string>();
  const seenRootKeys = new Set<string>();
  for (const c of list) {
    if (c.kind === 'collectionShape') {
      if (!seenCollections.has(c.collection)) out.push(c);
      seenCollections.add(c.collection);
      continue;
    }
    if (c.kind === 'rootKey') {
      if (!seenRootKeys.has(c.key) && !(COLLECTIONS as readonly string[]).includes(c.key)) out.push(c);
      seenRootKeys.add(c.key);
      continue;
    }
    if (c.kind === 'rootShape' || reshaped.has(c.collection)) continue;
    const target = `${c.collection}/${c.index}`;
    if (touched.has(target) || sources.has(target)) continue;
    if (c.kind === 'duplicate') {
      const source = `${c.collection}/${c.from}`;
      if (touched.has(source)) continue;
      sources.add(source);
    }
    touched.add(target);
    out.push(c);
  }
  return out;
}

// ---------------------------------------------------------------------------------
// Applying a corruption, and what the importer must say
// ---------------------------------------------------------------------------------

/** Applies the corruptions to a copy of `world`; returns the file's bytes and the expectations. */
export function corrupt(world: World, plan: CorruptWorld): { bytes: Buffer; expectations: Expectation[]; invalidJson: boolean } {
  let root: unknown = structuredClone(world);
  const expectations: Expectation[] = [];
  for (const c of plan.corruptions) {
    const w = root as World;
    switch (c.kind) {
      case 'badValue':
        setAt(w[c.collection]![c.index], c.path, c.value);
        expectations.push({ collection: c.collection, index: c.index, field: pathText(c.path) });
        break;
      case 'delete':
        deleteAt(w[c.collection]![c.index], c.path);
        expectations.push({ collection: c.collection, index: c.index, field: pathText(c.path), exact: true });
        break;
      case 'unknownKey': {
        const target = getAt(w[c.collection]![c.index], c.path) as Record<string, unknown>;
        Object.defineProperty(target, c.key, { value: { injected: true }, enumerable: true, writable: true, configurable: true });
        expectations.push({ collection: c.collection, index: c.index, field: c.path.length === 0 ? c.key : `${pathText(c.path)}.${c.key}`, exact: true });
        break;
      }
      case 'duplicate': {
        const from = w[c.collection]![c.from] as Record<string, unknown>;
        const to = w[c.collection]![c.index] as Record<string, unknown>;
        for (const key of KEY_FIELDS[c.collection]) to[key] = from[key];
        expectations.push({ collection: c.collection, index: Math.max(c.from, c.index), field: KEY_FIELD_REPORTED[c.collection], exact: true });
        break;
      }
      case 'dangling':
        setAt(w[c.collection]![c.index], c.path, c.id);
        expectations.push({ collection: c.collection, index: c.index, field: pathText(c.path), exact: true });
        break;
      case 'tooMany': {
        const record = w[c.collection]![c.index] as Record<string, unknown>;
        if (c.field === 'familyIds') record['familyIds'] = Array.from({ length: 200 + c.count }, (_, i) => `m-${String(i + 20_000)}`);
        if (c.field === 'documents') record['documents'] = Array.from({ length: 50 + c.count }, (_, i) => ({ type: 'PASSPORT', number: `N${i}`, issuingCountry: 'NGA', expiresOn: null }));
        if (c.field === 'health') record['health'] = { conditions: Array.from({ length: 100 + c.count }, (_, i) => `condition ${i}`), vulnerabilities: [] };
        expectations.push({ collection: c.collection, index: c.index, field: c.field === 'health' ? 'health.conditions' : c.field, exact: true });
        break;
      }
      case 'order':
        (w[c.collection]![c.index] as Record<string, unknown>)[c.field] = c.value;
        expectations.push({ collection: c.collection, index: c.index, field: c.field, exact: true });
        break;
      case 'recordShape':
        w[c.collection]![c.index] = c.value;
        expectations.push({ collection: c.collection, index: c.index, field: '(record)', exact: true });
        break;
      case 'collectionShape':
        (w as Record<string, unknown>)[c.collection] = c.value;
        expectations.push({ collection: c.collection, index: null, field: '(collection)', exact: true });
        break;
      case 'rootKey':
        Object.defineProperty(w, c.key, { value: [], enumerable: true, writable: true, configurable: true });
        expectations.push({ collection: '(root)', index: null, field: c.key, exact: true });
        break;
      case 'rootShape':
        root = c.value;
        expectations.push({ collection: '(root)', index: null, field: '(root)', exact: true });
        break;
    }
  }
  let bytes = Buffer.from(serialise(root), 'utf8');
  const t = plan.text;
  if (t === null) return { bytes, expectations, invalidJson: false };
  // The text-level corruption decides: the file must be refused before validation.
  const close = bytes.lastIndexOf('}'.charCodeAt(0));
  switch (t.kind) {
    case 'truncate':
      bytes = bytes.subarray(0, t.at % Math.max(1, close > 0 ? close : bytes.length));
      break;
    case 'nul': {
      const at = t.at % (bytes.length + 1);
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([0]), bytes.subarray(at)]);
      break;
    }
    case 'invalidUtf8': {
      const at = t.at % (bytes.length + 1);
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(t.bytes), bytes.subarray(at)]);
      break;
    }
    case 'junkAfter':
      bytes = Buffer.concat([bytes, Buffer.from(t.junk, 'utf8')]);
      break;
    case 'notJson':
      bytes = Buffer.from(t.text, 'utf8');
      break;
  }
  return { bytes, expectations: [], invalidJson: true };
}

/** A one-line account of a plan (for failure messages). */
export function describePlan(plan: CorruptWorld): string {
  const one = (c: Corruption): string => {
    switch (c.kind) {
      case 'badValue':
        return `${c.collection}[${c.index}].${pathText(c.path)} = ${c.note}`;
      case 'delete':
        return `delete ${c.collection}[${c.index}].${pathText(c.path)}`;
      case 'unknownKey':
        return `${c.collection}[${c.index}]${c.path.length ? `.${pathText(c.path)}` : ''} gets key ${JSON.stringify(c.key)}`;
      case 'duplicate':
        return `${c.collection}[${c.index}] takes the id of ${c.collection}[${c.from}]`;
      case 'dangling':
        return `${c.collection}[${c.index}].${pathText(c.path)} = ${c.id} (unknown)`;
      case 'tooMany':
        return `${c.collection}[${c.index}].${c.field} over its limit by ${c.count}`;
      case 'order':
        return `${c.collection}[${c.index}].${c.field} = ${c.value}`;
      case 'recordShape':
        return `${c.collection}[${c.index}] = ${JSON.stringify(c.value)}`;
      case 'collectionShape':
        return `${c.collection} = ${JSON.stringify(c.value)}`;
      case 'rootKey':
        return `top-level key ${JSON.stringify(c.key)}`;
      case 'rootShape':
        return `the file is ${c.value instanceof RawJson ? c.value.text : JSON.stringify(c.value)}`;
    }
  };
  const text = plan.text ? `; then text: ${JSON.stringify(plan.text)}` : '';
  return `${plan.corruptions.map(one).join('; ')}${text}`;
}
