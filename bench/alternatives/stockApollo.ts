/**
 * Bench alternative C: stock Apollo Server 5 with its defaults, as a team would write it
 * without this project. `tsx bench/alternatives/stockApollo.ts [port]`, database from
 * MONGODB_URI and MONGODB_DB (default `bench`). Never part of the product.
 *
 * Contracts:
 * - `new ApolloServer({ schema })` and nothing else (Apollo's default plugins, CSRF
 *   prevention, error formatting), served as `startStandaloneServer` serves it (cors(),
 *   a JSON body parser with a 50 MB limit) but through `expressMiddleware` on an express
 *   app at `/graphql`, so the bench's two probes can be routed beside it.
 * - The schema and resolvers are `plainSchema.ts`'s: no privacy, no audit; the
 *   Authorization, X-Agreement-Id and X-Purpose headers are ignored.
 * - The MongoClient has the gateway's options (src/data/database.ts), so the database
 *   side is configured as it is for A and B.
 * - Port 0 (the default) takes a free port on 127.0.0.1. Once listening, prints exactly
 *   one line `treatygate-bench ready mode=stock-apollo port=<port>` on standard output.
 * - `GET /bench/cpu` and `GET /bench/memory` answer the bench's probes.
 * - Exits when its standard input closes (the bench went away), or on SIGTERM/SIGINT.
 */
import { createServer } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express from 'express';
import { connectDatabase } from '../../src/data/database';
import { serveBench } from '../processes';
import { benchProbe, buildPlainSchema, createPlainContext, readPlainServerSettings, type PlainContext } from './plainSchema';

/** This server's mode in the ready line. */
export const STOCK_APOLLO_MODE = 'stock-apollo';

async function main(): Promise<void> {
  const settings = readPlainServerSettings();
  const client = await connectDatabase(settings.mongodbUri);
  const db = client.db(settings.mongodbDb);
  const apollo = new ApolloServer<PlainContext>({ schema: buildPlainSchema() });
  await apollo.start();

  const app = express();
  app.get(['/bench/cpu', '/bench/memory'], (req, res) => {
    res.json(benchProbe(req.path));
  });
  app.use(
    '/graphql',
    cors(),
    express.json({ limit: '50mb' }),
    expressMiddleware(apollo, { context: async () => createPlainContext(db) }),
  );

  const server = createServer(app);
  await serveBench(server, { host: '127.0.0.1', port: settings.port, mode: STOCK_APOLLO_MODE, stop: () => Promise.allSettled([apollo.stop(), client.close()]) });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`stock Apollo bench server failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
