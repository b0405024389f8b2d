/**
 * The gateway's GraphQL layer: everything between a verified caller and the response,
 * without HTTP. The schema, the document analysis, Apollo Server with its plugins, the
 * agreement and trust-registry caches, the request context's sources, the audit writer
 * and its checkpoints. `createGateway` puts the HTTP guards in front of it; the
 * schema-level tests run operations on it directly (test/support/schemaTier.ts).
 */
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { Db } from 'mongodb';
import { collectFieldPolicies } from '../../directives/index';
import { checkpointOf, signCheckpoint, writeCheckpoint } from '../audit/checkpoint';
import { createAgreementCache, type AgreementCache } from '../context/agreementCache';
import { gatewayError } from '../context/errors';
import type { GatewayContext } from '../context/GatewayContext';
import { createRequestContext, type RequestContextSources, type RequestFacts } from '../context/requestContext';
import { findAgreement } from '../data/agreements';
import { chainHeads, createAuditWriter, verifyAuditTrail, type AuditWriter } from '../data/auditStore';
import { collectionsOf, isDatabaseUnavailable } from '../data/database';
import type { TrustDoc } from '../data/documents';
import { createDecisionTable, type DecisionTableFactory } from '../policy/decisionTable';
import type { GatewayConfig } from './config';
import { compiledExecution } from './compiledExecution';
import { createDocumentAnalysis, type DocumentAnalysis, type DocumentStore } from './documentAnalysis';
import { createFormatError } from './formatError';
import { graphqlOverHttpPlugin } from './graphqlHttp';
import type { Logger } from './logger';
import { createMetrics, type GatewayMetrics } from './metrics';
import { agreementChangesPlugin } from './plugins/agreementChanges';
import { auditTrailPlugin } from './plugins/auditTrail';
import { observabilityPlugin } from './plugins/observability';
import { outagePlugin } from './plugins/outage';
import { privacyReportPlugin } from './plugins/privacyReport';
import { projectionPlugin } from './plugins/projection';
import { treatyGuardPlugin } from './plugins/treatyGuard';
import { buildGatewaySchema } from './schema';

export interface GraphqlLayerDependencies {
  readonly config: GatewayConfig;
  readonly db: Db;
  readonly logger: Logger;
  /**
   * The executable schema: the gateway's (`buildGatewaySchema`) by default. Only code that
   * builds a server for measurement supplies another (bench/baseline/stripped.ts).
   */
  readonly schema?: GraphQLSchema;
  /** Makes each request's decision table: `createDecisionTable` by default (a measurement baseline supplies its own). */
  readonly decisionTable?: DecisionTableFactory;
  /** The audit trail writer; a new chain on this database by default. */
  readonly audit?: AuditWriter;
}

export interface GraphqlLayer {
  readonly schema: GraphQLSchema;
  readonly apollo: ApolloServer<GatewayContext>;
  /** Parses, validates, measures and walks each document once (the HTTP guards check the limits with it). */
  readonly documents: DocumentAnalysis;
  readonly metrics: GatewayMetrics;
  /** The trust registry, cached whole (the authenticator reads it). */
  readonly trust: AgreementCache<ReadonlyMap<string, TrustDoc>>;
  /**
   * The context of one request whose caller is already verified (by the HTTP guards, in
   * the gateway). A database that cannot be reached is SERVICE_UNAVAILABLE.
   */
  contextOf(request: RequestFacts): Promise<GatewayContext>;
  /** Stops Apollo Server (in-flight operations finish first), then writes the last checkpoint. */
  stop(): Promise<void>;
}

export async function createGraphqlLayer(deps: GraphqlLayerDependencies): Promise<GraphqlLayer> {
  const { config, db, logger } = deps;
  const collections = collectionsOf(db);
  const metrics = createMetrics();
  const agreements = createAgreementCache((id) => findAgreement(collections, id), config.agreementCacheTtlMs);
  // The whole registry (one small document per party) under one key: same TTL as agreements.
  const trust = createAgreementCache(async () => new Map((await collections.trust.find().toArray()).map((doc) => [doc._id, doc])), config.agreementCacheTtlMs);
  const schema = deps.schema ?? buildGatewaySchema();
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

  const checkpoints = config.auditCheckpoints && !deps.audit ? startCheckpoints(db, config.auditCheckpoints, logger) : null;
  const sources: RequestContextSources = {
    collections,
    policies: collectFieldPolicies(schema),
    decisionTable: deps.decisionTable ?? createDecisionTable,
    agreement: (id) => agreements.get(id),
    pseudonymKey: config.pseudonymKey,
    maxPageSize: config.maxPageSize,
    verifyAudit: () => verifyAuditTrail(db, config.auditKeys.byId),
  };
  return {
    schema,
    apollo,
    documents,
    metrics,
    trust,
    async contextOf(request) {
      try {
        return await createRequestContext(sources, request);
      } catch (error) {
        if (isDatabaseUnavailable(error)) {
          logger.warn('database unavailable while resolving the treaty context');
          throw gatewayError('SERVICE_UNAVAILABLE');
        }
        throw error;
      }
    },
    stop: async () => {
      await apollo.stop();
      // The last checkpoint, once no operation can write another event.
      await checkpoints?.stop();
    },
  };
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
    // The schema, executed by compiled queries (src/server/compiledExecution.ts).
    gateway: compiledExecution(schema),
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
