/**
 * `npm start`: serves the gateway. With no MONGODB_URI, starts an embedded database that
 * keeps its data in a directory across restarts (TREATYGATE_DATA_DIR, default
 * `.treatygate/data` in the project root; `npm run db:wipe` deletes it), seeds a demo
 * world of 2,000 migrants when it is empty, and prints the GraphQL URL and ready-to-paste
 * development tokens with their headers for three personas.
 */
import type { MongoClient } from 'mongodb';
import { devIdentityProvider, devIssuerOf, signDevToken } from '../dev/devKeys';
import { registerDevelopmentIssuers } from '../dev/developmentTrust';
import { collectionsOf } from '../data/database';
import { generateWorld } from '../world/generateWorld';
import { importWorld } from '../world/importWorld';
import { dataDirFromEnv, startDatabase, type StartedDatabase } from '../dev/testDatabase';
import { ConfigError, loadConfig, type GatewayConfig } from '../server/config';
import { createLogger } from '../server/logger';
import { EXAMPLE_OPERATIONS, PERSONAS } from '../dev/personas';
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
    const dataDir = dataDirFromEnv();
    // The configuration has no MONGODB_URI (unset or blank): always an embedded server here.
    embedded = await startDatabase({ log: (message) => logger.info(message), dataDir, ignoreMongodbUri: true });
    logger.info({ dataDir }, 'embedded database: data kept in the data directory across restarts (npm run db:wipe deletes it)');
  } else if (process.env['TREATYGATE_DATA_DIR']?.trim()) {
    logger.warn('TREATYGATE_DATA_DIR is ignored: MONGODB_URI is set, so no embedded database is started');
  }
  const mongodbUri = config.mongodbUri ?? embedded!.uri;
  const running = await startGateway({ config, logger, mongodbUri });
  if (embedded) {
    // Seed only once the indexes exist: writes that race an index build can fail on the
    // embedded mongo-java-server, and the audit trail's unique index must be in place.
    await running.database.ready;
    await seedIfEmpty(running.client, config, logger);
  }
  if (config.jwt.useDevKeys) {
    // The personas' tokens come from each party's development identity provider: registered
    // once the database answers (in the background: the gateway serves meanwhile).
    void running.database.ready
      .then(() => registerDevelopmentIssuers(collectionsOf(running.client.db(config.mongodbDb)), devIdentityProvider, new Date()))
      .then((changed) => {
        if (changed > 0) logger.info({ parties: changed }, 'registered the development identity providers in the trust registry');
      })
      .catch((error: unknown) => logger.warn({ err: { name: (error as Error).name } }, 'development identity providers not registered: the personas will be refused until the next start'));
  }
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
  const kept = await collectionsOf(db).migrants.estimatedDocumentCount();
  if (kept > 0) {
    logger.info({ migrants: kept }, 'using the data already in the embedded database (no demo world seeded)');
    return;
  }
  const summary = await importWorld(client, db, generateWorld({ migrants: DEMO_MIGRANTS, seed: 1 }), '<demo world>');
  logger.info({ migrants: summary.migrants, dataRequests: summary.dataRequests, consents: summary.consents }, 'seeded the demo world');
}

async function printWelcome(url: string, config: GatewayConfig, embedded: StartedDatabase | null): Promise<void> {
  const lines = ['', `Treatygate is serving GraphQL at ${url}/graphql`, `Explorer (GraphiQL): ${url}/explorer`, ''];
  if (embedded) {
    lines.push(`Embedded database (${embedded.kind}): ${embedded.uri}`);
    if (embedded.dataDir) {
      const moved = process.env['TREATYGATE_DATA_DIR']?.trim() ? `TREATYGATE_DATA_DIR='${embedded.dataDir}' ` : '';
      lines.push(`  its data (kept across restarts): ${embedded.dataDir}`, `  delete it (when stopped):  ${moved}npm run db:wipe`);
    }
    lines.push(`  import into it:  MONGODB_URI='${embedded.uri}' npm run import -- file.json`, '');
  }
  if (config.jwt.useDevKeys) {
    lines.push('Development personas (tokens valid for 8 hours):', '');
    for (const persona of PERSONAS) {
      const token = await signDevToken({ party: persona.party, clearance: persona.clearance, roles: [...persona.roles] }, { issuer: devIssuerOf(persona.party) });
      lines.push(`# ${persona.label}`);
      lines.push(
        `curl -s ${url}/graphql -H 'content-type: application/json' \\`,
        `  -H 'Authorization: Bearer ${token}' \\`,
        `  -H 'X-Agreement-Id: ${persona.agreementId}' -H 'X-Purpose: ${persona.purpose}' \\`,
        `  -d '${JSON.stringify({ query: EXAMPLE_OPERATIONS[persona.reads] })}'`,
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
