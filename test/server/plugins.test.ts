/**
 * The end of a request as three plugins (src/server/plugins/): outage handling, the audit
 * trail and the privacy report. Apollo Server runs their `willSendResponse` hooks side by
 * side, so they must agree whatever their order: the report names only an event that was
 * written, and a response whose event cannot be written discloses nothing. Run here on
 * Apollo Server with a request context built as the gateway builds it (no HTTP).
 */
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import type { Db, MongoClient } from 'mongodb';
import type { Caller } from '../../src/context/authenticate';
import type { GatewayContext } from '../../src/context/GatewayContext';
import { createRequestContext } from '../../src/context/requestContext';
import type { AuditWriter } from '../../src/data/auditStore';
import { ensureIndexes } from '../../src/data/database';
import { createLogger } from '../../src/server/logger';
import { auditTrailPlugin } from '../../src/server/plugins/auditTrail';
import { outagePlugin } from '../../src/server/plugins/outage';
import { privacyReportPlugin } from '../../src/server/plugins/privacyReport';
import { projectionPlugin } from '../../src/server/plugins/projection';
import { buildGatewaySchema } from '../../src/server/schema';
import { importWorld } from '../../src/world/importWorld';
import { connectTestDb, loadFixture } from '../support/testGateway';
import { contextSourcesFor } from '../support/contextSources';

const schema = buildGatewaySchema();
const CALLER: Caller = Object.freeze({ sub: 's', agency: 'ITA-AGENCY', party: 'ITA', clearance: 'ELEVATED' as const, roles: ['CASEWORKER' as const] });
const QUERY = '{ migrants(first: 2) { edges { node { givenName religion } } } }';
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  ({ client, db } = await connectTestDb('test_plugins'));
  await ensureIndexes(db);
  await importWorld(client, db, loadFixture(), 'small-world.json');
});
afterAll(async () => {
  await client.close();
});

async function contextFor(): Promise<GatewayContext> {
  return createRequestContext(
    contextSourcesFor(db, schema, Buffer.alloc(32, 3)),
    { caller: CALLER, headers: { agreementId: 'AGR-MED-TIP-2024', purpose: 'ANTI_TRAFFICKING', dataRequestId: undefined }, now: new Date('2025-06-01T10:00:00Z') },
  );
}

/** A writer that stores events in memory, after a pause (as a database would), or fails. */
function writer(fails: boolean): AuditWriter & { written: string[] } {
  const written: string[] = [];
  return {
    chain: 'test',
    written,
    append: async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (fails) throw new Error('audit store unreachable');
      const id = `evt-${written.length + 1}`;
      written.push(id);
      return id;
    },
  };
}

async function run(order: 'outage, audit, report' | 'report, audit, outage', audit: AuditWriter) {
  const logger = createLogger('silent');
  const plugins: ApolloServerPlugin<GatewayContext>[] = [outagePlugin(), auditTrailPlugin(audit, logger), privacyReportPlugin()];
  if (order === 'report, audit, outage') plugins.reverse();
  const server = new ApolloServer<GatewayContext>({ schema, plugins: [projectionPlugin(), ...plugins] });
  await server.start();
  try {
    const response = await server.executeOperation({ query: QUERY }, { contextValue: await contextFor() });
    if (response.body.kind !== 'single') throw new Error('not a single result');
    return { status: response.http.status, result: response.body.singleResult };
  } finally {
    await server.stop();
  }
}

describe.each(['outage, audit, report', 'report, audit, outage'] as const)('plugins in the order %s', (order) => {
  it('report the written event: the privacy report names the id the audit trail stored', async () => {
    const audit = writer(false);
    const { result } = await run(order, audit);
    expect(result.errors).toBeUndefined();
    expect(audit.written).toEqual(['evt-1']);
    const privacy = result.extensions?.['privacy'] as { auditId: string; agreement: string; fields: { coordinate: string; action: string }[] };
    expect(privacy).toMatchObject({ agreement: 'AGR-MED-TIP-2024', purpose: 'ANTI_TRAFFICKING', auditId: 'evt-1' });
    expect(privacy.fields).toEqual(expect.arrayContaining([expect.objectContaining({ coordinate: 'Migrant.religion', action: 'REDACTED' })]));
  });

  it('disclose nothing when the event cannot be written: AUDIT_UNAVAILABLE, no data, no report', async () => {
    const { status, result } = await run(order, writer(true));
    expect(status).toBe(503);
    expect(result.data).toBeNull();
    expect(result.errors?.map((e) => e.extensions?.['code'])).toEqual(['AUDIT_UNAVAILABLE']);
    expect(result.extensions?.['privacy']).toBeUndefined();
  });
});
