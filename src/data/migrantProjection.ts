/**
 * Which stored fields of a migrant a request reads (projection pushdown). A field whose
 * decision in this request withholds it for every record is left out, so a withheld
 * value never leaves the database. The data layer knows where each GraphQL field is
 * stored; the decision comes from the caller (policy).
 */
import type { MigrantProjection } from './migrants';

/** Stored path of each annotated `Migrant` field (`requests` is stored elsewhere). */
const MIGRANT_PATHS: Readonly<Record<string, string | null>> = {
  'Migrant.givenName': 'givenName',
  'Migrant.familyName': 'familyName',
  'Migrant.dateOfBirth': 'dateOfBirth',
  'Migrant.sex': 'sex',
  'Migrant.placeOfBirth': 'placeOfBirth',
  'Migrant.nationality': 'nationality',
  'Migrant.legalStatus': 'legalStatus',
  'Migrant.arrivalDate': 'arrivalDate',
  'Migrant.family': 'familyIds',
  'Migrant.biometrics': 'biometrics',
  'Migrant.health': 'health',
  'Migrant.ethnicOrigin': 'ethnicOrigin',
  'Migrant.religion': 'religion',
  'Migrant.criminalRecord': 'criminalRecord',
  'Migrant.victimStatus': 'victimStatus',
  'Migrant.requests': null,
};

/** Objects read field by field: the container's coordinate, its path, and its fields. */
const NESTED: readonly { coordinate: string; path: string; fields: Readonly<Record<string, string | null>> }[] = [
  {
    coordinate: 'Migrant.address',
    path: 'address',
    fields: { line1: 'Address.line1', city: 'Address.city', region: 'Address.region', postalCode: 'Address.postalCode', country: null },
  },
  {
    coordinate: 'Migrant.documents',
    path: 'documents',
    fields: { type: null, number: 'TravelDocument.number', issuingCountry: null, expiresOn: 'TravelDocument.expiresOn' },
  },
];

/**
 * The projection for a request in which `withheld(coordinate)` says whether a field is
 * withheld for every record. `null` for a nested field means it is unannotated (read
 * whenever its container is).
 */
export function migrantProjection(withheld: (coordinate: string) => boolean): MigrantProjection {
  const projection: Record<string, 1> = { holder: 1 };
  for (const [coordinate, path] of Object.entries(MIGRANT_PATHS)) {
    if (path !== null && !withheld(coordinate)) projection[path] = 1;
  }
  for (const nested of NESTED) {
    if (withheld(nested.coordinate)) continue;
    for (const [field, coordinate] of Object.entries(nested.fields)) {
      if (coordinate === null || !withheld(coordinate)) projection[`${nested.path}.${field}`] = 1;
    }
  }
  return Object.freeze(projection);
}
