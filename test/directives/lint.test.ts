/**
 * Boot-time lint of the privacy annotations: a misplaced directive stops the schema
 * build with a message naming the field. The messages are pinned.
 */
import { makeExecutableSchema } from '@graphql-tools/schema';
import { applyPrivacyDirectives, privacyDirectiveTypeDefs } from '../../directives/index';
import { buildGatewaySchema, loadSchemaSdl } from '../../src/server/schema';

const base = /* GraphQL */ `
  scalar PartialDate
  enum Purpose { ANTI_TRAFFICKING STATISTICS }
  enum DataCategory { IDENTITY }
  enum SpecialCategory { RELIGION }
  enum Clearance { STANDARD ELEVATED SPECIAL }
  enum MinimiseStrategy { YEAR YEAR_MONTH INITIAL LAST_FOUR }
  type Query { x: T }
`;

function build(typeDef: string): () => unknown {
  return () => applyPrivacyDirectives(makeExecutableSchema({ typeDefs: [...privacyDirectiveTypeDefs, base, typeDef] }));
}

describe('privacy annotation lint', () => {
  it.each([
    [
      'non-null annotated field',
      'type T { a: String! @purpose(category: IDENTITY) }',
      'Schema annotation error on T.a: an annotated field must be nullable so it can be withheld, not String!',
    ],
    [
      '@purpose and @sensitive together',
      'type T { a: String @purpose(category: IDENTITY) @sensitive(category: RELIGION) }',
      'Schema annotation error on T.a: a field has at most one of @purpose(category:) and @sensitive',
    ],
    [
      '@purpose with no argument',
      'type T { a: String @purpose }',
      'Schema annotation error on T.a: @purpose needs at least one of `category` and `allow`',
    ],
    [
      'date strategy on a String',
      'type T { a: String @purpose(category: IDENTITY) @minimise(strategy: YEAR) }',
      'Schema annotation error on T.a: @minimise(strategy: YEAR) applies to PartialDate fields, not String',
    ],
    [
      'string strategy on a PartialDate',
      'type T { a: PartialDate @purpose(category: IDENTITY) @minimise(strategy: LAST_FOUR) }',
      'Schema annotation error on T.a: @minimise(strategy: LAST_FOUR) applies to String fields, not PartialDate',
    ],
    [
      'strategy on a list',
      'type T { a: [String] @purpose(category: IDENTITY) @minimise(strategy: INITIAL) }',
      'Schema annotation error on T.a: @minimise(strategy: INITIAL) applies to String fields, not [String]',
    ],
    [
      '@minimise without a category',
      'type T { a: String @minimise(strategy: INITIAL) }',
      'Schema annotation error on T.a: @minimise needs @purpose(category:) on the same field (special categories are never minimised)',
    ],
    [
      '@minimise on a sensitive field',
      'type T { a: String @sensitive(category: RELIGION) @minimise(strategy: INITIAL) }',
      'Schema annotation error on T.a: @minimise needs @purpose(category:) on the same field (special categories are never minimised)',
    ],
    [
      'directive on an interface field',
      'interface I { a: String @sensitive(category: RELIGION) } type T implements I { a: String @sensitive(category: RELIGION) }',
      'Schema annotation error on I.a: @sensitive is not allowed on interface fields; annotate the fields of the object types that implement it',
    ],
    [
      'non-null allow-only field',
      'type T { a: String! @purpose(allow: [STATISTICS]) }',
      'Schema annotation error on T.a: an annotated field must be nullable so it can be withheld, not String!',
    ],
  ])('refuses %s', (_name, typeDef, message) => {
    expect(build(typeDef)).toThrow(message);
  });

  it('accepts the contract schema', () => {
    expect(() => buildGatewaySchema(loadSchemaSdl())).not.toThrow();
  });

  it('accepts well-placed annotations', () => {
    expect(
      build(
        'type T { a: String @purpose(category: IDENTITY) @minimise(strategy: INITIAL) b: PartialDate @purpose(category: IDENTITY) @minimise(strategy: YEAR_MONTH) c: String @sensitive(category: RELIGION) @purpose(allow: [STATISTICS]) }',
      ),
    ).not.toThrow();
  });
});
