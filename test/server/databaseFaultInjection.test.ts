/**
 * Issue 7, point 6: a database failure in the middle of a response never yields a
 * partial disclosure without its audit event. The gateway runs on the shared test
 * database with the shared fixture; its database handle fails chosen collections on
 * demand, after the first reads of a response have succeeded:
 *
 * - a failure that means "database unreachable" (a network error) fails the whole
 *   response closed: `{ data: null, errors: [SERVICE_UNAVAILABLE] }`, HTTP 503, nothing
 *   disclosed, so no read is audited (a mutation still is);
 * - any other failure leaves the fields that resolved, and those are audited (or, if the
 *   audit cannot be written, AUDIT_UNAVAILABLE and no data).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MongoClient, MongoNetworkError, MongoServerError, type Collection, type Db } from 'mongodb';
import { createDevAuthenticator } from '../../src/dev/devAuthenticator';
import { signDevToken } from '../../src/dev/devKeys';
import { AUDIT_EVENTS, verifyAuditTrail } from '../../src/data/auditStore';
import { ensureIndexes } from '../../src/data/database';
import { importWorld } from '../../src/world/importWorld';
import { loadConfig } from '../../src/server/config';
import { createGateway, type Gateway } from '../../src/server/createGateway';
import { createLogger } from '../../src/server/logger';
import { graphql, loadFixture, type GraphqlReply } from '../support/testGateway';
import { developmentAuditKeyring } from '../../src/audit/keys';

const DEV_AUDIT_KEYS = developmentAuditKeyring();

const DB_NAME = 'test_database_fault_injection';
const TODAY = new Date('2025-06-01T09:00:00Z');
const MED = { agreementId: 'AGR-MED-TIP-2024', purpose: 'ANTI_TRAFFICKING' };
/** Migrants (read first), then their holders from the parties collection (read second). */
const QUERY = 'query Holders { migrants(first: 3) { edges { node { id givenName holder { code name } } } } }';

/**
 * Which collections fail, and how. A fault with `lostReply` lets a write reach the
 * database and fails only its reply (the database went away after the write).
 */
const faults = new Map<string, (() => Error) & { lostReply?: boolean }>();
const unreachable = (): Error => new MongoNetworkError('connect ECONNREFUSED 10.0.0.7:27017');
const refusedByServer = (): Error => new MongoServerError({ message: 'some server-side failure', code: 2, codeName: 'BadValue' });

const CURSOR_READS = new Set(['toArray', 'next', 'tryNext', 'hasNext', 'forEach']);

/** A cursor whose reads fail with the collection's fault, if it has one when they run. */
function faultyCursor<T extends object>(cursor: T, name: string): T {
  return new Proxy(cursor, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      if (prop === Symbol.asyncIterator || (typeof prop === 'string' && CURSOR_READS.has(prop))) {
        return (...args: unknown[]) => {
          const fault = faults.get(name);
          if (fault) return prop === Symbol.asyncIterator ? failingIterator(fault()) : Promise.reject(fault());
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

function failingIterator(error: Error): AsyncIterator<never> {
  return { next: () => Promise.reject(error) };
}

/** A collection whose operations fail with its fault while one is set. */
function faultyCollection<T extends object>(collection: Collection<T>, name: string): Collection<T> {
  return new Proxy(collection, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function' || prop === 'watch') return typeof value === 'function' ? value.bind(target) : value;
      return (...args: unknown[]) => {
        const call = (): unknown => (value as (...a: unknown[]) => unknown).apply(target, args);
        if (prop === 'find' || prop === 'aggregate') return faultyCursor(call() as object, name);
        const fault = faults.get(name);
        if (!fault) return call();
        if (!fault.lostReply) return Promise.reject(fault());
        return Promise.resolve(call()).then(() => Promise.reject(fault()));
      };
    },
  });
}

function faultyDb(db: Db): Db {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'collection') return (name: string) => faultyCollection(target.collection(name), name);
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

let client: MongoClient;
let db: Db;
let gateway: Gateway;
let server: Server;
let url: string;
let token: string;
let controller: string;

beforeAll(async () => {
  const uri = process.env['MONGODB_URI'];
  if (!uri) throw new Error('MONGODB_URI is not set: run tests through jest (global setup starts the database)');
  client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  db = client.db(DB_NAME);
  await db.dropDatabase();
  await ensureIndexes(db);
  await importWorld(client, db, loadFixture(), 'small-world.json');
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', MONGODB_URI: uri });
  gateway = await createGateway({ config, db: faultyDb(db), logger: createLogger('silent'), authenticate: createDevAuthenticator(), clock: () => TODAY });
  server = createServer(gateway.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  token = await signDevToken({ party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] });
  controller = await signDevToken({ party: 'ITA', clearance: 'ELEVATED', roles: ['DATA_CONTROLLER'] });
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server?.close(() => resolve());
    server?.closeAllConnections();
  });
  await gateway?.stop();
  await client?.close();
});

afterEach(() => faults.clear());

const auditCount = (): Promise<number> => db.collection(AUDIT_EVENTS).countDocuments();
const ask = (query = QUERY): Promise<GraphqlReply> => graphql(url, { query, token, ...MED });

type Edges = { edges: { node: { id: string; givenName: string | null; holder: { code: string } | null } }[] };

describe('a database failure in the middle of a response', () => {
  it('without faults the query discloses and is audited (the baseline)', async () => {
    const before = await auditCount();
    const reply = await ask();
    expect(reply.status).toBe(200);
    const edges = (reply.body.data?.['migrants'] as Edges).edges;
    expect(edges).toHaveLength(3);
    expect(edges.some((e) => e.node.givenName !== null)).toBe(true);
    expect((reply.body.extensions?.['privacy'] as { auditId: string }).auditId).toEqual(expect.any(String));
    expect(await auditCount()).toBe(before + 1);
  });

  it('database unreachable after the first read: data null, SERVICE_UNAVAILABLE, 503, and nothing disclosed to audit', async () => {
    faults.set('parties', unreachable);
    const before = await auditCount();
    const reply = await ask();
    expect(reply.status).toBe(503);
    expect(reply.body).toEqual({ data: null, errors: [{ message: expect.any(String), extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
    expect(JSON.stringify(reply.body)).not.toMatch(/ECONNREFUSED|10\.0\.0\.7/);
    expect(await auditCount()).toBe(before);
  });

  it('the audit trail unreachable too (the whole database went down mid-response): still SERVICE_UNAVAILABLE, no data', async () => {
    faults.set('parties', unreachable);
    faults.set(AUDIT_EVENTS, unreachable);
    const reply = await ask();
    expect(reply.status).toBe(503);
    expect(reply.body.data).toBeNull();
    expect(reply.body.errors?.map((e) => e.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(reply.body.extensions).toBeUndefined();
  });

  it('another kind of failure keeps what resolved, and that partial disclosure is audited', async () => {
    faults.set('parties', refusedByServer);
    const before = await auditCount();
    const reply = await ask();
    expect(reply.body.errors?.map((e) => e.extensions?.code)).toContain('INTERNAL_SERVER_ERROR');
    const edges = (reply.body.data?.['migrants'] as Edges).edges;
    expect(edges.some((e) => e.node.givenName !== null)).toBe(true);
    const auditId = (reply.body.extensions?.['privacy'] as { auditId: string }).auditId;
    expect(auditId).toEqual(expect.any(String));
    expect(await auditCount()).toBe(before + 1);
    const event = await db.collection(AUDIT_EVENTS).findOne({ _id: auditId } as never);
    expect(event?.['coordinates']?.['DISCLOSED']).toContain('Migrant.givenName');
  });

  it('another kind of failure and no audit trail: AUDIT_UNAVAILABLE, 503, no data', async () => {
    faults.set('parties', refusedByServer);
    faults.set(AUDIT_EVENTS, unreachable);
    const reply = await ask();
    expect(reply.status).toBe(503);
    expect(reply.body).toEqual({ data: null, errors: [{ message: expect.any(String), extensions: { code: 'AUDIT_UNAVAILABLE' } }] });
  });

  it('an audit write whose reply was lost: that response is withheld, the next one is audited and the chain stays valid', async () => {
    faults.set(AUDIT_EVENTS, Object.assign(unreachable, { lostReply: true }));
    const lost = await ask();
    expect(lost.status).toBe(503);
    expect(lost.body.errors?.map((e) => e.extensions?.code)).toEqual(['AUDIT_UNAVAILABLE']);
    faults.clear();
    // The event of the withheld response is stored (it over-reports, never under-reports);
    // the next one follows it in the chain instead of colliding with it.
    const next = await ask();
    expect(next.status).toBe(200);
    expect((next.body.extensions?.['privacy'] as { auditId: string }).auditId).toEqual(expect.any(String));
    expect(await verifyAuditTrail(db, DEV_AUDIT_KEYS.byId)).toMatchObject({ valid: true, firstInvalidEventId: null });
  });

  it('a mutation interrupted by an outage answers SERVICE_UNAVAILABLE and is still audited as refused', async () => {
    faults.set('dataRequests', unreachable);
    const before = await auditCount();
    const reply = await graphql(url, {
      query: 'mutation Withdraw { withdrawDataRequest(id: "req-none") { id status } }',
      token: controller,
      ...MED,
    });
    expect(reply.status).toBe(503);
    expect(reply.body).toEqual({ data: null, errors: [{ message: expect.any(String), extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
    // Its attempt, recorded before it ran, and its outcome.
    expect(await auditCount()).toBe(before + 2);
    const [event, attempt] = await db.collection(AUDIT_EVENTS).find().sort({ at: -1, seq: -1 }).limit(2).toArray();
    expect(event).toMatchObject({ operationName: 'Withdraw', outcome: 'REFUSED', attemptId: attempt!['_id'] });
    expect(attempt).toMatchObject({ operationName: 'Withdraw', outcome: 'ATTEMPTED' });
  });
});
