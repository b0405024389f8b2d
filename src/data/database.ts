/**
 * The MongoDB client, typed collections and the indexes every query path uses.
 * The only module (with the rest of `src/data/`) that imports `mongodb`.
 */
import { MongoClient, type Collection, type Db, type IndexDescription } from 'mongodb';
import {
  COLLECTIONS,
  type AgreementDoc,
  type ConsentDoc,
  type DataRequestDoc,
  type MigrantDoc,
  type PartyDoc,
} from './documents';
import { AUDIT_EVENTS, ensureAuditIndexes } from './auditStore';
import type { AuditEvent } from '../audit/chain';

export interface Collections {
  parties: Collection<PartyDoc>;
  agreements: Collection<AgreementDoc>;
  migrants: Collection<MigrantDoc>;
  dataRequests: Collection<DataRequestDoc>;
  consents: Collection<ConsentDoc>;
  auditEvents: Collection<AuditEvent>;
}

/**
 * Connects with timeouts short enough that an unreachable database is reported in
 * seconds rather than hanging a request.
 */
export async function connectDatabase(uri: string): Promise<MongoClient> {
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: 5_000,
    connectTimeoutMS: 5_000,
    socketTimeoutMS: 30_000,
    maxPoolSize: 50,
    appName: 'treatygate',
  });
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
    auditEvents: db.collection<AuditEvent>(AUDIT_EVENTS),
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
};

/** Creates every index the gateway's queries use; idempotent. */
export async function ensureIndexes(db: Db): Promise<void> {
  await ensureAuditIndexes(db);
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
]);

/** Whether `error` (or its cause) means the database cannot be reached right now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (UNAVAILABLE_ERRORS.has(e.name)) return true;
    const original = (e as { originalError?: unknown }).originalError;
    if (original instanceof Error && UNAVAILABLE_ERRORS.has(original.name)) return true;
  }
  return false;
}

/** Whether the database answers a ping within `timeoutMs`. */
export async function pingDatabase(db: Db, timeoutMs = 2_000): Promise<boolean> {
  try {
    await db.command({ ping: 1 }, { timeoutMS: timeoutMs });
    return true;
  } catch {
    return false;
  }
}
