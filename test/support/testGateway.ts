/**
 * Builds a real gateway for a test: the shared test database (a database name of the
 * test file's own), the dev-key authenticator, an HTTP listener on 127.0.0.1, and a
 * small client. Nothing is mocked.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { ensureIndexes } from '../../src/data/database';
import { registerDevelopmentIssuers } from '../../src/dev/developmentTrust';
import { devIdentityProvider } from '../../src/dev/devKeys';
import { collectionsOf } from '../../src/data/database';
import { importWorld } from '../../src/world/importWorld';
import { loadConfig, type GatewayConfig } from '../../src/server/config';
import { createGateway, type Gateway, type GatewayDependencies } from '../../src/server/createGateway';
import { createLogger } from '../../src/server/logger';
import { answerMalformedRequest } from '../../src/server/startGateway';

export const FIXTURE_PATH = join(__dirname, '..', 'fixtures', 'small-world.json');

/** The shared fixture, parsed afresh (callers may modify their copy). */
export function loadFixture(): Record<string, unknown[]> {
  return JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as Record<string, unknown[]>;
}

/** A connected client to the shared test database server and a database of one's own. */
export async function connectTestDb(name: string): Promise<{ client: MongoClient; db: Db }> {
  const uri = process.env['MONGODB_URI'];
  if (!uri) throw new Error('MONGODB_URI is not set: run tests through jest (global setup starts the database)');
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  const db = client.db(name);
  await db.dropDatabase();
  return { client, db };
}

export interface TestGateway {
  readonly url: string;
  readonly db: Db;
  readonly client: MongoClient;
  readonly gateway: Gateway;
  readonly config: GatewayConfig;
  /** The HTTP server (e.g. to wait for a request to arrive). */
  readonly server: Server;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  dbName: string;
  /** Parts of the gateway to replace (a measurement baseline: bench/baseline/stripped.ts). */
  gateway?: Pick<GatewayDependencies, 'schema' | 'decisionTable' | 'audit'>;
  /** Import the shared fixture first. */
  fixture?: boolean;
  env?: Record<string, string>;
  clock?: () => Date;
  /** Options for the MongoClient (e.g. command monitoring). */
  monitorCommands?: boolean;
  /** A second instance on a database another test gateway prepared: nothing is dropped or imported. */
  shareDatabase?: boolean;
}

/**
 * Connects to the test database server and prepares the database `options.dbName`:
 * dropped, indexed and, with `fixture`, the shared fixture imported (unless
 * `shareDatabase`); then the configuration a test gateway runs with.
 */
export async function prepareTestDatabase(
  options: Pick<TestGatewayOptions, 'dbName' | 'fixture' | 'env' | 'monitorCommands' | 'shareDatabase'>,
): Promise<{ client: MongoClient; db: Db; config: GatewayConfig }> {
  const uri = process.env['MONGODB_URI'];
  if (!uri) throw new Error('MONGODB_URI is not set: run tests through jest (global setup starts the database)');
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000, monitorCommands: options.monitorCommands ?? false });
  const db = client.db(options.dbName);
  if (!options.shareDatabase) {
    await db.dropDatabase();
    await ensureIndexes(db);
    if (options.fixture) {
      await importWorld(client, db, loadFixture(), 'small-world.json');
      // As `npm start` does outside production: each party's development identity provider
      // (the explorer's personas use them).
      if (options.env?.['NODE_ENV'] !== 'production') await registerDevelopmentIssuers(collectionsOf(db), devIdentityProvider, new Date());
    }
  }
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', MONGODB_URI: uri, ...options.env });
  return { client, db, config };
}

export async function startTestGateway(options: TestGatewayOptions): Promise<TestGateway> {
  const { client, db, config } = await prepareTestDatabase(options);
  const logger = createLogger(config.logLevel);
  let gateway: Gateway;
  try {
    gateway = await createGateway({
      config,
      db,
      logger,
      // The gateway's own authenticator: the trust registry, and the development issuer for any party.
      ...options.gateway,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  } catch (error) {
    // A gateway that does not start must not leave its client open (jest would not exit).
    await client.close();
    throw error;
  }
  const served = await serveGateway(gateway, client);
  return { url: served.url, db, client, gateway, config, server: served.server, close: served.close };
}

/**
 * Serves a gateway on 127.0.0.1 (a free port), answering refusals of Node's HTTP parser
 * as startGateway does; `close` stops the listener, the gateway, then the client.
 */
export async function serveGateway(gateway: Gateway, client: MongoClient): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server: Server = createServer(gateway.app);
  server.on('clientError', answerMalformedRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await gateway.stop();
      await client.close();
    },
  };
}

export interface GraphqlCall {
  query: string;
  variables?: Record<string, unknown>;
  token?: string;
  agreementId?: string;
  purpose?: string;
  dataRequestId?: string;
  headers?: Record<string, string>;
}

export interface GraphqlReply {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[]; extensions?: Record<string, unknown> };
}

/** POSTs one GraphQL operation with the treaty headers given. */
export async function graphql(url: string, call: GraphqlCall): Promise<GraphqlReply> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...call.headers };
  if (call.token) headers['authorization'] = `Bearer ${call.token}`;
  if (call.agreementId) headers['x-agreement-id'] = call.agreementId;
  if (call.purpose) headers['x-purpose'] = call.purpose;
  if (call.dataRequestId) headers['x-data-request-id'] = call.dataRequestId;
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: call.query, variables: call.variables ?? {} }),
  });
  return { status: response.status, body: (await response.json()) as GraphqlReply['body'] };
}
