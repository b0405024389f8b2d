/**
 * The one catalogue of a migrant record's fields: where each GraphQL field of `Migrant`
 * is stored, and the fields of the objects it holds, by their schema coordinate. The
 * projection (which stored fields a request reads) and the record's changes (which
 * coordinates a rectification changed) derive from it; the `migrants` filters
 * (src/data/migrants.ts) and the statistics dimensions (src/data/statistics.ts) match
 * and count by its stored paths (`storedPathOf`).
 */

/** A field of an object a record holds: annotated (a decision of its own) or not (its container's). */
export interface NestedField {
  readonly field: string;
  readonly annotated: boolean;
}

export interface MigrantField {
  /** The schema coordinate, `Migrant.<field>`. */
  readonly coordinate: string;
  /** The stored field; null when the field is not stored on the record (`requests`). */
  readonly path: string | null;
  /** For an object (or a list of objects): its GraphQL type and fields. */
  readonly object?: {
    readonly type: string;
    readonly list: boolean;
    readonly fields: readonly NestedField[];
    /** Read field by field (an annotated field withheld for every record is not read). */
    readonly projectByField: boolean;
    /** An object a list of which it holds, compared position by position (a conviction of a criminal record). */
    readonly items?: { readonly field: string; readonly type: string; readonly fields: readonly string[] };
  };
}

const plain = (...names: string[]): NestedField[] => names.map((field) => ({ field, annotated: false }));
const scalar = (field: string, path = field): MigrantField => ({ coordinate: `Migrant.${field}`, path });

export const MIGRANT_FIELDS: readonly MigrantField[] = [
  scalar('givenName'),
  scalar('familyName'),
  scalar('dateOfBirth'),
  scalar('sex'),
  scalar('placeOfBirth'),
  scalar('nationality'),
  scalar('legalStatus'),
  scalar('arrivalDate'),
  scalar('ethnicOrigin'),
  scalar('religion'),
  scalar('family', 'familyIds'),
  {
    coordinate: 'Migrant.address',
    path: 'address',
    object: {
      type: 'Address',
      list: false,
      projectByField: true,
      fields: [...['line1', 'city', 'region', 'postalCode'].map((field) => ({ field, annotated: true })), { field: 'country', annotated: false }],
    },
  },
  {
    coordinate: 'Migrant.documents',
    path: 'documents',
    object: {
      type: 'TravelDocument',
      list: true,
      projectByField: true,
      fields: [
        { field: 'type', annotated: false },
        { field: 'number', annotated: true },
        { field: 'issuingCountry', annotated: false },
        { field: 'expiresOn', annotated: true },
      ],
    },
  },
  { coordinate: 'Migrant.biometrics', path: 'biometrics', object: { type: 'Biometrics', list: false, projectByField: false, fields: plain('fingerprintTemplate', 'faceTemplate') } },
  { coordinate: 'Migrant.health', path: 'health', object: { type: 'HealthRecord', list: false, projectByField: false, fields: plain('conditions', 'vulnerabilities') } },
  {
    coordinate: 'Migrant.criminalRecord',
    path: 'criminalRecord',
    object: {
      type: 'CriminalRecord',
      list: false,
      projectByField: false,
      fields: plain('convictions'),
      items: { field: 'convictions', type: 'Conviction', fields: ['offence', 'year', 'country'] },
    },
  },
  { coordinate: 'Migrant.victimStatus', path: 'victimStatus', object: { type: 'VictimStatus', list: false, projectByField: false, fields: plain('status', 'identifiedOn', 'exploitationType') } },
  { coordinate: 'Migrant.requests', path: null },
];

/**
 * Where `Migrant.holder` is stored: the party holding the record, part of the record's
 * identity rather than a field about its subject (always read, never rectified, not
 * personal data), so it is not in MIGRANT_FIELDS.
 */
export const HOLDER_PATH = 'holder';

/** The Migrant field that holds each nested type's fields. */
export const PARENT_OF_TYPE: Readonly<Record<string, string>> = Object.fromEntries(
  MIGRANT_FIELDS.flatMap(({ coordinate, object }) =>
    object ? [[object.type, coordinate], ...(object.items ? [[object.items.type, coordinate]] : [])] : [],
  ),
);

/** The stored path of every coordinate of a record's fields and of the objects they hold (`TravelDocument.number` → `documents.number`). */
const STORED_PATHS: ReadonlyMap<string, string> = new Map(
  MIGRANT_FIELDS.flatMap(({ coordinate, path, object }): [string, string][] => {
    if (path === null) return [];
    const paths: [string, string][] = [[coordinate, path]];
    for (const { field } of object?.fields ?? []) paths.push([`${object!.type}.${field}`, `${path}.${field}`]);
    const items = object?.items;
    for (const field of items?.fields ?? []) paths.push([`${items!.type}.${field}`, `${path}.${items!.field}.${field}`]);
    return paths;
  }),
);

/**
 * Where the value of `coordinate` is stored on a migrant record, as a MongoDB dotted path
 * (a path into a list matches any of its items). Filters and statistics read by it.
 */
export function storedPathOf(coordinate: string): string {
  const path = STORED_PATHS.get(coordinate);
  if (path === undefined) throw new TypeError(`${coordinate} is not stored on a migrant record`);
  return path;
}
