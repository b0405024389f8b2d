/**
 * `GET /schema.graphql` (contract section 8): the SDL with its privacy directives, for
 * integrators' code generation. It must carry every directive of the contract's
 * annotation table, the privacy line of every annotated field, and build into the same
 * schema the gateway serves.
 */
import { buildSchema, getIntrospectionQuery, graphqlSync, printSchema } from 'graphql';
import { startTestGateway, type TestGateway } from '../support/testGateway';
import { buildGatewaySchema } from '../../src/server/schema';

describe('GET /schema.graphql', () => {
  let gw: TestGateway;
  let response: Response;
  let sdl: string;
  beforeAll(async () => {
    gw = await startTestGateway({ dbName: 'test_schema_endpoint' });
    response = await fetch(`${gw.url}/schema.graphql`);
    sdl = await response.text();
  });
  afterAll(() => gw.close());

  it('is served as GraphQL SDL, without a token', () => {
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/graphql/);
  });

  it('carries the directive definitions and the contract annotations', () => {
    expect(sdl).toContain('directive @purpose(');
    expect(sdl).toContain('directive @minimise(');
    expect(sdl).toContain('directive @sensitive(');
    for (const line of [
      'givenName: String @purpose(category: IDENTITY) @minimise(strategy: INITIAL)',
      'dateOfBirth: PartialDate @purpose(category: IDENTITY) @minimise(strategy: YEAR)',
      'health: HealthRecord @sensitive(category: HEALTH, clearance: ELEVATED, consent: true)',
      'victimStatus: VictimStatus @sensitive(category: VICTIM_STATUS) @purpose(allow: [ANTI_TRAFFICKING, SERVICE_DELIVERY, STATISTICS])',
      'number: String @purpose(category: TRAVEL_DOCUMENT) @minimise(strategy: LAST_FOUR)',
      'statistics(groupBy: [StatDimension!]!, filter: StatisticsFilter): Statistics!',
    ]) {
      expect(sdl).toContain(line);
    }
  });

  it('carries the privacy line of every annotated field', () => {
    expect(sdl).toMatch(/Religion or belief\.\s+Privacy: Special category RELIGION: disclosed only where the grant lists it/);
    const annotated = sdl.split('\n').filter((l) => /^\s+\w+(\(.*\))?: .*@(purpose|sensitive)\(/.test(l)).length;
    const privacyLines = sdl.split('\n').filter((l) => l.trim().startsWith('Privacy: ')).length;
    expect(annotated).toBeGreaterThan(20);
    expect(privacyLines).toBe(annotated);
  });

  it('builds into the schema the gateway serves (same types, fields and descriptions)', () => {
    const fromSdl = buildSchema(sdl);
    const served = buildGatewaySchema();
    expect(printSchema(fromSdl)).toBe(printSchema(served));
    const introspected = graphqlSync({ schema: fromSdl, source: getIntrospectionQuery() });
    expect(introspected.errors).toBeUndefined();
  });
});
