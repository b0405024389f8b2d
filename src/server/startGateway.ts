/**
 * `npm start`: configuration, database (external or embedded), indexes, the gateway,
 * the HTTP listener, and graceful shutdown on SIGTERM/SIGINT (in-flight requests drain,
 * then the database connection closes).
 *
 * The gateway serves even while the database is down: the client connects, and the
 * indexes are created, in the background with retries (src/data/connection.ts);
 * meanwhile `/readyz` answers 503 and every operation that needs the database
 * SERVICE_UNAVAILABLE. When the database answers, the gateway recovers by itself.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MongoClient } from 'mongodb';
import { keepDatabaseConnected, type ConnectionKeeper } from '../data/connection';
import { createDatabaseClient } from '../data/database';
import type { GatewayConfig } from './config';
import { createGateway, type Authenticator, type Gateway } from './createGateway';
import type { Logger } from './logger';

export interface RunningGateway {
  readonly url: string;
  readonly server: Server;
  readonly gateway: Gateway;
  readonly client: MongoClient;
  /** The background connect-and-index loop; `database.ready` resolves once both are done. */
  readonly database: ConnectionKeeper;
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
  // Not connected yet: operations wait for (or fail on) the background connect.
  const client = createDatabaseClient(options.mongodbUri);
  const db = client.db(config.mongodbDb);
  const database = keepDatabaseConnected(client, db, logger);
  let gateway: Gateway;
  const server = createServer();
  try {
    gateway = await createGateway({ config, db, logger, authenticate: options.authenticate });
    server.on('request', gateway.app);
    server.on('clientError', answerMalformedRequest);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (error) {
    const stopped = database.stop();
    await client.close();
    await stopped;
    throw error;
  }
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
      // Closing the client ends a connect attempt in progress, and with it the loop.
      const loopEnded = database.stop();
      await client.close();
      await loopEnded;
      logger.debug('database connection closed');
    })();
    return closing;
  };
  return { url, server, gateway, client, database, shutdown };
}

/**
 * A request Node's HTTP parser refuses (a malformed request line, control characters in
 * a header, a head above 16 KB) never reaches express: answer it as JSON with a contract
 * code too, then close the connection.
 */
export function answerMalformedRequest(error: Error & { code?: string }, socket: import('node:stream').Duplex): void {
  if (!socket.writable) return;
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const body = JSON.stringify({
    errors: [{ message: tooLarge ? 'The request headers are too large.' : 'The request is not valid HTTP.', extensions: { code: 'BAD_USER_INPUT' } }],
  });
  socket.end(
    `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
