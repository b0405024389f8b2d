/**
 * One gateway server for the bench: `tsx bench/server.ts <enforced|stripped> [port]`
 * (or BENCH_MODE / BENCH_PORT), database from MONGODB_URI and MONGODB_DB.
 *
 * Contracts:
 * - Built exactly as `npm start` builds the gateway (createGateway, the configured
 *   authenticator, the production MongoClient options), except for the privacy mode
 *   and a silent logger. The configuration is made from a fixed environment, so
 *   settings of the calling shell (JWT keys, LOG_LEVEL...) can't change what is measured;
 *   only RATE_LIMIT_PER_MINUTE is passed through when set.
 * - Port 0 (the default) takes a free port. Once listening, prints exactly one line
 *   `treatygate-bench ready mode=<mode> port=<port>` on standard output.
 * - Exits when its standard input closes (the bench went away), or on SIGTERM/SIGINT.
 */
import { createServer } from 'node:http';
import { connectDatabase } from '../src/data/database';
import { loadConfig } from '../src/server/config';
import { createGateway } from '../src/server/createGateway';
import { createLogger } from '../src/server/logger';
import { gatewayFor, type BenchMode } from './baseline/stripped';
import { serveBench } from './processes';
import { startRuntimeProbe } from './runtimeProbe';

/**
 * The ready line's pattern, for every bench server (A and B here, C and D in
 * bench/alternatives/); group 1 is the mode, group 2 the port.
 */
export const READY_LINE = /treatygate-bench ready mode=([a-z-]+) port=(\d+)/;

/** The privacy mode named by `value`; throws for anything else. */
export function parseMode(value: string | undefined): BenchMode {
  if (value === 'enforced' || value === 'stripped') return value;
  throw new Error(`mode must be enforced or stripped, got "${value ?? ''}"`);
}

async function main(): Promise<void> {
  const mode = parseMode(process.argv[2] ?? process.env['BENCH_MODE']);
  const mongodbUri = process.env['MONGODB_URI'];
  if (!mongodbUri) throw new Error('MONGODB_URI is not set');
  const config = loadConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: process.argv[3] ?? process.env['BENCH_PORT'] ?? '0',
    MONGODB_URI: mongodbUri,
    MONGODB_DB: process.env['MONGODB_DB'] ?? 'bench',
    // Passed through when set (the soak sets 0): the bench loads the gateway, not its rate limiter.
    RATE_LIMIT_PER_MINUTE: process.env['RATE_LIMIT_PER_MINUTE'],
  });
  const client = await connectDatabase(mongodbUri);
  const gateway = await createGateway({
    config,
    db: client.db(config.mongodbDb),
    logger: createLogger(config.logLevel),
    ...gatewayFor(mode),
  });
  // The bench's probes, never part of the gateway: `GET /bench/memory` (memory, and the
  // event-loop delay and GC pauses since the previous read: the soak samples it each
  // second) and `GET /bench/cpu`.
  const runtime = startRuntimeProbe();
  const server = createServer((req, res) => {
    // `GET /bench/cpu`: this process's CPU time so far (µs), read before and after each round.
    if (req.method === 'GET' && req.url === '/bench/cpu') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(process.cpuUsage()));
      return;
    }
    if (req.method === 'GET' && req.url === '/bench/memory') {
      const { rss, heapUsed } = process.memoryUsage();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ rss, heapUsed, maxRss: process.resourceUsage().maxRSS * 1024, runtime: runtime.sample() }));
      return;
    }
    gateway.app(req, res);
  });
  await serveBench(server, { host: config.host, port: config.port, mode, stop: () => Promise.allSettled([gateway.stop(), client.close()]) });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench server failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
