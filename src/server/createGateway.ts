/**
 * The gateway as an express application: the GraphQL layer (src/server/graphqlLayer.ts)
 * behind the HTTP guards, on express 5, with the endpoints of contract section 8. Built
 * from its dependencies (configuration, database, logger, authenticator), so tests and
 * benchmarks build it exactly as `npm start` does.
 */
import { expressMiddleware } from '@as-integrations/express5';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import express, { type Express, type Request } from 'express';
import helmet from 'helmet';
import type { GraphQLSchema } from 'graphql';
import type { Db } from 'mongodb';
import type { AgreementCache } from '../context/agreementCache';
import type { Authenticate } from '../context/authenticate';
import { createIssuerTrustAuthenticator, type IssuerTrustOptions } from '../context/issuerTrust';
import { resolvePublicKeySetting } from '../context/loadPublicKey';
import type { TreatyHeaders } from '../context/treatyContext';
import { pingDatabase } from '../data/database';
import { MongoRateLimitStore, RATE_LIMITS, type RateLimitDoc } from '../data/rateLimits';
import type { TrustDoc } from '../data/documents';
import { DPOP_PROOFS, createReplayCache, type DpopProofDoc } from '../data/dpopReplay';
import { devAuthConfig, devPublicKeys } from '../dev/devKeys';
import type { GatewayConfig } from './config';
import { createExplorerRouter } from './explorer';
import { callerOf, graphqlHttpGuards, jsonErrorHandler, notFoundHandler } from './graphqlHttp';
import { createGraphqlLayer, type GraphqlLayerDependencies } from './graphqlLayer';
import type { Logger } from './logger';
import type { GatewayMetrics } from './metrics';
import { loadTrustedDocuments } from './trustedDocuments';


export interface GatewayDependencies extends GraphqlLayerDependencies {
  /**
   * Who the caller is. Default: tokens of the identity providers the trust registry
   * registers for the party they claim, and of the configured single issuer
   * (src/context/issuerTrust.ts).
   */
  readonly authenticate?: Authenticate;
  readonly clock?: () => Date;
}

export interface Gateway {
  readonly app: Express;
  readonly metrics: GatewayMetrics;
  /** Stops Apollo Server (in-flight operations finish first). */
  stop(): Promise<void>;
}

/** The configured single issuer as a shortcut beside the registry (the development keys outside production). */
function singleIssuerOf(config: GatewayConfig): { shortcut?: IssuerTrustOptions['shortcut'] } {
  const { jwt } = config;
  if (jwt.useDevKeys) return { shortcut: { config: devAuthConfig(), parties: 'ANY' } };
  const timing = { jwksCacheMaxAgeMs: jwt.jwksCacheMaxAgeMs, jwksCooldownMs: jwt.jwksCooldownMs };
  if (jwt.jwksUrl) return { shortcut: { config: { issuer: jwt.issuer, audience: jwt.audience, jwksUrl: jwt.jwksUrl, ...timing }, parties: jwt.parties } };
  if (jwt.publicKey) return { shortcut: { config: { issuer: jwt.issuer, audience: jwt.audience, publicKey: resolvePublicKeySetting(jwt.publicKey) }, parties: jwt.parties } };
  return {};
}

/** Tokens of the identity providers the trust registry registers for the party they claim, and of the single issuer. */
function registryAuthenticator(config: GatewayConfig, db: Db, trust: AgreementCache<ReadonlyMap<string, TrustDoc>>): Authenticate {
  return createIssuerTrustAuthenticator({
    registry: { byParty: async () => (await trust.get('*')) ?? new Map() },
    ...singleIssuerOf(config),
    replay: createReplayCache(db.collection<DpopProofDoc>(DPOP_PROOFS)),
    jwks: { cacheMaxAgeMs: config.jwt.jwksCacheMaxAgeMs, cooldownMs: config.jwt.jwksCooldownMs },
    dpopIatWindowS: config.dpop.iatWindowS,
    // The development keys are public knowledge: never trusted in production, whoever registers them.
    ...(config.production ? { refusedKeys: devPublicKeys() } : {}),
  });
}

export async function createGateway(deps: GatewayDependencies): Promise<Gateway> {
  const { config, db, logger } = deps;
  const clock = deps.clock ?? (() => new Date());
  const layer = await createGraphqlLayer(deps);
  const authenticate = deps.authenticate ?? registryAuthenticator(config, db, layer.trust);
  // Read and checked at start: a bad manifest stops the gateway, naming the setting.
  const trusted = config.trustedDocuments === null ? null : loadTrustedDocuments(config.trustedDocuments);
  const app = express();
  serveOperationalRoutes(app, { db, metrics: layer.metrics, schema: layer.schema, config, logger });
  app.use(
    '/graphql',
    ...graphqlHttpGuards({
      config,
      authenticate,
      limits: layer.documents,
      trusted,
      metrics: layer.metrics,
      logger,
      // Counted in the database, so the limit holds across instances (RATE_LIMIT_STORE).
      ...(config.rateLimitStore === 'mongodb' ? { rateLimitStore: new MongoRateLimitStore(db.collection<RateLimitDoc>(RATE_LIMITS)) } : {}),
    }),
    // The caller was verified by the HTTP guards before Apollo Server (src/server/graphqlHttp.ts).
    expressMiddleware(layer.apollo, { context: async ({ req, res }) => layer.contextOf({ caller: callerOf(res), headers: treatyHeaders(req), now: clock() }) }),
  );
  app.use(notFoundHandler());
  app.use(jsonErrorHandler(logger));
  return { app, metrics: layer.metrics, stop: () => layer.stop() };
}

/** Security headers, health, readiness, metrics, the SDL and the explorer: everything but `/graphql`. */
function serveOperationalRoutes(app: Express, deps: { db: Db; metrics: GatewayMetrics; schema: GraphQLSchema; config: GatewayConfig; logger: Logger }): void {
  const { db, metrics, schema, config, logger } = deps;
  app.disable('x-powered-by');
  // Standard security headers. The API answers JSON only, so its policy allows nothing;
  // the explorer sets a policy of its own for its page.
  app.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } },
      crossOriginResourcePolicy: { policy: 'same-origin' },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await pingDatabase(db);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'database unreachable' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  // The SDL with its privacy directives and privacy lines, for integrators' codegen. The
  // schema is the published contract, so this is served in production too (where
  // introspection is off): it shows no data and no more than the contract does.
  const sdl = `${printSchemaWithDirectives(schema)}\n`;
  app.get('/schema.graphql', (_req, res) => {
    res.type('application/graphql; charset=utf-8').set('Content-Disposition', 'inline; filename="schema.graphql"').send(sdl);
  });
  // The self-hosted explorer (GraphiQL bundled by npm run build:explorer); personas only in development.
  app.use('/explorer', createExplorerRouter({ production: config.production, devTokens: config.jwt.useDevKeys, introspection: config.introspection, logger }));
}

const HEADER_VALUE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The treaty headers; a malformed value reads as absent-and-invalid, never as a partial match. */
function treatyHeaders(req: Request): TreatyHeaders {
  const one = (name: string): string | undefined => {
    const value = req.headers[name];
    if (value === undefined) return undefined;
    return typeof value === 'string' && HEADER_VALUE.test(value.trim()) ? value.trim() : '\u0000invalid';
  };
  return { agreementId: one('x-agreement-id'), purpose: one('x-purpose'), dataRequestId: one('x-data-request-id') };
}
