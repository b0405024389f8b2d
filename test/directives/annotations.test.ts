/**
 * The contract's table of field annotations (docs/api.md section 4) is exactly what the
 * schema declares, and every annotated field is withheld until decisions are wired.
 */
import { isObjectType } from 'graphql';
import { annotationOf } from '../../directives/index';
import { buildGatewaySchema } from '../../src/server/schema';

const CONTRACT_TABLE: Record<string, string> = {
  'Migrant.givenName': 'category=IDENTITY minimise=INITIAL',
  'Migrant.familyName': 'category=IDENTITY minimise=INITIAL',
  'Migrant.dateOfBirth': 'category=IDENTITY minimise=YEAR',
  'Migrant.sex': 'category=IDENTITY',
  'Migrant.placeOfBirth': 'category=IDENTITY',
  'Migrant.nationality': 'category=NATIONALITY',
  'Migrant.address': 'category=CONTACT_LOCATION',
  'Address.line1': 'category=CONTACT_LOCATION',
  'Address.city': 'category=CONTACT_LOCATION',
  'Address.region': 'category=CONTACT_LOCATION',
  'Address.postalCode': 'category=CONTACT_LOCATION',
  'Migrant.documents': 'category=TRAVEL_DOCUMENT',
  'TravelDocument.number': 'category=TRAVEL_DOCUMENT minimise=LAST_FOUR',
  'TravelDocument.expiresOn': 'category=TRAVEL_DOCUMENT minimise=YEAR_MONTH',
  'Migrant.legalStatus': 'category=IMMIGRATION_STATUS',
  'Migrant.arrivalDate': 'category=IMMIGRATION_STATUS minimise=YEAR_MONTH',
  'Migrant.family': 'category=FAMILY',
  'Migrant.requests': 'category=CASE_HISTORY',
  'Migrant.biometrics': 'sensitive=BIOMETRIC/SPECIAL/false',
  'Migrant.health': 'sensitive=HEALTH/ELEVATED/true',
  'Migrant.ethnicOrigin': 'sensitive=ETHNIC_ORIGIN/SPECIAL/false',
  'Migrant.religion': 'sensitive=RELIGION/SPECIAL/false',
  'Migrant.criminalRecord': 'sensitive=CRIMINAL_RECORD/ELEVATED/false',
  'Migrant.victimStatus': 'allow=ANTI_TRAFFICKING,SERVICE_DELIVERY,STATISTICS sensitive=VICTIM_STATUS/SPECIAL/false',
};

function describeAnnotations(): Record<string, string> {
  const schema = buildGatewaySchema();
  const found: Record<string, string> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const a = annotationOf({ type: field.type, extensions: field.extensions });
      if (!a) continue;
      const parts: string[] = [];
      if (a.allow) parts.push(`allow=${a.allow.join(',')}`);
      if (a.category) parts.push(`category=${a.category}`);
      if (a.minimise) parts.push(`minimise=${a.minimise}`);
      if (a.sensitive) parts.push(`sensitive=${a.sensitive.category}/${a.sensitive.clearance}/${a.sensitive.consent}`);
      found[a.coordinate] = parts.join(' ');
    }
  }
  return found;
}

describe('contract field annotations', () => {
  it('declares exactly the contract table', () => {
    expect(describeAnnotations()).toEqual(CONTRACT_TABLE);
  });

  it('withholds every annotated field without calling its resolver (fail closed)', async () => {
    const schema = buildGatewaySchema();
    const migrantType = schema.getType('Migrant');
    if (!isObjectType(migrantType)) throw new Error('Migrant is not an object type');
    const touched: string[] = [];
    const record = new Proxy(
      { _id: 'm-1', holder: 'ITA' },
      {
        get(target, key) {
          if (typeof key === 'string' && !['_id', 'holder', 'then', 'toJSON'].includes(key)) touched.push(key);
          return (target as Record<string | symbol, unknown>)[key];
        },
      },
    );
    const fields = Object.keys(migrantType.getFields()).filter((f) => !['id', 'holder'].includes(f));
    // Resolve the Migrant fields directly against the record.
    for (const name of fields) {
      const field = migrantType.getFields()[name]!;
      const value = field.resolve!(record, {}, {}, {} as never);
      expect({ name, value }).toEqual({ name, value: null });
    }
    expect(fields).toHaveLength(18);
    expect(touched).toEqual([]);
  });
});
