/**
 * `npm start`: configuration, database (external or embedded), indexes, the gateway,
 * the HTTP listener, and graceful shutdown on SIGTERM/SIGINT (in-flight requests drain,
 * then the database connection closes).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MongoClient } from 'mongodb';
import { connectDatabase, ensureIndexes } from '../data/database';
import type { GatewayConfig } from './config';
import { createGateway, type Authenticator, type Gateway } from './createGateway';
import type { Logger } from './logger';

export interface RunningGateway {
  readonly url: string;
  readonly server: Server;
  readonly gateway: Gateway;
  readonly client: MongoClient;
  /** Drains in-flight requests, stops Apollo, closes the database connection. */
  shutdown(): Promise<void>;
}

export interface StartOptions {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  readonly authenticate: Authenticator;
  /** The database URI to use (the configured one, or an embedded server's). */
  readonly mongodbUri: string;
}

export async function startGateway(options: StartOptions): Promise<RunningGateway> {
  const { config, logger } = options;
  const client = await connectDatabase(options.mongodbUri);
  const db = client.db(config.mongodbDb);
  await ensureIndexes(db);
  const gateway = await createGateway({ config, db, logger, authenticate: options.authenticate });
  const server = createServer(gateway.app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  let closing: Promise<void> | null = null;
  const shutdown = (): Promise<void> => {
    closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      logger.debug('http server closed');
      await gateway.stop();
      logger.debug('apollo stopped');
      await client.close();
      logger.debug('database connection closed');
    })();
    return closing;
  };
  return { url, server, gateway, client, shutdown };
}
