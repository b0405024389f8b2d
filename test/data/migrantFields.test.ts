/**
 * The one catalogue of a record's fields (src/data/migrantFields.ts): every field of
 * `Migrant` in the schema is in it, and filters and statistics read by its stored paths.
 */
import { isObjectType } from 'graphql';
import { MIGRANT_FIELDS, storedPathOf } from '../../src/data/migrantFields';
import { FILTER_COORDINATES } from '../../src/policy/filters';
import { DIMENSION_FIELDS } from '../../src/policy/statistics';
import { buildGatewaySchema } from '../../src/server/schema';

describe('the catalogue of migrant fields', () => {
  const schema = buildGatewaySchema();

  it('lists every field of Migrant but its identity (id, holder), and of each object a record holds', () => {
    const migrant = schema.getType('Migrant');
    if (!isObjectType(migrant)) throw new Error('Migrant is not an object type');
    const schemaFields = Object.keys(migrant.getFields()).filter((name) => name !== 'id' && name !== 'holder').sort();
    expect(MIGRANT_FIELDS.map((f) => f.coordinate.slice('Migrant.'.length)).sort()).toEqual(schemaFields);
    for (const { object } of MIGRANT_FIELDS) {
      if (!object) continue;
      const type = schema.getType(object.type);
      if (!isObjectType(type)) throw new Error(`${object.type} is not an object type`);
      expect(object.fields.map((f) => f.field).sort()).toEqual(Object.keys(type.getFields()).sort());
    }
  });

  it('gives the stored path of record fields, of fields of the objects they hold, and of list items', () => {
    expect(storedPathOf('Migrant.nationality')).toBe('nationality');
    expect(storedPathOf('Migrant.family')).toBe('familyIds');
    expect(storedPathOf('TravelDocument.number')).toBe('documents.number');
    expect(storedPathOf('Address.city')).toBe('address.city');
    expect(storedPathOf('VictimStatus.status')).toBe('victimStatus.status');
    expect(storedPathOf('Conviction.offence')).toBe('criminalRecord.convictions.offence');
  });

  it('has a path for every field a filter or a statistics dimension reads, and none for what is not stored', () => {
    const read = [...Object.values(FILTER_COORDINATES), ...Object.values(DIMENSION_FIELDS)].filter((c): c is NonNullable<typeof c> => c !== null);
    for (const coordinate of read) expect(typeof storedPathOf(coordinate)).toBe('string');
    expect(() => storedPathOf('Migrant.requests')).toThrow('Migrant.requests is not stored on a migrant record');
    expect(() => storedPathOf('Migrant.holder')).toThrow(TypeError);
  });
});
