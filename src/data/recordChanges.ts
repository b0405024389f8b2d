/**
 * What changed in a record, as schema coordinates (never values): what a rectification
 * is audited with, and what its recipients are told (notices).
 *
 * A stored field maps to the coordinate of the schema field that shows it: top-level
 * fields to `Migrant.<field>` (`familyIds` to `Migrant.family`), fields of a nested
 * object to `<Type>.<field>` (`address.city` to `Address.city`), and a list of objects
 * (documents, convictions) compares position by position, so a document added, removed
 * or corrected changes each of its fields' coordinates. Every nested coordinate has the
 * Migrant field that holds it as its parent: a recipient received a nested field when
 * it received the coordinate itself or, for a field without an annotation of its own
 * (which shares its parent's decision), the parent.
 *
 * Pure: no I/O.
 */
import { MIGRANT_FIELDS, PARENT_OF_TYPE } from './migrantFields';
import type { WorldMigrant } from './world';

type Plain = Record<string, unknown>;


const SCALARS = MIGRANT_FIELDS.filter((f) => !f.object && f.path !== null && f.path !== 'familyIds').map((f) => f.path as keyof PersonalFields);
const OBJECTS = MIGRANT_FIELDS.flatMap((f) => (f.object && !f.object.list && !f.object.items && f.path ? [{ field: f.path as keyof PersonalFields, type: f.object.type, fields: f.object.fields.map((n) => n.field) }] : []));
const DOCUMENTS = MIGRANT_FIELDS.find((f) => f.path === 'documents')!.object!;
const CRIMINAL_RECORD = MIGRANT_FIELDS.find((f) => f.path === 'criminalRecord')!.object!;
const CONVICTIONS = CRIMINAL_RECORD.items!;

/** The stored fields a record holds beyond its identity (id, holder, recordedAt). */
export type PersonalFields = Omit<WorldMigrant, 'id' | 'holder' | 'recordedAt'>;

/** The coordinates whose value differs between two versions of a record, sorted. */
export function changedCoordinates(before: PersonalFields, after: PersonalFields): string[] {
  const out = new Set<string>();
  for (const field of SCALARS) if (!same(before[field], after[field])) out.add(`Migrant.${field}`);
  if (!same(before.familyIds, after.familyIds)) out.add('Migrant.family');
  for (const { field, type, fields } of OBJECTS) {
    const a = before[field] as Plain | null;
    const b = after[field] as Plain | null;
    if (same(a, b)) continue;
    out.add(`Migrant.${field}`);
    for (const f of fields) if (!same(a?.[f] ?? null, b?.[f] ?? null)) out.add(`${type}.${f}`);
  }
  listChanges(before.documents, after.documents, 'Migrant.documents', DOCUMENTS.type, DOCUMENTS.fields.map((f) => f.field), out);
  const convictions = (m: PersonalFields) => (m.criminalRecord === null ? null : m.criminalRecord.convictions);
  if (!same(before.criminalRecord, after.criminalRecord)) {
    out.add('Migrant.criminalRecord');
    if (!same(convictions(before), convictions(after))) out.add(`${CRIMINAL_RECORD.type}.${CONVICTIONS.field}`);
    listChanges(convictions(before) ?? [], convictions(after) ?? [], 'Migrant.criminalRecord', CONVICTIONS.type, CONVICTIONS.fields, out);
  }
  return [...out].sort();
}

/** The coordinates that hold a value in a record (what an erasure removes), sorted. */
export function recordedCoordinates(record: PersonalFields): string[] {
  const empty: PersonalFields = {
    givenName: null, familyName: null, dateOfBirth: null, sex: null, nationality: null, placeOfBirth: null, address: null,
    documents: [], legalStatus: null, arrivalDate: null, familyIds: [], biometrics: null, health: null, ethnicOrigin: null,
    religion: null, criminalRecord: null, victimStatus: null,
  };
  return changedCoordinates(empty, record);
}

/**
 * Whether a recipient that received `received` (coordinates) received `coordinate`: the
 * coordinate itself, or, for a nested field without an annotation of its own, its parent.
 */
export function receivedCoordinate(coordinate: string, received: ReadonlySet<string>, annotated: (coordinate: string) => boolean): boolean {
  if (received.has(coordinate)) return true;
  const parent = PARENT_OF_TYPE[coordinate.slice(0, coordinate.indexOf('.'))];
  return parent !== undefined && !annotated(coordinate) && received.has(parent);
}

function listChanges(before: readonly object[], after: readonly object[], parent: string, type: string, fields: readonly string[], out: Set<string>): void {
  if (same(before, after)) return;
  out.add(parent);
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    const a = before[i] as Plain | undefined;
    const b = after[i] as Plain | undefined;
    for (const f of fields) if (!same(a?.[f] ?? null, b?.[f] ?? null) || (a === undefined) !== (b === undefined)) out.add(`${type}.${f}`);
  }
}

/** Deep equality of JSON-like values (strings, numbers, null, arrays, plain objects). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((v, i) => same(v, other[i]));
  }
  const keysA = Object.keys(a).filter((k) => (a as Plain)[k] !== undefined);
  const keysB = Object.keys(b).filter((k) => (b as Plain)[k] !== undefined);
  return keysA.length === keysB.length && keysA.every((k) => same((a as Plain)[k], (b as Plain)[k]));
}
