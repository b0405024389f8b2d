/**
 * `npm start`: serves the gateway. With no MONGODB_URI, starts an embedded database,
 * seeds a demo world of 2,000 migrants when it is empty, and prints the GraphQL URL and
 * ready-to-paste development tokens with their headers for three personas.
 */
import type { MongoClient } from 'mongodb';
import { authenticatorFromConfig } from '../context/authenticatorFromConfig';
import { signDevToken } from '../context/devKeys';
import { collectionsOf } from '../data/database';
import { generateWorld } from '../data/generateWorld';
import { importWorld } from '../data/importWorld';
import { startDatabase, type StartedDatabase } from '../data/testDatabase';
import { ConfigError, loadConfig, type GatewayConfig } from '../server/config';
import { createLogger } from '../server/logger';
import { PERSONAS } from '../server/personas';
import { startGateway } from '../server/startGateway';

const DEMO_MIGRANTS = 2_000;

async function main(): Promise<void> {
  let config: GatewayConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nThe gateway did not start.\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let embedded: StartedDatabase | null = null;
  if (config.mongodbUri === null) {
    embedded = await startDatabase({ log: (message) => logger.info(message) });
  }
  const mongodbUri = config.mongodbUri ?? embedded!.uri;
  const running = await startGateway({ config, logger, mongodbUri, authenticate: authenticatorFromConfig(config) });
  if (embedded) await seedIfEmpty(running.client, config, logger);
  logger.info({ url: `${running.url}/graphql` }, 'treatygate ready');
  if (!config.production) await printWelcome(running.url, config, embedded);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal during shutdown: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: draining in-flight requests');
    // A drain that does not finish in time must not keep the process alive.
    setTimeout(() => {
      logger.error('shutdown did not finish within 30 s: exiting');
      process.exit(1);
    }, 30_000).unref();
    running
      .shutdown()
      .then(() => embedded?.stop())
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: { name: (error as Error).name, message: (error as Error).message } }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function seedIfEmpty(client: MongoClient, config: GatewayConfig, logger: ReturnType<typeof createLogger>): Promise<void> {
  const db = client.db(config.mongodbDb);
  if ((await collectionsOf(db).migrants.estimatedDocumentCount()) > 0) return;
  const summary = await importWorld(client, db, generateWorld({ migrants: DEMO_MIGRANTS, seed: 1 }), '<demo world>');
  logger.info({ migrants: summary.migrants, dataRequests: summary.dataRequests, consents: summary.consents }, 'seeded the demo world');
}

async function printWelcome(url: string, config: GatewayConfig, embedded: StartedDatabase | null): Promise<void> {
  const lines = ['', `Treatygate is serving GraphQL at ${url}/graphql`, `Explorer (GraphiQL): ${url}/explorer`, ''];
  if (embedded) {
    lines.push(`Embedded database (${embedded.kind}): ${embedded.uri}`);
    lines.push(`  import into it:  MONGODB_URI='${embedded.uri}' npm run import -- file.json`, '');
  }
  if (config.jwt.useDevKeys) {
    lines.push('Development personas (tokens valid for 8 hours):', '');
    for (const persona of PERSONAS) {
      const token = await signDevToken({ party: persona.party, clearance: persona.clearance, roles: [...persona.roles] });
      lines.push(`# ${persona.label}`);
      lines.push(
        `curl -s ${url}/graphql -H 'content-type: application/json' \\`,
        `  -H 'Authorization: Bearer ${token}' \\`,
        `  -H 'X-Agreement-Id: ${persona.agreementId}' -H 'X-Purpose: ${persona.purpose}' \\`,
        `  -d '{"query":"{ migrants(first: 3) { totalCount edges { node { id holder { name } givenName } } } }"}'`,
        '',
      );
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`treatygate failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
