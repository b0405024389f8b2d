/**
 * mongo-java-server's H2 backend (the persistent store of `npm start`'s embedded database)
 * answers every query shape the product uses exactly as the reference server does: the
 * shared test server of MONGODB_URI (mongo-java-server's in-memory backend on machines
 * without a mongod, a real mongod elsewhere). Each shape runs on both with the same data
 * and the answers are compared whole; then the H2 server is restarted and the kept
 * databases, and the answers, must still be the same.
 *
 * Three layers: the data functions of src/data with realistic scopes; raw driver shapes
 * (what src/data uses, and what was verified for the in-memory backend); GraphQL through a real gateway on each server (reads, statistics, the
 * mutations, the audit trail).
 */
import { MongoBulkWriteError, MongoClient, MongoServerError, type Db, type Document } from 'mongodb';
import { signDevToken } from '../../src/dev/devKeys';
import { countDisclosures, findDisclosurePage, verifyAuditTrail } from '../../src/data/auditStore';
import { subjectsWithActiveConsent, activeConsents } from '../../src/data/consents';
import { collectionsOf, ensureIndexes } from '../../src/data/database';
import { approvedSubjectIds, findRequestsBySubjects, listRequests } from '../../src/data/dataRequests';
import { generateWorld } from '../../src/world/generateWorld';
import { importWorld } from '../../src/world/importWorld';
import { countMigrants, findMigrantPage, findMigrantsByIds } from '../../src/data/migrants';
import { countByDimensions } from '../../src/data/statistics';
import { startMongoJavaServer, type StartedDatabase } from '../../src/dev/testDatabase';
import type { RowScope } from '../../src/policy/scope';
import type { StatDimension } from '../../src/policy/taxonomy';
import { connectTestDb, graphql, loadFixture, type GraphqlReply, type TestGateway } from '../support/testGateway';
import { ALL_FIELDS } from '../support/fixtureCalls';
import { SERVER_START_MS, gatewayOn, snapshot, temporaryRoot } from './persistentSupport';
import { developmentAuditKeyring } from '../../src/audit/keys';

const DEV_AUDIT_KEYS = developmentAuditKeyring();

const SHAPES_DB = 'test_h2_query_shapes';
const GRAPHQL_DB = 'test_h2_query_shapes_graphql';
const MIGRANTS = 3_000;
const TODAY = new Date('2025-06-01T00:00:00Z');
const CLOCK = (): Date => new Date('2025-06-01T10:00:00Z');

interface Side {
  client: MongoClient;
  db: Db;
}

interface Shape {
  readonly name: string;
  /** Changes nothing: run again after the restart, its answer must not change. */
  readonly readOnly: boolean;
  run(db: Db): Promise<unknown>;
}

const SCOPE: RowScope = { holders: ['ITA', 'ESP', 'GRC'], nationalities: null, subjectIds: null, recordedOnOrAfter: new Date('2015-06-04T00:00:00Z') };
const NATIONALS: RowScope = { holders: ['ITA', 'NGA'], nationalities: ['NGA', 'ITA'], subjectIds: null, recordedOnOrAfter: new Date('2023-06-02T00:00:00Z') };
const DIMENSIONS: StatDimension[][] = [
  ['NATIONALITY'],
  ['SEX'],
  ['AGE_BAND'],
  ['LEGAL_STATUS'],
  ['ARRIVAL_YEAR'],
  ['HOLDER'],
  ['VICTIM_STATUS'],
  ['NATIONALITY', 'AGE_BAND'],
  ['SEX', 'ARRIVAL_YEAR', 'HOLDER'],
  [],
];

/** Groups in a stable order (the database returns $group output in no particular order). */
const sortedGroups = <T extends { key: readonly unknown[] }>(groups: T[]): T[] => [...groups].sort((a, b) => JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)));
const ids = (docs: { _id: unknown }[]): unknown[] => docs.map((d) => d._id);

const SHAPES: Shape[] = [
  // --- The data functions of src/data, as the resolvers call them.
  ...DIMENSIONS.map<Shape>((dimensions) => ({
    name: `countByDimensions [${dimensions.join(', ')}] ($match scope, $project $ifNull/$cond/$eq/$year/$month/$dayOfMonth/$add/$multiply/$subtract/$mod/$gt/$lt/$gte, $group $sum)`,
    readOnly: true,
    run: async (db) => sortedGroups(await countByDimensions(collectionsOf(db), SCOPE, dimensions, TODAY)),
  })),
  {
    name: 'countByDimensions with nationalities and subject ids in the scope',
    readOnly: true,
    run: async (db) => {
      const some = await db.collection('migrants').find({}, { projection: { _id: 1 }, sort: { _id: 1 }, limit: 400 }).toArray();
      const scope = { ...NATIONALS, subjectIds: some.map((d) => String(d._id)) };
      return sortedGroups(await countByDimensions(collectionsOf(db), scope, ['NATIONALITY', 'LEGAL_STATUS'], TODAY));
    },
  },
  {
    name: 'findMigrantPage: every page of the scope in _id order ($and, $in, $gte, null, $gt after, sort, limit, nested inclusion projection)',
    readOnly: true,
    run: async (db) => {
      const projection = { holder: 1, givenName: 1, 'address.city': 1, 'address.country': 1, 'documents.number': 1, 'documents.type': 1, victimStatus: 1 } as const;
      const pages: unknown[] = [];
      for (let after: string | null = null; ; ) {
        const page = await findMigrantPage(collectionsOf(db), SCOPE, {}, 250, after, projection);
        pages.push(page.docs);
        if (!page.hasNextPage) break;
        after = page.docs.at(-1)!._id;
      }
      return pages;
    },
  },
  {
    name: 'findMigrantPage and countMigrants with every criterion (equality, dotted documents.number, date range)',
    readOnly: true,
    run: async (db) => {
      const sample = (await db.collection('migrants').findOne({ 'documents.0': { $exists: true } }, { sort: { _id: 1 } }))!;
      const number = (sample['documents'] as { number: string }[])[0]!.number;
      const criteria = [
        { nationality: 'NGA' },
        { legalStatus: 'REFUGEE' },
        { holder: 'ESP' },
        { familyName: String(sample['familyName']) },
        { documentNumber: number },
        { arrivedOnOrAfter: new Date('2022-01-01T00:00:00Z'), arrivedOnOrBefore: new Date('2023-12-31T00:00:00Z') },
        { nationality: 'AFG', holder: 'GRC', arrivedOnOrAfter: new Date('2019-01-01T00:00:00Z') },
      ];
      const answers: unknown[] = [];
      for (const c of criteria) {
        const page = await findMigrantPage(collectionsOf(db), SCOPE, c, 40, null, { familyName: 1, arrivalDate: 1 });
        answers.push({ count: await countMigrants(collectionsOf(db), SCOPE, c), page });
      }
      return answers;
    },
  },
  {
    name: 'findMigrantsByIds ($in within the scope, projection)',
    readOnly: true,
    run: async (db) => {
      const wanted = Array.from({ length: 120 }, (_, i) => `m-${String(i * 25 + 1).padStart(4, '0')}`);
      return ids((await findMigrantsByIds(collectionsOf(db), NATIONALS, wanted, { nationality: 1 })).sort((a, b) => a._id.localeCompare(b._id)));
    },
  },
  {
    name: 'listRequests for each direction and status; findRequestsBySubjects; approvedSubjectIds (distinct on an array field)',
    readOnly: true,
    run: async (db) => {
      const c = collectionsOf(db);
      const agreements = (await db.collection('agreements').find({}, { sort: { _id: 1 } }).toArray()) as unknown as { _id: string; parties: string[]; grants: { purpose: string }[] }[];
      const answers: unknown[] = [];
      for (const agreement of agreements) {
        for (const party of agreement.parties) {
          const scope = { agreementId: agreement._id, party };
          for (const direction of ['INCOMING', 'OUTGOING', null] as const) {
            for (const status of ['PENDING', 'APPROVED', 'EXPIRED', 'DENIED', null] as const) {
              answers.push(ids(await listRequests(c, scope, direction, status, TODAY)));
            }
          }
          const subjects = [...new Set((await db.collection('dataRequests').find({ agreementId: agreement._id }).toArray()).flatMap((r) => r['subjectIds'] as string[]))].slice(0, 50);
          answers.push(ids(await findRequestsBySubjects(c, scope, subjects)));
          for (const grant of agreement.grants) answers.push((await approvedSubjectIds(c, agreement._id, grant.purpose as never, party, TODAY)).sort());
        }
      }
      return answers;
    },
  },
  {
    name: 'subjectsWithActiveConsent and activeConsents ($in, $lte, null, projection without _id, sort)',
    readOnly: true,
    run: async (db) => {
      const c = collectionsOf(db);
      const subjects = (await db.collection('consents').distinct('migrantId')).map(String).sort();
      const answers: unknown[] = [];
      for (const purpose of ['SERVICE_DELIVERY', 'ANTI_TRAFFICKING', 'FAMILY_REUNIFICATION'] as const) {
        answers.push((await subjectsWithActiveConsent(c, subjects, purpose, TODAY)).sort());
        answers.push(await activeConsents(c, subjects[0]!, purpose));
      }
      return answers;
    },
  },

  // --- Raw shapes.
  {
    name: 'find: nested inclusion projection, sort on two keys, skip, limit',
    readOnly: true,
    run: (db) =>
      db
        .collection('migrants')
        .find({ holder: { $in: ['ITA', 'ESP'] } }, { projection: { 'address.city': 1, 'documents.number': 1, 'documents.expiresOn': 1, arrivalDate: 1 }, sort: { arrivalDate: -1, _id: 1 }, skip: 100, limit: 60 })
        .toArray(),
  },
  {
    name: 'find: $elemMatch in the filter and in the projection',
    readOnly: true,
    run: async (db) => {
      const migrants = db.collection('migrants');
      return {
        count: await migrants.countDocuments({ documents: { $elemMatch: { type: 'PASSPORT', issuingCountry: 'NGA' } } }),
        docs: await migrants
          .find({ 'documents.1': { $exists: true } }, { projection: { documents: { $elemMatch: { type: 'PASSPORT' } } }, sort: { _id: 1 }, limit: 40 })
          .toArray(),
      };
    },
  },
  {
    name: 'find: $regex (anchored, case-insensitive), $or, $nin, $exists, $ne null',
    readOnly: true,
    run: async (db) => ({
      regex: ids(await db.collection('migrants').find({ familyName: { $regex: '^o', $options: 'i' } }, { projection: { _id: 1 }, sort: { _id: 1 } }).toArray()),
      or: await db.collection('migrants').countDocuments({ $or: [{ nationality: 'SYR' }, { legalStatus: { $nin: ['REFUGEE', 'ASYLUM_SEEKER'] } }] }),
      exists: await db.collection('migrants').countDocuments({ biometrics: { $ne: null }, 'health.conditions': { $exists: true } }),
    }),
  },
  {
    name: 'find: $expr ($gt on $size of an array, field against field)',
    readOnly: true,
    run: async (db) => ({
      families: ids(await db.collection('migrants').find({ $expr: { $gt: [{ $size: { $ifNull: ['$familyIds', []] } }, 1] } }, { projection: { _id: 1 }, sort: { _id: 1 } }).toArray()),
      arrivedBeforeRecorded: await db.collection('migrants').countDocuments({ $expr: { $lt: ['$arrivalDate', '$recordedAt'] } }),
    }),
  },
  {
    name: 'cursor over every migrant (batches of 100, getMore) and for-await over a sorted cursor',
    readOnly: true,
    run: async (db) => {
      const all = await db.collection('migrants').find({}, { projection: { _id: 1 }, batchSize: 100 }).toArray();
      const seen: unknown[] = [];
      for await (const doc of db.collection('migrants').find({}, { sort: { _id: -1 }, projection: { _id: 1, holder: 1 }, batchSize: 250 })) seen.push(doc);
      return { count: all.length, ids: ids(all).map(String).sort(), sorted: seen };
    },
  },
  {
    name: 'countDocuments, estimatedDocumentCount, distinct (scalar and array fields, with a filter)',
    readOnly: true,
    run: async (db) => ({
      count: await db.collection('migrants').countDocuments({ erasedAt: null, recordedAt: { $gte: new Date('2020-01-01T00:00:00Z') } }),
      estimated: await db.collection('migrants').estimatedDocumentCount(),
      nationalities: (await db.collection('migrants').distinct('nationality')).sort(),
      subjects: (await db.collection('dataRequests').distinct('subjectIds', { status: 'APPROVED' })).map(String).sort(),
    }),
  },
  {
    name: 'aggregate: $match, $project with $cond/$dateToString/$year/$mod, $group, $sort, $limit',
    readOnly: true,
    run: (db) =>
      db
        .collection('migrants')
        .aggregate([
          { $match: { arrivalDate: { $ne: null } } },
          {
            $project: {
              month: { $dateToString: { format: '%Y-%m', date: '$arrivalDate' } },
              odd: { $cond: [{ $eq: [{ $mod: [{ $year: '$arrivalDate' }, 2] }, 1] }, 'odd', 'even'] },
            },
          },
          { $group: { _id: { month: '$month', odd: '$odd' }, n: { $sum: 1 } } },
          { $sort: { '_id.month': 1, '_id.odd': 1 } },
          { $limit: 200 },
        ])
        .toArray(),
  },
  {
    name: 'aggregate: $bucket, $sortByCount, $facet',
    readOnly: true,
    run: (db) =>
      db
        .collection('migrants')
        .aggregate([
          { $match: { dateOfBirth: { $ne: null } } },
          {
            $facet: {
              byDecade: [{ $bucket: { groupBy: { $year: '$dateOfBirth' }, boundaries: [1940, 1960, 1980, 2000, 2030], default: 'other', output: { n: { $sum: 1 } } } }],
              byStatus: [{ $sortByCount: '$legalStatus' }, { $sort: { count: -1, _id: 1 } }],
              total: [{ $count: 'n' }],
            },
          },
        ])
        .toArray(),
  },
  {
    name: 'aggregate: $lookup (migrants → consents), $unwind, $group with $push/$addToSet',
    readOnly: true,
    run: async (db) => {
      const docs = await db
        .collection('migrants')
        .aggregate<Document>([
          { $match: { holder: 'ITA' } },
          { $sort: { _id: 1 } },
          { $limit: 300 },
          { $lookup: { from: 'consents', localField: '_id', foreignField: 'migrantId', as: 'consents' } },
          { $unwind: '$consents' },
          { $group: { _id: '$consents.purpose', subjects: { $addToSet: '$_id' }, n: { $sum: 1 } } },
          { $sort: { _id: 1 } },
        ])
        .toArray();
      return docs.map((d) => ({ ...d, subjects: (d['subjects'] as string[]).sort() }));
    },
  },
  {
    name: 'findOneAndUpdate with a condition, four at once: exactly one matches',
    readOnly: false,
    run: async (db) => {
      const requests = db.collection<{ _id: string; status: string; by?: string }>('race');
      await requests.drop().catch(() => undefined);
      const outcomes: unknown[] = [];
      for (let round = 0; round < 5; round++) {
        const id = `r-${round}`;
        await requests.insertOne({ _id: id, status: 'PENDING' });
        const results = await Promise.all(
          ['APPROVED', 'DENIED', 'WITHDRAWN', 'APPROVED'].map((status, i) =>
            requests.findOneAndUpdate({ $and: [{ _id: id, status: 'PENDING' }, { _id: { $in: [id] } }] }, { $set: { status, by: `d${i}` } }, { returnDocument: 'after' }),
          ),
        );
        const winners = results.filter((r) => r !== null);
        const stored = await requests.findOne({ _id: id });
        outcomes.push({ winners: winners.length, matches: winners.length === 1 && stored?.by === winners[0]!.by && stored?.status === winners[0]!.status });
      }
      // Which update won differs from run to run: not kept for the comparison of whole databases.
      await requests.drop();
      return outcomes;
    },
  },
  {
    name: 'unique index: E11000 on insert and on update; compound, descending and TTL indexes',
    readOnly: false,
    run: async (db) => {
      const events = db.collection<{ _id: string; chain: string; seq: number; at: Date }>('indexed');
      await events.drop().catch(() => undefined);
      await events.createIndexes([
        { key: { chain: 1, seq: 1 }, name: 'chain_seq', unique: true },
        { key: { subjectIds: 1, at: -1 }, name: 'subject_at' },
        { key: { at: 1 }, name: 'ttl', expireAfterSeconds: 3_600 * 24 * 365 * 100 },
      ]);
      const at = new Date('2100-01-01T00:00:00Z');
      await events.insertMany([
        { _id: 'e1', chain: 'c', seq: 0, at },
        { _id: 'e2', chain: 'c', seq: 1, at },
      ]);
      const insert: unknown = await events.insertOne({ _id: 'e3', chain: 'c', seq: 1, at }).catch((e: unknown) => e);
      const update: unknown = await events.updateOne({ _id: 'e2' }, { $set: { seq: 0 } }).catch((e: unknown) => e);
      const indexes = (await events.indexes()).map((i) => ({ name: i.name, key: i.key, unique: i.unique ?? false, ttl: i.expireAfterSeconds ?? null }));
      return {
        insert: insert instanceof MongoServerError ? { code: insert.code, e11000: insert.message.includes('E11000') } : 'no error',
        update: update instanceof MongoServerError ? { code: update.code, e11000: update.message.includes('E11000') } : 'no error',
        indexes: indexes.sort((a, b) => String(a.name).localeCompare(String(b.name))),
        docs: await events.find({}, { sort: { _id: 1 } }).toArray(),
      };
    },
  },
  {
    name: 'bulkWrite: replaceOne/updateOne upserts, updateMany, deleteOne (ordered: false)',
    readOnly: false,
    run: async (db) => {
      const items = db.collection<{ _id: string; n: number; tag?: string; created?: boolean }>('bulk');
      await items.drop().catch(() => undefined);
      await items.insertMany([
        { _id: 'a', n: 1 },
        { _id: 'b', n: 2 },
        { _id: 'c', n: 3 },
      ]);
      const result = await items.bulkWrite(
        [
          { replaceOne: { filter: { _id: 'a' }, replacement: { n: 10 }, upsert: true } },
          { replaceOne: { filter: { _id: 'x' }, replacement: { n: 20 }, upsert: true } },
          { updateOne: { filter: { _id: 'y' }, update: { $setOnInsert: { n: 30, created: true } }, upsert: true } },
          { updateOne: { filter: { _id: 'b' }, update: { $setOnInsert: { n: 99 } }, upsert: true } },
          { updateMany: { filter: { n: { $gte: 3 } }, update: { $set: { tag: 'big' } } } },
          { deleteOne: { filter: { _id: 'c' } } },
        ],
        { ordered: false },
      );
      return {
        counts: { inserted: result.insertedCount, matched: result.matchedCount, modified: result.modifiedCount, deleted: result.deletedCount, upserted: result.upsertedCount },
        upsertedIds: result.upsertedIds,
        docs: await items.find({}, { sort: { _id: 1 } }).toArray(),
      };
    },
  },
  {
    name: 'updateOne with arrayFilters; updateMany with $in; replaceOne with a condition; deleteMany',
    readOnly: false,
    run: async (db) => {
      const people = db.collection<Document & { _id: string }>('arrays');
      await people.drop().catch(() => undefined);
      const source = await db.collection<Document & { _id: string }>('migrants').find({ 'documents.1': { $exists: true } }, { sort: { _id: 1 }, limit: 5 }).toArray();
      await people.insertMany(source);
      const first = source[0]!['_id'];
      const filtered = await people.updateOne({ _id: first }, { $set: { 'documents.$[d].checked': true } }, { arrayFilters: [{ 'd.type': 'PASSPORT' }] });
      const many = await people.updateMany({ _id: { $in: source.slice(1, 3).map((d) => d['_id']) }, erasedAt: null }, { $set: { withdrawnAt: TODAY } });
      const replaced = await people.replaceOne({ _id: source[3]!['_id'], erasedAt: null }, { holder: 'ITA', erasedAt: TODAY, erasureReason: 'test' });
      const notReplaced = await people.replaceOne({ _id: source[3]!['_id'], erasedAt: null }, { holder: 'ITA' });
      const deleted = await people.deleteMany({ _id: { $in: [source[4]!['_id'], 'none'] } });
      return {
        counts: [filtered.modifiedCount, many.modifiedCount, replaced.matchedCount, notReplaced.matchedCount, deleted.deletedCount],
        docs: await people.find({}, { sort: { _id: 1 } }).toArray(),
      };
    },
  },
  {
    name: 'insertMany ordered: stops at the first duplicate, keeps those before it',
    readOnly: false,
    run: async (db) => {
      const items = db.collection<{ _id: string; n: number }>('ordered');
      await items.drop().catch(() => undefined);
      await items.insertOne({ _id: 'k2', n: 0 });
      const docs = Array.from({ length: 5 }, (_, i) => ({ _id: `k${i}`, n: i + 1 }));
      const error: unknown = await items.insertMany(docs, { ordered: true }).catch((e: unknown) => e);
      return {
        error: error instanceof MongoBulkWriteError ? { code: error.code, inserted: error.result.insertedCount, at: error.writeErrors instanceof Array ? error.writeErrors.map((e) => e.index) : error.writeErrors.index } : 'no error',
        docs: await items.find({}, { sort: { _id: 1 } }).toArray(),
      };
    },
  },
  {
    name: 'audit store: a chain in (chain, seq) order, the newest by sort seq -1, findDisclosurePage (sort at -1 _id -1, limit; after a position: at $lte, $or at $lt / _id $lt), countDisclosures, verifyAuditTrail',
    readOnly: true,
    run: async (db) => {
      const events = db.collection('auditEvents');
      const stored = await events.find({}, { sort: { chain: 1, seq: 1 } }).toArray();
      const subject = 'm-0001';
      return {
        stored: stored.length,
        disclosures: await (async () => {
          const { auditEvents } = collectionsOf(db);
          const first = await findDisclosurePage(auditEvents, subject, 10, null);
          const last = first.events.at(-1);
          const next = last ? await findDisclosurePage(auditEvents, subject, 10, { at: last.at, id: last._id }) : null;
          return { first: ids(first.events), hasNextPage: first.hasNextPage, next: next && ids(next.events), total: await countDisclosures(auditEvents, subject) };
        })(),
        last: await events.find({}, { sort: { seq: -1 }, limit: 1, projection: { seq: 1, hash: 1 } }).toArray(),
        report: await verifyAuditTrail(db, DEV_AUDIT_KEYS.byId),
      };
    },
  },
];

const reference = {} as Side;
const h2 = {} as Side;
let h2Server: StartedDatabase | undefined;
const temp = temporaryRoot('shapes');
/** The reference answer of each shape (computed once; read-only shapes do not change it). */
const answers = new Map<string, unknown>();

async function connect(uri: string, side: Side, dbName: string): Promise<void> {
  side.client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  side.db = side.client.db(dbName);
}

beforeAll(async () => {
  h2Server = await startMongoJavaServer({ dataDir: temp.dataDir });
  const shared = await connectTestDb(SHAPES_DB);
  Object.assign(reference, shared);
  await connect(h2Server.uri, h2, SHAPES_DB);
  // The same world, imported the product's way (bulkWrite replaceOne upserts, ordered: false), and a few audit events.
  const world = generateWorld({ migrants: MIGRANTS, seed: 7, today: '2025-06-01' });
  for (const side of [reference, h2]) {
    await side.db.dropDatabase();
    await ensureIndexes(side.db);
    await importWorld(side.client, side.db, structuredClone(world), 'generated');
    await side.db.collection('auditEvents').insertMany(
      Array.from({ length: 30 }, (_, seq) => ({
        _id: `ev-${seq}` as never,
        chain: 'chain-1',
        seq,
        at: new Date(Date.UTC(2025, 0, 1 + seq)),
        outcome: seq % 3 === 0 ? 'REFUSED' : 'DISCLOSED',
        subjectIds: seq % 2 === 0 ? ['m-0001'] : ['m-0002'],
        hash: `h${seq}`,
      })),
      { ordered: true },
    );
  }
}, 3 * SERVER_START_MS);

afterAll(async () => {
  // The gateways of the GraphQL tests serve until the restart test is done.
  await referenceGateway.gw?.close();
  await h2Gateway.gw?.close();
  await reference.client?.close();
  await h2.client?.close();
  await h2Server?.stop();
  temp.remove();
});

describe('H2 backend: every query shape answers as on the reference server', () => {
  it.each(SHAPES.map((shape) => [shape.name, shape] as const))('%s', async (_name, shape) => {
    const expected = await shape.run(reference.db);
    const actual = await shape.run(h2.db);
    expect(actual).toEqual(expected);
    answers.set(shape.name, expected);
  }, 60_000);
});

// ---------------------------------------------------------------------------------------
// GraphQL through a gateway on each server

const MED = 'AGR-MED-TIP-2024';
const READMISSION = 'AGR-ITA-NGA-READMISSION-2023';
const AT = { agreementId: MED, purpose: 'ANTI_TRAFFICKING' };
const SD = { agreementId: MED, purpose: 'SERVICE_DELIVERY' };
const STATS = { agreementId: MED, purpose: 'STATISTICS' };
const LE = { agreementId: READMISSION, purpose: 'LAW_ENFORCEMENT' };
const RR = { agreementId: READMISSION, purpose: 'RETURN_AND_READMISSION' };

type Who = 'ita' | 'itaSpecial' | 'nga' | 'iom' | 'itaController' | 'oversight';
interface Call {
  name: string;
  who: Who;
  context?: Record<string, string>;
  query: string;
  variables?: Record<string, unknown>;
}

const STATISTICS = 'query($g: [StatDimension!]!, $f: StatisticsFilter) { statistics(groupBy: $g, filter: $f) { groupBy cells { key count suppressed } total suppressedCells minCellSize } }';
const READS: Call[] = [
  { name: 'migrants: every field, ANTI_TRAFFICKING, SPECIAL', who: 'itaSpecial', context: AT, query: `${ALL_FIELDS} { migrants(first: 50) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ...All } } } }` },
  { name: 'migrants: every field, SERVICE_DELIVERY (consent-conditioned health)', who: 'ita', context: SD, query: `${ALL_FIELDS} { migrants(first: 50) { totalCount edges { node { ...All } } } }` },
  { name: 'migrants: every field, RETURN_AND_READMISSION (nationals of the parties, documents)', who: 'nga', context: RR, query: `${ALL_FIELDS} { migrants(first: 50) { totalCount edges { node { ...All } } } }` },
  { name: 'migrants: pages of 3 with after', who: 'ita', context: AT, query: '{ a: migrants(first: 3) { pageInfo { endCursor } edges { node { id } } } }' },
  ...[
    { nationality: 'NGA' },
    { familyName: 'Okafor' },
    { legalStatus: 'REFUGEE' },
    { holder: 'GRC' },
    { arrivedBefore: '2020' },
    { nationality: 'NGA', holder: 'ITA', legalStatus: 'ASYLUM_SEEKER' },
  ].map<Call>((filter) => ({ name: `migrants(filter: ${JSON.stringify(filter)})`, who: 'ita', context: AT, query: 'query($f: MigrantFilter) { migrants(filter: $f, first: 100) { totalCount edges { node { id givenName familyName } } } }', variables: { f: filter } })),
  { name: 'migrants(filter: documentNumber) under RETURN_AND_READMISSION', who: 'ita', context: RR, query: '{ migrants(filter: { documentNumber: "A12345678" }) { totalCount edges { node { id documents { number } } } } }' },
  { name: 'migrants under LAW_ENFORCEMENT naming a request (REQUESTED_ONLY)', who: 'nga', context: { ...LE, dataRequestId: 'req-0001' }, query: '{ migrants(first: 20) { totalCount edges { node { id givenName familyName requests { id status } } } } }' },
  ...[['NATIONALITY'], ['SEX', 'AGE_BAND'], ['ARRIVAL_YEAR', 'HOLDER'], ['LEGAL_STATUS'], ['VICTIM_STATUS'], []].map<Call>((groupBy) => ({
    name: `statistics(groupBy: [${groupBy.join(', ')}])`,
    who: 'iom',
    context: STATS,
    query: STATISTICS,
    variables: { g: groupBy },
  })),
  { name: 'statistics with a filter', who: 'iom', context: STATS, query: STATISTICS, variables: { g: ['SEX'], f: { nationality: 'NGA' } } },
  { name: 'dataRequests, every direction and status', who: 'nga', context: LE, query: '{ all: dataRequests { id status } out: dataRequests(direction: OUTGOING) { id } inc: dataRequests(direction: INCOMING) { id } approved: dataRequests(status: APPROVED) { id } expired: dataRequests(status: EXPIRED) { id } }' },
  { name: 'dataRequest by id with its subjects', who: 'nga', context: LE, query: '{ dataRequest(id: "req-0001") { id status categories validUntil subjects { id givenName } agreement { id } } }' },
  { name: 'agreements of the caller', who: 'ita', query: '{ agreements { id title status parties { code name } } }' },
];

const h2Gateway: { gw?: TestGateway } = {};
const referenceGateway: { gw?: TestGateway } = {};
const tokens = new Map<Who, string>();
/** The H2 gateway's answers to READS (before the mutations). */
const readsBefore: unknown[] = [];

/**
 * One call. `extensions.privacy.auditId` is `<chain>:<seq>`: the chain is a random id of
 * the gateway instance, so it is replaced by `<chain>`; with `seq: false` the number goes
 * too (a restarted gateway starts a chain of its own).
 */
async function call(gw: TestGateway, c: Call, options: { seq: boolean } = { seq: true }): Promise<GraphqlReply> {
  const reply = await graphql(gw.url, { query: c.query, token: tokens.get(c.who)!, ...(c.variables ? { variables: c.variables } : {}), ...c.context });
  const privacy = reply.body.extensions?.['privacy'] as { auditId?: string } | undefined;
  if (privacy?.auditId) privacy.auditId = options.seq ? privacy.auditId.replace(/^[^:]+:/, '<chain>:') : '<chain>:<seq>';
  return reply;
}

/** A snapshot without the import's time (agreements' `updatedAt`: the time each import ran). */
function comparable(snap: Record<string, unknown[]>): Record<string, unknown[]> {
  return {
    ...snap,
    agreements: (snap['agreements'] ?? []).map((a) => ({ ...(a as object), updatedAt: '<import time>' })),
    // The version of the migrant records is a random token per write (src/data/dataVersion.ts).
    meta: (snap['meta'] ?? []).map((m) => ({ ...(m as object), version: '<random>' })),
  };
}

/** A reply with request ids (random) replaced by their order of appearance, and audit ids removed. */
function normalised(reply: GraphqlReply, names: Map<string, string>): unknown {
  return JSON.parse(
    JSON.stringify(reply).replace(/req-[0-9a-f]{8}-[0-9a-f-]{27}/g, (id) => {
      if (!names.has(id)) names.set(id, `req-#${names.size}`);
      return names.get(id)!;
    }),
  );
}

describe('H2 backend: GraphQL answers as on the reference server', () => {
  beforeAll(async () => {
    tokens.set('ita', await signDevToken({ party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] }));
    tokens.set('itaSpecial', await signDevToken({ party: 'ITA', clearance: 'SPECIAL', roles: ['CASEWORKER'] }));
    tokens.set('nga', await signDevToken({ party: 'NGA', clearance: 'ELEVATED', roles: ['CASEWORKER'] }));
    tokens.set('iom', await signDevToken({ party: 'IOM', roles: ['CASEWORKER'] }));
    tokens.set('itaController', await signDevToken({ party: 'ITA', clearance: 'ELEVATED', roles: ['DATA_CONTROLLER'] }));
    tokens.set('oversight', await signDevToken({ party: 'IOM', roles: ['OVERSIGHT'] }));
    referenceGateway.gw = await gatewayOn(process.env['MONGODB_URI']!, { dbName: GRAPHQL_DB, clock: CLOCK, fresh: true });
    h2Gateway.gw = await gatewayOn(h2Server!.uri, { dbName: GRAPHQL_DB, clock: CLOCK, fresh: true });
    for (const gw of [referenceGateway.gw, h2Gateway.gw]) await importWorld(gw.client, gw.db, loadFixture(), 'small-world.json');
  }, SERVER_START_MS);

  it('reads: migrants (every field, pages, filters, REQUESTED_ONLY), statistics, data requests, agreements', async () => {
    for (const c of READS) {
      const expected = await call(referenceGateway.gw!, c);
      const actual = await call(h2Gateway.gw!, c);
      expect({ name: c.name, status: expected.status, errors: expected.body.errors }).toEqual({ name: c.name, status: 200, errors: undefined });
      expect({ name: c.name, reply: actual }).toEqual({ name: c.name, reply: expected });
      readsBefore.push(actual);
    }
    // The second page follows the first's cursor on both.
    const first = (readsBefore[3] as GraphqlReply).body.data!['a'] as { pageInfo: { endCursor: string } };
    const next: Call = { name: 'page 2', who: 'ita', context: AT, query: 'query($after: String) { migrants(first: 3, after: $after) { edges { node { id } } } }', variables: { after: first.pageInfo.endCursor } };
    expect(await call(h2Gateway.gw!, next)).toEqual(await call(referenceGateway.gw!, next));
  }, 120_000);

  it('mutations: submit, decide (a race of two), recordConsent, withdrawConsent, rectify, erase, then the audit trail', async () => {
    const names = [new Map<string, string>(), new Map<string, string>()];
    const replies: unknown[][] = [[], []];
    for (const [side, gw] of [referenceGateway.gw!, h2Gateway.gw!].entries()) {
      const say = (reply: GraphqlReply): GraphqlReply => {
        replies[side]!.push(normalised(reply, names[side]!));
        return reply;
      };
      const amara = ((await call(gw, { name: '', who: 'nga', context: RR, query: '{ migrants(first: 20) { edges { node { id givenName } } } }' })).body.data!['migrants'] as { edges: { node: { id: string; givenName: string } }[] }).edges.find((e) => e.node.givenName === 'Amara')!.node.id;
      const submit = (validDays: number): Promise<GraphqlReply> =>
        call(gw, {
          name: 'submit',
          who: 'nga',
          context: LE,
          query: 'mutation Submit($input: SubmitDataRequestInput!) { submitDataRequest(input: $input) { id status submittedAt requestingParty { code } requestedParty { code } categories subjects { id } } }',
          variables: { input: { agreementId: READMISSION, requestedParty: 'ITA', purpose: 'LAW_ENFORCEMENT', subjectIds: [amara], categories: ['IDENTITY', 'CASE_HISTORY'], justification: 'Case', validDays } },
        });
      const first = say(await submit(30));
      const second = say(await submit(10));
      const decide = (id: string, decision: string): Promise<GraphqlReply> =>
        call(gw, { name: 'decide', who: 'itaController', context: LE, query: `mutation Decide($id: ID!) { decideDataRequest(id: $id, decision: ${decision}) { id status validUntil decidedAt categories } }`, variables: { id } });
      const firstId = (first.body.data!['submitDataRequest'] as { id: string }).id;
      const secondId = (second.body.data!['submitDataRequest'] as { id: string }).id;
      say(await decide(firstId, 'APPROVE'));
      // A race: exactly one of two concurrent decisions wins (the same decision, so the outcome is the same whichever wins).
      const race = await Promise.all([decide(secondId, 'APPROVE'), decide(secondId, 'APPROVE')]);
      replies[side]!.push(race.map((r) => (r.body.errors ? r.body.errors.map((e) => e.extensions?.code) : 'won')).sort());
      say(await call(gw, { name: 'widened', who: 'nga', context: { ...LE, dataRequestId: firstId }, query: '{ migrants(first: 20) { totalCount edges { node { id givenName familyName } } } }' }));
      const chidi = ((await call(gw, { name: '', who: 'ita', context: SD, query: '{ migrants(first: 20) { edges { node { id givenName } } } }' })).body.data!['migrants'] as { edges: { node: { id: string; givenName: string } }[] }).edges.find((e) => e.node.givenName === 'Chidi')!.node.id;
      const consent = (what: 'recordConsent' | 'withdrawConsent'): Promise<GraphqlReply> =>
        call(gw, {
          name: what,
          who: 'itaController',
          context: SD,
          query:
            what === 'recordConsent'
              ? 'mutation($m: ID!) { recordConsent(migrantId: $m, purpose: SERVICE_DELIVERY, evidence: "form:SD-77") { migrantId purpose givenAt withdrawnAt evidence active } }'
              : 'mutation($m: ID!) { withdrawConsent(migrantId: $m, purpose: SERVICE_DELIVERY) { givenAt withdrawnAt active } }',
          variables: { m: chidi },
        });
      say(await consent('recordConsent'));
      say(await consent('withdrawConsent'));
      say(await consent('recordConsent'));
      say(await call(gw, { name: 'health', who: 'ita', context: SD, query: '{ migrants(first: 20) { edges { node { id health { vulnerabilities } } } } }' }));
      const med = ((await call(gw, { name: '', who: 'ita', context: AT, query: '{ migrants(first: 20) { edges { node { id givenName } } } }' })).body.data!['migrants'] as { edges: { node: { id: string; givenName: string } }[] }).edges;
      const blessing = med.find((e) => e.node.givenName === 'Blessing')!.node.id;
      const emeka = med.find((e) => e.node.givenName === 'Emeka')!.node.id;
      say(await call(gw, { name: 'rectify', who: 'itaController', context: AT, query: 'mutation($id: ID!) { rectifyMigrant(id: $id, patch: { givenName: "Chukwuemeka", address: null }) { id givenName address { city } } }', variables: { id: emeka } }));
      say(await call(gw, { name: 'erase', who: 'itaController', context: AT, query: 'mutation($id: ID!) { eraseMigrant(id: $id, reason: "Request of the data subject") }', variables: { id: blessing } }));
      say(await call(gw, { name: 'after', who: 'ita', context: AT, query: '{ migrants(first: 50) { totalCount edges { node { id givenName address { city } } } } }' }));
      // Newest first (sort at: -1, then _id: -1, one clock here); the entries are compared as a set.
      const history = await call(gw, { name: 'history', who: 'oversight', context: AT, query: 'query($m: ID!) { disclosureHistory(migrantId: $m, first: 500) { edges { node { at party agency agreementId purpose operationName coordinates } } } }', variables: { m: emeka } });
      say({ ...history, body: { ...history.body, data: { entries: (((history.body.data?.['disclosureHistory'] as { edges: { node: unknown }[] } | undefined)?.edges ?? []).map((e) => e.node)).map((e) => JSON.stringify(e)).sort() } } });
      say(await call(gw, { name: 'integrity', who: 'oversight', query: '{ auditIntegrity { valid checkedEvents chains firstInvalidEventId } }' }));
    }
    expect(replies[1]).toEqual(replies[0]);
    expect(replies[1]!.at(-1)).toMatchObject({ status: 200, body: { data: { auditIntegrity: { valid: true, chains: 1, firstInvalidEventId: null } } } });
  }, 120_000);
});

describe('H2 backend: after a restart on the same data directory', () => {
  it('holds exactly the data it held, and answers every read-only shape and GraphQL read as before', async () => {
    // Both servers hold the same data after the same writes of the shapes.
    expect(comparable(await snapshot(h2.db))).toEqual(comparable(await snapshot(reference.db)));
    const readsBeforeRestart: GraphqlReply[] = [];
    for (const c of READS) readsBeforeRestart.push(await call(h2Gateway.gw!, c, { seq: false }));
    const before = { shapes: await snapshot(h2.db), graphql: await snapshot(h2Gateway.gw!.db) };
    await h2Gateway.gw!.close();
    h2Gateway.gw = undefined;
    await h2.client.close();
    await h2Server!.stop();

    h2Server = await startMongoJavaServer({ dataDir: temp.dataDir });
    await connect(h2Server.uri, h2, SHAPES_DB);
    expect(await snapshot(h2.db)).toEqual(before.shapes);
    expect(await snapshot(h2.client.db(GRAPHQL_DB))).toEqual(before.graphql);
    for (const shape of SHAPES.filter((s) => s.readOnly)) {
      expect({ shape: shape.name, answer: await shape.run(h2.db) }).toEqual({ shape: shape.name, answer: answers.get(shape.name) });
    }
    h2Gateway.gw = await gatewayOn(h2Server.uri, { dbName: GRAPHQL_DB, clock: CLOCK });
    for (const [i, c] of READS.entries()) {
      expect({ name: c.name, reply: await call(h2Gateway.gw, c, { seq: false }) }).toEqual({ name: c.name, reply: readsBeforeRestart[i] });
    }
    const integrity = await call(h2Gateway.gw, { name: 'integrity', who: 'oversight', query: '{ auditIntegrity { valid chains firstInvalidEventId } }' });
    expect(integrity.body.data).toEqual({ auditIntegrity: { valid: true, chains: 2, firstInvalidEventId: null } });
  }, 2 * SERVER_START_MS);
});
