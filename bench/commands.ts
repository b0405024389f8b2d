/**
 * What one request costs the database, per server: the MongoDB commands the server
 * sends and the bytes of their replies.
 *
 * Measured in the bench process itself, never in the load servers: command monitoring
 * decodes every reply a second time, which would slow the servers being timed.
 *
 * Contract: builds the server in process (the gateway as bench/server.ts does, or an
 * alternative) on a MongoClient with `monitorCommands: true`, sends the scenario's request a few times to warm it
 * (agreement cache, connection pool, JIT), then counts the commands of `samples` further requests,
 * one at a time, and reports the mean per request. Reply bytes are the BSON size of
 * each `commandSucceeded` reply; database time is the sum of their `duration`s. Run it
 * while nothing else loads the machine, or the timings (not the counts) mean little.
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BSON, MongoClient, type CommandStartedEvent, type CommandSucceededEvent, type Db } from 'mongodb';
import { loadConfig } from '../src/server/config';
import { createGateway } from '../src/server/createGateway';
import { createLogger } from '../src/server/logger';
import { gatewayFor, type BenchMode } from './baseline/stripped';
import { checkResponse, type ResponseCheck } from './response';
import type { BenchRequest } from './scenario';

export interface CommandCost {
  readonly commandsPerRequest: number;
  readonly replyBytesPerRequest: number;
  /** Mean commands per request by `<command> <collection>`, e.g. `find migrants`. */
  readonly byCommand: Readonly<Record<string, number>>;
  /** Mean reply bytes per request by `<command> <collection>`. */
  readonly replyBytesByCommand: Readonly<Record<string, number>>;
  /** Mean database milliseconds per request by `<command> <collection>`. */
  readonly dbMsByCommand: Readonly<Record<string, number>>;
  /** Mean time the database took per request: the sum of the commands' durations as the driver saw them. */
  readonly dbMsPerRequest: number;
  /** Mean wall time of one request, sent alone to an idle in-process gateway. */
  readonly requestMs: number;
  readonly samples: number;
  /** The last measured response. */
  readonly response: ResponseCheck;
}

/** Requests sent before counting: enough for the agreement cache, the pool and a first JIT pass. */
const WARM_UP_REQUESTS = 5;

interface Tally {
  commands: number;
  replyBytes: number;
  dbMs: number;
  byCommand: Record<string, number>;
  replyBytesByCommand: Record<string, number>;
  dbMsByCommand: Record<string, number>;
}

/** A server built in this process over a given database: its HTTP handler and how to stop it. */
export interface InProcessServer {
  readonly handler: RequestListener;
  stop(): Promise<void>;
}

/** The gateway in `mode` (A `enforced`, B `stripped`), built as bench/server.ts builds it. */
export function gatewayServer(mode: BenchMode, uri: string, dbName: string): (db: Db) => Promise<InProcessServer> {
  return async (db) => {
    // As the load servers run (bench/run.ts): the rate limiter off, its counter is no part of the scenario.
    const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'silent', MONGODB_URI: uri, MONGODB_DB: dbName, RATE_LIMIT_PER_MINUTE: '0' });
    const gateway = await createGateway({ config, db, logger: createLogger('silent'), ...gatewayFor(mode) });
    return { handler: gateway.app, stop: () => gateway.stop() };
  };
}

/** Measures the database cost of `request` on the server `build` makes over the database `dbName` at `uri`. */
export async function measureCommands(uri: string, dbName: string, build: (db: Db) => Promise<InProcessServer>, request: BenchRequest, samples = 5): Promise<CommandCost> {
  const client = new MongoClient(uri, { monitorCommands: true, serverSelectionTimeoutMS: 5_000, maxPoolSize: 50 });
  await client.connect();
  const tally = emptyTally();
  const names = new Map<number, string>();
  client.on('commandStarted', (event: CommandStartedEvent) => {
    const name = commandName(event);
    names.set(event.requestId, name);
    tally.commands += 1;
    tally.byCommand[name] = (tally.byCommand[name] ?? 0) + 1;
  });
  client.on('commandSucceeded', (event: CommandSucceededEvent) => {
    const name = names.get(event.requestId) ?? event.commandName;
    names.delete(event.requestId);
    const bytes = BSON.calculateObjectSize(event.reply as BSON.Document);
    tally.replyBytes += bytes;
    tally.dbMs += event.duration;
    tally.dbMsByCommand[name] = (tally.dbMsByCommand[name] ?? 0) + event.duration;
    tally.replyBytesByCommand[name] = (tally.replyBytesByCommand[name] ?? 0) + bytes;
  });
  const built = await build(client.db(dbName));
  const server = createServer(built.handler);
  try {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (let i = 0; i < WARM_UP_REQUESTS; i++) await checkResponse(url, request);
    Object.assign(tally, emptyTally());
    let response: ResponseCheck | undefined;
    const started = performance.now();
    for (let i = 0; i < samples; i++) response = await checkResponse(url, request);
    const requestMs = (performance.now() - started) / samples;
    return { ...perRequest(tally, samples, response!), requestMs };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await built.stop();
    await client.close();
  }
}

function emptyTally(): Tally {
  return { commands: 0, replyBytes: 0, dbMs: 0, byCommand: {}, replyBytesByCommand: {}, dbMsByCommand: {} };
}

/** `find migrants`, `getMore migrants`, `aggregate dataRequests`...: the command and its collection. */
function commandName(event: CommandStartedEvent): string {
  const name = event.commandName;
  const target = name === 'getMore' ? event.command['collection'] : event.command[name];
  return typeof target === 'string' ? `${name} ${target}` : name;
}

function perRequest(tally: Tally, samples: number, response: ResponseCheck): Omit<CommandCost, 'requestMs'> {
  const mean = (record: Record<string, number>): Record<string, number> =>
    Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => [key, value / samples]));
  return {
    commandsPerRequest: tally.commands / samples,
    replyBytesPerRequest: tally.replyBytes / samples,
    byCommand: mean(tally.byCommand),
    replyBytesByCommand: mean(tally.replyBytesByCommand),
    dbMsByCommand: mean(tally.dbMsByCommand),
    dbMsPerRequest: tally.dbMs / samples,
    samples,
    response,
  };
}
