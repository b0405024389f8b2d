/**
 * The MongoDB client, typed collections and the indexes every query path uses.
 * The only module (with the rest of `src/data/`) that imports `mongodb`.
 */
import { MongoClient, type Collection, type Db, type IndexDescription, type MongoClientOptions } from 'mongodb';
import {
  COLLECTIONS,
  type AgreementDoc,
  type ConsentDoc,
  type DataRequestDoc,
  type MigrantDoc,
  type PartyDoc,
  type TrustDoc,
} from './documents';
import { AUDIT_EVENTS, ensureAuditIndexes } from './auditStore';
import { ensureDpopIndexes } from './dpopReplay';
import type { NoticeAcknowledgementDoc } from './notices';
import type { AuditEvent } from '../audit/chain';
import type { MetaDoc } from './dataVersion';
import { ensureRateLimitIndexes } from './rateLimits';

export interface Collections {
  parties: Collection<PartyDoc>;
  agreements: Collection<AgreementDoc>;
  migrants: Collection<MigrantDoc>;
  dataRequests: Collection<DataRequestDoc>;
  consents: Collection<ConsentDoc>;
  /** The trust registry: per party, the identity providers that may speak for it. */
  trust: Collection<TrustDoc>;
  auditEvents: Collection<AuditEvent>;
  /** Small bookkeeping documents (the version of the migrant records). */
  meta: Collection<MetaDoc>;
  /** Which notices to recipients each party acknowledged (src/data/notices.ts). */
  noticeAcknowledgements: Collection<NoticeAcknowledgementDoc>;
}

/**
 * The client options of the gateway and the command-line tools. Short enough that an
 * unreachable database is reported in seconds rather than hanging a request:
 *
 * - `serverSelectionTimeoutMS`: an operation waits at most this long for a reachable
 *   server. A stopped database (connections refused): SERVICE_UNAVAILABLE within this;
 * - `connectTimeoutMS`: a new connection, and each heartbeat of the monitor;
 * - `heartbeatFrequencyMS`: how often the monitor checks each server. A server that stops
 *   answering without closing its connections (hung, or a network partition) is found
 *   by the monitor within about heartbeatFrequencyMS + connectTimeoutMS; the operations
 *   waiting on it are interrupted then (measured on a SIGSTOPped server: 6-8 s for an
 *   operation in flight, including the driver's one retry; 3 s for later ones);
 * - `socketTimeoutMS`: the last bound for one round trip; above the longest legitimate
 *   one (a statistics aggregation over a large scope), so it never cuts a slow answer
 *   short on a healthy server;
 * - `maxPoolSize`: connections per server and gateway instance.
 */
export const DATABASE_CLIENT_OPTIONS = Object.freeze({
  serverSelectionTimeoutMS: 3_000,
  connectTimeoutMS: 3_000,
  heartbeatFrequencyMS: 2_000,
  socketTimeoutMS: 30_000,
  maxPoolSize: 50,
  appName: 'treatygate',
} satisfies MongoClientOptions);

/**
 * A client with the gateway's options, not connected yet: nothing is sent until the
 * first operation or `connect()`. The gateway starts with it while the database is down
 * (see `keepDatabaseConnected`).
 */
/**
 * A client with the gateway's options. `writeConcern` (MONGODB_WRITE_CONCERN) applies to
 * every write: `majority` (the default) waits until a majority of the replica set has the
 * write, so an audit event, a decision or a consent acknowledged to a caller survives the
 * loss of the primary.
 */
export function createDatabaseClient(uri: string, writeConcern: 'majority' | 1 = 'majority'): MongoClient {
  return new MongoClient(uri, { ...DATABASE_CLIENT_OPTIONS, writeConcern: { w: writeConcern } });
}

/** A connected client with the gateway's options (the command-line tools: fail at once when the database is down). */
export async function connectDatabase(uri: string): Promise<MongoClient> {
  const client = createDatabaseClient(uri);
  await client.connect();
  return client;
}

/** The typed collections of `db`. */
export function collectionsOf(db: Db): Collections {
  return {
    parties: db.collection<PartyDoc>(COLLECTIONS.parties),
    agreements: db.collection<AgreementDoc>(COLLECTIONS.agreements),
    migrants: db.collection<MigrantDoc>(COLLECTIONS.migrants),
    dataRequests: db.collection<DataRequestDoc>(COLLECTIONS.dataRequests),
    consents: db.collection<ConsentDoc>(COLLECTIONS.consents),
    trust: db.collection<TrustDoc>(COLLECTIONS.trust),
    auditEvents: db.collection<AuditEvent>(AUDIT_EVENTS),
    meta: db.collection<MetaDoc>('meta'),
    noticeAcknowledgements: db.collection<NoticeAcknowledgementDoc>('noticeAcknowledgements'),
  };
}

/** One entry per query path: the filter and sort of each data function is covered. */
const INDEXES: Record<Exclude<keyof Collections, 'auditEvents'>, IndexDescription[]> = {
  parties: [],
  agreements: [{ key: { parties: 1 }, name: 'parties' }],
  migrants: [
    // Row scope + cursor paging: holder filter, then _id order.
    { key: { holder: 1, _id: 1 }, name: 'holder_id' },
    { key: { nationality: 1, _id: 1 }, name: 'nationality_id' },
    { key: { familyName: 1 }, name: 'familyName' },
    { key: { 'documents.number': 1 }, name: 'documentNumber' },
    { key: { arrivalDate: 1 }, name: 'arrivalDate' },
    { key: { recordedAt: 1 }, name: 'recordedAt' },
    { key: { legalStatus: 1 }, name: 'legalStatus' },
  ],
  dataRequests: [
    { key: { agreementId: 1, requestingParty: 1, status: 1 }, name: 'agreement_requesting_status' },
    { key: { agreementId: 1, requestedParty: 1, status: 1 }, name: 'agreement_requested_status' },
    { key: { subjectIds: 1 }, name: 'subjectIds' },
  ],
  consents: [{ key: { migrantId: 1, purpose: 1 }, name: 'migrant_purpose' }],
  trust: [],
  meta: [],
  noticeAcknowledgements: [],
};

/** Creates every index the gateway's queries use; idempotent. */
export async function ensureIndexes(db: Db): Promise<void> {
  await ensureAuditIndexes(db);
  await ensureDpopIndexes(db);
  await ensureRateLimitIndexes(db);
  const collections = collectionsOf(db);
  for (const name of Object.keys(INDEXES) as (keyof typeof INDEXES)[]) {
    const indexes = INDEXES[name];
    if (indexes.length > 0) await collections[name].createIndexes(indexes);
  }
}

/**
 * Whether the server supports multi-document transactions (a replica set or a sharded
 * cluster). A standalone server, and the mongo-java-server used in CI, do not.
 */
export async function supportsTransactions(db: Db): Promise<boolean> {
  try {
    const hello = await db.admin().command({ hello: 1 });
    return typeof hello['setName'] === 'string' || hello['msg'] === 'isdbgrid';
  } catch {
    return false;
  }
}

const UNAVAILABLE_ERRORS = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoTopologyClosedError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
  'MongoServerClosedError',
  'MongoClientClosedError',
  'MongoOperationTimeoutError',
]);

/**
 * Server error codes that mean "this server cannot serve now" rather than "this
 * operation is wrong": shutdown, an election, a step-down (the driver has already
 * retried once where it could).
 */
const UNAVAILABLE_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

function isUnavailableError(error: Error): boolean {
  if (UNAVAILABLE_ERRORS.has(error.name)) return true;
  const code = (error as { code?: unknown }).code;
  return error.name.startsWith('Mongo') && typeof code === 'number' && UNAVAILABLE_CODES.has(code);
}

/** Whether `error` (or its cause) means the database cannot be reached right now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isUnavailableError(e)) return true;
    const original = (e as { originalError?: unknown }).originalError;
    if (original instanceof Error && isUnavailableError(original)) return true;
  }
  return false;
}

/**
 * Whether the database answers a ping within `timeoutMs`. Bounded by a timer of its own
 * too: while the client is (re)connecting, the driver's wait for a server is
 * serverSelectionTimeoutMS whatever the operation's timeout.
 */
export async function pingDatabase(db: Db, timeoutMs = 2_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const ping = db.command({ ping: 1 }, { timeoutMS: timeoutMs }).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([ping, late]);
  } finally {
    clearTimeout(timer);
  }
}
