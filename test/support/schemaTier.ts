/**
 * The schema-level tier: operations run on the gateway's GraphQL layer
 * (src/server/graphqlLayer.ts: the schema, Apollo Server with every plugin, the request
 * context as the gateway builds it, the real test database) with a given caller and
 * treaty context, and no HTTP: no token, no guard, no socket. What only HTTP shows (the
 * guards, media types, tokens, limits, statuses of refusals before Apollo Server) is the
 * HTTP tier's (test/server/).
 *
 * Its replies have the shape of the HTTP tier's (`GraphqlReply`: the status Apollo Server
 * would send, and the body), so a test reads the same either way.
 */
import type { MongoClient, Db } from 'mongodb';
import type { Caller } from '../../src/context/authenticate';
import type { GatewayConfig } from '../../src/server/config';
import { createGraphqlLayer, type GraphqlLayer } from '../../src/server/graphqlLayer';
import { createLogger } from '../../src/server/logger';
import { prepareTestDatabase, type GraphqlReply } from './testGateway';

export interface SchemaTierOptions {
  dbName: string;
  /** Import the shared fixture first. */
  fixture?: boolean;
  env?: Record<string, string>;
  clock?: () => Date;
  /** Command monitoring on the tier's MongoClient (to see the database commands an operation causes). */
  monitorCommands?: boolean;
}

/** One operation: the caller (as a verified token would give it), the treaty headers, the document. */
export interface SchemaCall {
  /** Undefined only by a test's mistake (a caller looked up by a name it never set): refused. */
  readonly caller: (Pick<Caller, 'party'> & Partial<Caller>) | undefined;
  readonly agreementId?: string;
  readonly purpose?: string;
  readonly dataRequestId?: string;
  readonly query: string;
  readonly variables?: Record<string, unknown>;
}

export interface SchemaTier {
  readonly db: Db;
  readonly client: MongoClient;
  readonly config: GatewayConfig;
  readonly layer: GraphqlLayer;
  execute(call: SchemaCall): Promise<GraphqlReply>;
  close(): Promise<void>;
}

/** The caller a development token with these claims verifies to (the defaults of signDevToken). */
export function callerOf(claims: SchemaCall['caller']): Caller {
  if (!claims) throw new TypeError('schema tier: a call without a caller');
  const party = claims.party;
  return {
    party,
    sub: claims.sub ?? `officer-${party.toLowerCase()}-1`,
    agency: claims.agency ?? `${party}-AGENCY`,
    clearance: claims.clearance ?? 'STANDARD',
    roles: claims.roles ?? ['CASEWORKER'],
  };
}

export async function startSchemaTier(options: SchemaTierOptions): Promise<SchemaTier> {
  const { client, db, config } = await prepareTestDatabase(options);
  const clock = options.clock ?? (() => new Date());
  let layer: GraphqlLayer;
  try {
    layer = await createGraphqlLayer({ config, db, logger: createLogger(config.logLevel) });
  } catch (error) {
    await client.close();
    throw error;
  }
  return {
    db,
    client,
    config,
    layer,
    async execute(call) {
      const contextValue = await layer.contextOf({
        caller: callerOf(call.caller),
        headers: { agreementId: call.agreementId, purpose: call.purpose, dataRequestId: call.dataRequestId },
        now: clock(),
      });
      const response = await layer.apollo.executeOperation({ query: call.query, variables: call.variables ?? {} }, { contextValue });
      if (response.body.kind !== 'single') throw new Error('an incremental response: not used by the gateway');
      // The body as it would be sent: JSON, so a test compares plain values.
      const body = JSON.parse(JSON.stringify(response.body.singleResult)) as GraphqlReply['body'];
      return { status: response.http.status ?? 200, body };
    },
    async close() {
      await layer.stop();
      await client.close();
    },
  };
}

/** Who calls, as the claims of a development token would say (defaults as signDevToken's). */
export type TierCaller = NonNullable<SchemaCall['caller']>;
