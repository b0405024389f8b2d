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
import { createServer, maxHeaderSize, STATUS_CODES, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MongoClient } from 'mongodb';
import { errorBody } from '../context/errors';
import { keepDatabaseConnected, type ConnectionKeeper } from '../data/connection';
import { createDatabaseClient } from '../data/database';
import type { GatewayConfig } from './config';
import type { Authenticate } from '../context/authenticate';
import { createGateway, type Gateway } from './createGateway';
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
  /** Default: the trust registry of the database, with the configured single issuer as a shortcut. */
  readonly authenticate?: Authenticate;
  /** The database URI to use (the configured one, or an embedded server's). */
  readonly mongodbUri: string;
}

export async function startGateway(options: StartOptions): Promise<RunningGateway> {
  const { config, logger } = options;
  // Not connected yet: operations wait for (or fail on) the background connect.
  const client = createDatabaseClient(options.mongodbUri, config.writeConcern);
  const db = client.db(config.mongodbDb);
  const database = keepDatabaseConnected(client, db, logger);
  let gateway: Gateway;
  const server = createServer();
  try {
    gateway = await createGateway({ config, db, logger, ...(options.authenticate ? { authenticate: options.authenticate } : {}) });
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
 * a header, a head above its limit, ...) never reaches express: answer it as JSON with a
 * contract code too, naming what was wrong, then close the connection. The statuses are
 * Node's own: 431 for a head too large, 413 for chunk extensions too large, 408 for a
 * request not received in time, 400 otherwise. (The request's Accept header cannot be
 * trusted here, so the answer is application/json.)
 */
export function answerMalformedRequest(error: Error & { code?: string; reason?: unknown }, socket: import('node:stream').Duplex): void {
  if (!socket.writable) return;
  const { status, message } = malformedRequestAnswer(error);
  const body = JSON.stringify(errorBody('BAD_USER_INPUT', message));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** What Node's HTTP parser refused, as a status and a message for the caller. */
export function malformedRequestAnswer(error: { code?: string; reason?: unknown }): { status: number; message: string } {
  // llhttp's reason is one of its fixed sentences ("Invalid header value char", ...); never the input.
  const reason = typeof error.reason === 'string' && /^[\w .,'()/:-]{1,100}$/.test(error.reason) ? ` (the HTTP parser reports: ${error.reason})` : '';
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, message: `The request head (request line and headers) is larger than this server's limit of ${maxHeaderSize} bytes: send fewer or shorter headers.` };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, message: 'The chunk extensions of the request body are larger than this server accepts: send the body without chunk extensions.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, message: "The request was not received in full within the server's request timeout." };
    case 'HPE_INVALID_METHOD':
      return { status: 400, message: `The request method is not a valid HTTP method${reason}: send operations with POST, or queries with GET.` };
    case 'HPE_INVALID_URL':
      return { status: 400, message: `The request target is not a valid URL path${reason}: send requests to /graphql.` };
    case 'HPE_INVALID_VERSION':
    case 'HPE_INVALID_CONSTANT':
      return { status: 400, message: `The request line is not "<METHOD> <path> HTTP/1.1"${reason}.` };
    case 'HPE_INVALID_HEADER_TOKEN':
      return { status: 400, message: `A request header name or value has a character HTTP does not allow, such as a control character${reason}.` };
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return { status: 400, message: `The request's Content-Length is not valid${reason}: send one decimal length, once, and not together with Transfer-Encoding.` };
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return { status: 400, message: `The request's Transfer-Encoding is not valid${reason}: it must end with chunked, and a request may not also have a Content-Length.` };
    case 'HPE_INVALID_CHUNK_SIZE':
      return { status: 400, message: `A chunk of the chunked request body does not start with its size in hexadecimal${reason}.` };
    case 'HPE_CR_EXPECTED':
    case 'HPE_LF_EXPECTED':
    case 'HPE_STRICT':
    case 'HPE_UNEXPECTED_SPACE':
      return { status: 400, message: `A line of the request head is malformed: each line ends with CRLF, with no stray spaces or bare CR/LF${reason}.` };
    case 'HPE_INVALID_EOF_STATE':
      return { status: 400, message: 'The connection was closed before the request was complete.' };
    default:
      return { status: 400, message: `The request is not valid HTTP/1.1${reason}.` };
  }
}
