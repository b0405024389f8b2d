/**
 * The gateway as an express application: Apollo Server 5 on express 5 with the
 * endpoints of contract section 8. Built from its dependencies (configuration, database,
 * logger, authenticator), so tests and benchmarks build it exactly as `npm start` does.
 */
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express, { type Express, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { GraphQLSchema } from 'graphql';
import type { Db } from 'mongodb';
import type { Authenticate } from '../context/authenticate';
import { createAgreementCache, type AgreementCache } from '../context/agreementCache';
import type { TrustDoc } from '../data/documents';
import { devAuthConfig, devPublicKeys } from '../dev/devKeys';
import { createIssuerTrustAuthenticator, type IssuerTrustOptions } from '../context/issuerTrust';
import { resolvePublicKeySetting } from '../context/loadPublicKey';
import { DPOP_PROOFS, createReplayCache, type DpopProofDoc } from '../data/dpopReplay';
import type { TreatyHeaders } from '../context/treatyContext';
import { createRequestContext, type RequestContextSources } from '../context/requestContext';
import { findAgreement } from '../data/agreements';
import { collectionsOf, isDatabaseUnavailable, pingDatabase } from '../data/database';
import { chainHeads, createAuditWriter, verifyAuditTrail, type AuditWriter } from '../data/auditStore';
import { checkpointOf, signCheckpoint, writeCheckpoint } from '../audit/checkpoint';
import { collectFieldPolicies } from '../../directives/index';
import type { GatewayConfig } from './config';
import { gatewayError } from '../context/errors';
import { createFormatError } from './formatError';
import { createExplorerRouter } from './explorer';
import { callerOf, graphqlHttpGuards, graphqlOverHttpPlugin, jsonErrorHandler, notFoundHandler } from './graphqlHttp';
import { createDocumentAnalysis, type DocumentStore } from './documentAnalysis';
import { loadTrustedDocuments } from './trustedDocuments';
import type { GatewayContext } from '../context/GatewayContext';
import type { Logger } from './logger';
import { createMetrics, type GatewayMetrics } from './metrics';
import { agreementChangesPlugin } from './plugins/agreementChanges';
import { observabilityPlugin } from './plugins/observability';
import { auditTrailPlugin } from './plugins/auditTrail';
import { outagePlugin } from './plugins/outage';
import { privacyReportPlugin } from './plugins/privacyReport';
import { projectionPlugin } from './plugins/projection';
import { treatyGuardPlugin } from './plugins/treatyGuard';
import { buildGatewaySchema } from './schema';
import { createDecisionTable, type DecisionTableFactory } from '../policy/decisionTable';
import { printSchemaWithDirectives } from '@graphql-tools/utils';


export interface GatewayDependencies {
  readonly config: GatewayConfig;
  readonly db: Db;
  readonly logger: Logger;
  /**
   * Who the caller is. Default: tokens of the identity providers the trust registry
   * registers for the party they claim, and of the configured single issuer
   * (src/context/issuerTrust.ts).
   */
  readonly authenticate?: Authenticate;
  /**
   * The executable schema: the gateway's (`buildGatewaySchema`) by default. Only code that
   * builds a server for measurement supplies another (bench/baseline/stripped.ts).
   */
  readonly schema?: GraphQLSchema;
  /** Makes each request's decision table: `createDecisionTable` by default (a measurement baseline supplies its own). */
  readonly decisionTable?: DecisionTableFactory;
  readonly clock?: () => Date;
  /** The audit trail writer; a new chain on this database by default. */
  readonly audit?: AuditWriter;
}

export interface Gateway {
  readonly app: Express;
  readonly metrics: GatewayMetrics;
  /** Stops Apollo Server (in-flight operations finish first). */
  stop(): Promise<void>;
}

/**
 * Writes a signed checkpoint of the audit trail's chain heads every `intervalMs`, and one
 * more on stop. A checkpoint that cannot be written is logged as an error (the trail
 * itself is unaffected); the next one tries again.
 */
function startCheckpoints(db: Db, settings: NonNullable<GatewayConfig['auditCheckpoints']>, logger: Logger): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const take = (): Promise<void> => {
    running = running.then(async () => {
      try {
        const signed = signCheckpoint(checkpointOf(await chainHeads(db), new Date()), settings.signingKey);
        const path = await writeCheckpoint(settings.dir, signed);
        logger.info({ path, chains: signed.checkpoint.chains.length }, 'audit checkpoint written');
      } catch (error) {
        logger.error({ err: error }, 'audit checkpoint not written');
      }
    });
    return running;
  };
  const timer = setInterval(() => void take(), settings.intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await take();
    },
  };
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

/**
 * Apollo Server as the gateway runs it: no stack traces, no schema hints in production,
 * no batching (refused before it anyway), CSRF prevention as a second line, signals left
 * to startGateway. The treaty guard runs first and the GraphQL-over-HTTP statuses last;
 * `plugins` run in between, in order.
 */
function apolloServerFor(
  schema: GraphQLSchema,
  options: { config: GatewayConfig; logger: Logger; documentStore: DocumentStore; plugins: ApolloServerPlugin<GatewayContext>[] },
): ApolloServer<GatewayContext> {
  const { config, logger } = options;
  return new ApolloServer<GatewayContext>({
    schema,
    // Documents parsed and validated by the document analysis (src/server/documentAnalysis.ts),
    // under every rule Apollo Server would apply: give Apollo Server no `validationRules`
    // of its own, or add them there too.
    documentStore: options.documentStore,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    // No "Did you mean ...?" and no type names in errors in production.
    hideSchemaDetailsFromClientErrors: config.production,
    // Batches are refused before Apollo Server; CSRF prevention stays on as a second line.
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    // Signals are handled by startGateway, which drains HTTP first and closes the database last.
    stopOnTerminationSignals: false,
    formatError: createFormatError(logger),
    plugins: [
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      treatyGuardPlugin(),
      ...options.plugins,
      // Statuses of GraphQL over HTTP by media type for bad documents and variables.
      graphqlOverHttpPlugin(),
    ],
  });
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
  const collections = collectionsOf(db);
  const metrics = createMetrics();
  const agreements = createAgreementCache((id) => findAgreement(collections, id), config.agreementCacheTtlMs);
  // The whole registry (one small document per party) under one key: same TTL as agreements.
  const trust = createAgreementCache(async () => new Map((await collections.trust.find().toArray()).map((doc) => [doc._id, doc])), config.agreementCacheTtlMs);
  const authenticate = deps.authenticate ?? registryAuthenticator(config, db, trust);
  const schema = deps.schema ?? buildGatewaySchema();
  const policies = collectFieldPolicies(schema);
  // Read and checked at start: a bad manifest stops the gateway, naming the setting.
  const trusted = config.trustedDocuments === null ? null : loadTrustedDocuments(config.trustedDocuments);
  // Each document parsed, validated, measured and walked once; Apollo Server takes it from here.
  const documents = createDocumentAnalysis(schema, { ...config.limits, maxPageSize: config.maxPageSize, introspection: config.introspection });

  const apollo = apolloServerFor(schema, {
    logger,
    documentStore: documents.documentStore,
    plugins: [
      agreementChangesPlugin(collections.agreements, agreements, logger),
      agreementChangesPlugin(collections.trust, trust, logger, {
        subject: { name: 'trust registry', ttlSetting: 'AGREEMENT_CACHE_TTL_MS' },
        wholeCollection: true,
      }),
      projectionPlugin(),
      // Independent of their order: the audit reads the outage from the response, and the
      // report waits for the audit's outcome.
      outagePlugin(),
      auditTrailPlugin(deps.audit ?? createAuditWriter(db, config.auditKeys.current), logger),
      privacyReportPlugin(),
      observabilityPlugin(logger, metrics),
    ],
    config,
  });
  await apollo.start();

  const verifyAudit = () => verifyAuditTrail(db, config.auditKeys.byId);
  const checkpoints = config.auditCheckpoints && !deps.audit ? startCheckpoints(db, config.auditCheckpoints, logger) : null;
  const contextSources: RequestContextSources = {
    collections,
    policies,
    decisionTable: deps.decisionTable ?? createDecisionTable,
    agreement: (id) => agreements.get(id),
    pseudonymKey: config.pseudonymKey,
    maxPageSize: config.maxPageSize,
    verifyAudit,
  };
  const contextFor = async ({ req, res }: { req: Request; res: Response }): Promise<GatewayContext> => {
    try {
      // The caller was verified by the HTTP guards before Apollo Server (src/server/graphqlHttp.ts).
      return await createRequestContext(contextSources, { caller: callerOf(res), headers: treatyHeaders(req), now: clock() });
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        logger.warn('database unavailable while resolving the treaty context');
        throw gatewayError('SERVICE_UNAVAILABLE');
      }
      throw error;
    }
  };

  const app = express();
  serveOperationalRoutes(app, { db, metrics, schema, config, logger });
  app.use(
    '/graphql',
    ...graphqlHttpGuards({ config, authenticate, limits: documents, trusted, metrics, logger }),
    expressMiddleware(apollo, { context: contextFor }),
  );
  app.use(notFoundHandler());
  app.use(jsonErrorHandler(logger));

  return {
    app,
    metrics,
    stop: async () => {
      await apollo.stop();
      // The last checkpoint, once no operation can write another event.
      await checkpoints?.stop();
    },
  };
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
