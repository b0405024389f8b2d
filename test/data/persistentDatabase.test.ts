/**
 * The embedded database in persistent mode (`npm start` without MONGODB_URI): what was
 * written before a stop is there after a restart on the same data directory (imports,
 * data requests and their decisions, consents, erasures, rectifications, the audit trail
 * and its unique index), one server at a time per directory (the second is refused, by
 * our check and by the engine's own file lock), and `npm run db:wipe` (refused while a
 * server runs, deletes once stopped, leaves foreign directories alone).
 *
 * The servers here are the test's own, started in temporary directories; the shared
 * server of MONGODB_URI (jest's global setup) is not used.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MongoClient, MongoServerError } from 'mongodb';
import { signDevToken } from '../../src/dev/devKeys';
import { verifyAuditTrail } from '../../src/data/auditStore';
import { importWorld } from '../../src/world/importWorld';
import {
  DATA_DIR_MARKER,
  DataDirInUseError,
  NotADataDirError,
  dataDirFromEnv,
  dataDirHolder,
  freePort,
  installMongoJavaServer,
  mongoJavaServerStore,
  startDatabase,
  startMongoJavaServer,
  type StartedDatabase,
} from '../../src/dev/testDatabase';
import { graphql, loadFixture, type GraphqlReply, type TestGateway } from '../support/testGateway';
import { SERVER_START_MS, gatewayOn, snapshot, startPersistent, temporaryRoot } from './persistentSupport';
import { developmentAuditKeyring } from '../../src/audit/keys';

const DEV_AUDIT_KEYS = developmentAuditKeyring();

const ROOT = resolve(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const DB_NAME = 'treatygate';
const CLOCK = (): Date => new Date('2025-06-01T10:00:00Z');

const READMISSION = 'AGR-ITA-NGA-READMISSION-2023';
const LE = { agreementId: READMISSION, purpose: 'LAW_ENFORCEMENT' };
const RR = { agreementId: READMISSION, purpose: 'RETURN_AND_READMISSION' };
const MED = { agreementId: 'AGR-MED-TIP-2024', purpose: 'ANTI_TRAFFICKING' };
const SD = { agreementId: 'AGR-MED-TIP-2024', purpose: 'SERVICE_DELIVERY' };

const NAMES = '{ migrants(first: 50) { totalCount edges { node { id givenName familyName } } } }';
const HEALTH = '{ migrants(first: 50) { edges { node { id givenName health { vulnerabilities } } } } }';
const SUBMIT = `mutation Submit($input: SubmitDataRequestInput!) { submitDataRequest(input: $input) { id status } }`;
const DECIDE = `mutation Decide($id: ID!) { decideDataRequest(id: $id, decision: APPROVE, categories: [IDENTITY], note: "ok") { id status validUntil } }`;
const RECORD = 'mutation Record($m: ID!) { recordConsent(migrantId: $m, purpose: SERVICE_DELIVERY, evidence: "form:SD-77") { givenAt active } }';
const ERASE = 'mutation Erase($id: ID!) { eraseMigrant(id: $id, reason: "Request of the data subject") }';
const RECTIFY = 'mutation Rectify($id: ID!) { rectifyMigrant(id: $id, patch: { givenName: "Chukwuemeka" }) { givenName } }';
const REQUEST = 'query($id: ID!) { dataRequest(id: $id) { id status categories validUntil decidedAt subjects { id } } }';
const INTEGRITY = '{ auditIntegrity { valid checkedEvents chains firstInvalidEventId } }';

const tokens: Record<string, string> = {};

beforeAll(async () => {
  tokens['nga'] = await signDevToken({ party: 'NGA', roles: ['CASEWORKER'] });
  tokens['ita'] = await signDevToken({ party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] });
  tokens['itaController'] = await signDevToken({ party: 'ITA', clearance: 'ELEVATED', roles: ['DATA_CONTROLLER'] });
  tokens['oversight'] = await signDevToken({ party: 'IOM', roles: ['OVERSIGHT'] });
});

function data<T>(reply: GraphqlReply, key: string): T {
  expect(reply.body.errors).toBeUndefined();
  return reply.body.data![key] as T;
}

type Edge = { node: { id: string; givenName: string | null; familyName?: string | null; health?: unknown } };
async function people(gw: TestGateway, query: string, token: string, context: Record<string, string>, extra: Record<string, string> = {}) {
  return data<{ totalCount?: number; edges: Edge[] }>(await graphql(gw.url, { query, token, ...context, ...extra }), 'migrants');
}

/** Runs a CLI of src/cli with tsx and the given environment additions. */
function cli(script: string, env: Record<string, string>, args: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(TSX, [join(ROOT, 'src', 'cli', script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('persistent mode: the data survives a restart', () => {
  const temp = temporaryRoot('persistent');
  let database: StartedDatabase | undefined;
  let gw: TestGateway | undefined;

  afterAll(async () => {
    await gw?.close();
    await database?.stop();
    temp.remove();
  });

  it(
    'keeps the import, a decided data request, a consent, an erasure, a rectification and a valid audit trail',
    async () => {
      const logs: string[] = [];
      database = await startPersistent(temp.dataDir, (message) => logs.push(message));
      expect(database.dataDir).toBe(temp.dataDir);
      expect(logs.at(-1)).toContain(`, data in ${temp.dataDir}`);
      expect(existsSync(join(temp.dataDir, DATA_DIR_MARKER))).toBe(true);

      // First life: import, then change things through the gateway.
      gw = await gatewayOn(database.uri, { dbName: DB_NAME, clock: CLOCK, fresh: true });
      await importWorld(gw.client, gw.db, loadFixture(), 'small-world.json');
      const readmission = await people(gw, NAMES, tokens['nga']!, RR);
      const amara = readmission.edges.find((e) => e.node.givenName === 'Amara')!.node.id;
      const submitted = data<{ id: string; status: string }>(
        await graphql(gw.url, {
          query: SUBMIT,
          variables: {
            input: { agreementId: READMISSION, requestedParty: 'ITA', purpose: 'LAW_ENFORCEMENT', subjectIds: [amara], categories: ['IDENTITY', 'CASE_HISTORY'], justification: 'Case NG-1', validDays: 30 },
          },
          token: tokens['nga']!,
          ...LE,
        }),
        'submitDataRequest',
      );
      expect(submitted.status).toBe('PENDING');
      expect(data(await graphql(gw.url, { query: DECIDE, variables: { id: submitted.id }, token: tokens['itaController']!, ...LE }), 'decideDataRequest')).toEqual({
        id: submitted.id,
        status: 'APPROVED',
        validUntil: '2025-07-01',
      });
      const chidi = (await people(gw, HEALTH, tokens['ita']!, SD)).edges.find((e) => e.node.givenName === 'Chidi')!.node;
      expect(chidi.health).toBeNull();
      expect(data(await graphql(gw.url, { query: RECORD, variables: { m: chidi.id }, token: tokens['itaController']!, ...SD }), 'recordConsent')).toEqual({
        givenAt: '2025-06-01',
        active: true,
      });
      const medBefore = await people(gw, NAMES, tokens['ita']!, MED);
      const blessing = medBefore.edges.find((e) => e.node.givenName === 'Blessing')!.node.id;
      const emeka = medBefore.edges.find((e) => e.node.givenName === 'Emeka')!.node.id;
      expect(data(await graphql(gw.url, { query: ERASE, variables: { id: blessing }, token: tokens['itaController']!, ...MED }), 'eraseMigrant')).toBe(true);
      // Erase, import the same file again, restart (below): still erased, and the import said so.
      const reimport = await importWorld(gw.client, gw.db, loadFixture(), 'small-world.json');
      expect(reimport.erasedNotRestored.map((e) => e.id)).toEqual(['m-0009']);
      expect(data(await graphql(gw.url, { query: RECTIFY, variables: { id: emeka }, token: tokens['itaController']!, ...MED }), 'rectifyMigrant')).toEqual({
        givenName: 'Chukwuemeka',
      });
      const integrity = data<{ valid: boolean; checkedEvents: number; chains: number }>(await graphql(gw.url, { query: INTEGRITY, token: tokens['oversight']! }), 'auditIntegrity');
      expect(integrity).toMatchObject({ valid: true, chains: 1 });
      expect(integrity.checkedEvents).toBeGreaterThanOrEqual(8);
      await gw.close();
      gw = undefined;

      const before = await withClient(database.uri, (client) => snapshot(client.db(DB_NAME)));
      expect(before['auditEvents']!.length).toBeGreaterThanOrEqual(integrity.checkedEvents);
      await database.stop();
      expect(await dataDirHolder(temp.dataDir)).toBeNull();

      // Second life, on the same directory.
      database = await startPersistent(temp.dataDir);
      const after = await withClient(database.uri, async (client) => {
        const db = client.db(DB_NAME);
        const report = await verifyAuditTrail(db, DEV_AUDIT_KEYS.byId);
        expect(report).toMatchObject({ valid: true, chains: 1, firstInvalidEventId: null });
        expect(report.checkedEvents).toBe(before['auditEvents']!.length);
        // The unique (chain, seq) index of the audit trail is still enforced.
        const [first] = before['auditEvents'] as { chain: string; seq: number }[];
        const duplicate: unknown = await db
          .collection('auditEvents')
          .insertOne({ _id: 'duplicate' as never, chain: first!.chain, seq: first!.seq })
          .catch((error: unknown) => error);
        expect(duplicate).toBeInstanceOf(MongoServerError);
        expect((duplicate as MongoServerError).code).toBe(11000);
        return snapshot(db);
      });
      // Every document of every collection, exactly (values, types, dates).
      expect(after).toEqual(before);
      expect((after['migrants'] as { _id: string }[]).find((m) => m._id === 'm-0009')).toEqual({
        _id: 'm-0009',
        holder: 'ITA',
        erasedAt: expect.any(Date),
        erasureReason: 'Request of the data subject',
      });
      expect((after['migrants'] as { _id: string }[]).find((m) => m._id === 'm-0003')).toMatchObject({ givenName: 'Chukwuemeka' });

      // The gateway on the restarted server answers from the kept data.
      gw = await gatewayOn(database.uri, { dbName: DB_NAME, clock: CLOCK });
      expect(data(await graphql(gw.url, { query: REQUEST, variables: { id: submitted.id }, token: tokens['nga']!, ...LE }), 'dataRequest')).toEqual({
        id: submitted.id,
        status: 'APPROVED',
        categories: ['IDENTITY'],
        validUntil: '2025-07-01',
        decidedAt: '2025-06-01',
        subjects: [{ id: amara }],
      });
      const widened = await people(gw, NAMES, tokens['nga']!, LE, { dataRequestId: submitted.id });
      expect(widened.edges.find((e) => e.node.id === amara)!.node).toMatchObject({ givenName: 'Amara', familyName: 'Okafor' });
      expect((await people(gw, HEALTH, tokens['ita']!, SD)).edges.find((e) => e.node.id === chidi.id)!.node.health).toEqual({
        vulnerabilities: ['UNACCOMPANIED_MINOR'],
      });
      const medAfter = await people(gw, NAMES, tokens['ita']!, MED);
      expect(medAfter.totalCount).toBe(medBefore.totalCount! - 1);
      expect(medAfter.edges.some((e) => e.node.id === blessing)).toBe(false);
      // A new gateway appends a chain of its own; the whole trail stays valid.
      const later = data<{ valid: boolean; checkedEvents: number; chains: number }>(await graphql(gw.url, { query: INTEGRITY, token: tokens['oversight']! }), 'auditIntegrity');
      expect(later).toMatchObject({ valid: true, chains: 2 });
      expect(later.checkedEvents).toBeGreaterThan(integrity.checkedEvents);
      await gw.close();
      gw = undefined;

      // `npm run audit:verify` agrees.
      const verified = cli('auditVerify.ts', { MONGODB_URI: database.uri, MONGODB_DB: DB_NAME });
      expect(verified.stderr).toBe('');
      expect(verified.status).toBe(0);
      expect(verified.stdout).toMatch(/^(chain \S+: \d+ events, intact\n){2}audit trail intact: \d+ events in 2 chains\n$/);
    },
    4 * SERVER_START_MS,
  );
});

describe('one server per data directory', () => {
  const temp = temporaryRoot('lock');
  let database: StartedDatabase | undefined;

  beforeAll(async () => {
    database = await startPersistent(temp.dataDir);
    await withClient(database.uri, (client) => client.db('lock_test').collection('items').insertOne({ _id: 'kept' as never, n: 1 }));
  }, SERVER_START_MS);

  afterAll(async () => {
    await database?.stop();
    temp.remove();
  });

  it('finds the running server by its lock', async () => {
    const holder = await dataDirHolder(temp.dataDir);
    expect(holder).not.toBeNull();
    expect(holder!.engine).toBe(database!.kind);
    expect(holder!.pid).toEqual(expect.any(Number));
  });

  it(
    'refuses a second server on the same directory with a clear error, whichever way it is started',
    async () => {
      const message = new RegExp(
        `^the data directory ${escape(temp.dataDir)} is in use by a running (mongo-java-server|mongod) \\(process \\d+\\) \\(it holds the lock on its files\\): stop that server first$`,
      );
      const viaHelper: unknown = await startPersistent(temp.dataDir).catch((error: unknown) => error);
      expect(viaHelper).toBeInstanceOf(DataDirInUseError);
      expect((viaHelper as Error).message).toMatch(message);
      const direct: unknown = await startMongoJavaServer({ dataDir: temp.dataDir }).catch((error: unknown) => error);
      expect(direct).toBeInstanceOf(DataDirInUseError);
      expect((direct as Error).message).toMatch(message);
      // The first server is unharmed.
      expect(await withClient(database!.uri, (client) => client.db('lock_test').collection('items').findOne({}))).toEqual({ _id: 'kept', n: 1 });
    },
    SERVER_START_MS,
  );

  it(
    'the launcher itself refuses a store file that another server has open (H2 file lock), exit code 4',
    async () => {
      // Past our check: the JVM on the same store file, as a race between two starts would have it.
      const lib = await installMongoJavaServer();
      const store = mongoJavaServerStore(temp.dataDir);
      const other = database!.kind === 'mongo-java-server' ? store : join(temp.root, 'own', 'treatygate.mv.db');
      let blocker: StartedDatabase | undefined;
      if (database!.kind !== 'mongo-java-server') blocker = await startMongoJavaServer({ dataDir: join(temp.root, 'own') });
      try {
        const launcher = join(ROOT, 'tools', 'mongo-java-server', 'MongoTestServer.java');
        const run = await runJava(['-cp', join(lib, '*'), launcher, '127.0.0.1', String(await freePort()), other]);
        expect(run.code).toBe(4);
        expect(run.stderr).toContain(`MongoTestServer: the data file ${other} is in use by another server (it is locked)`);
      } finally {
        await blocker?.stop();
      }
      expect(await withClient(database!.uri, (client) => client.db('lock_test').collection('items').countDocuments())).toBe(1);
    },
    SERVER_START_MS,
  );
});

describe('npm run db:wipe', () => {
  const temp = temporaryRoot('wipe');

  afterAll(() => temp.remove());

  it(
    'refuses while a server runs on the directory, deletes it once stopped, then has nothing to delete',
    async () => {
      const database = await startPersistent(temp.dataDir);
      try {
        await withClient(database.uri, (client) => client.db('wipe_test').collection('items').insertOne({ _id: 'x' as never }));
        const refused = cli('dbWipe.ts', { TREATYGATE_DATA_DIR: temp.dataDir });
        expect(refused.status).toBe(1);
        expect(refused.stderr).toMatch(new RegExp(`^not deleted: the data directory ${escape(temp.dataDir)} is in use by a running (mongo-java-server|mongod) \\(process \\d+\\)`));
        expect(refused.stdout).toBe('');
        expect(existsSync(temp.dataDir)).toBe(true);
        expect(await withClient(database.uri, (client) => client.db('wipe_test').collection('items').countDocuments())).toBe(1);
      } finally {
        await database.stop();
      }
      const held = readdirSync(temp.dataDir).filter((name) => name !== DATA_DIR_MARKER);
      const wiped = cli('dbWipe.ts', { TREATYGATE_DATA_DIR: temp.dataDir });
      expect(wiped.stderr).toBe('');
      expect(wiped.status).toBe(0);
      expect(wiped.stdout).toContain(`deleted the embedded database's data directory ${temp.dataDir}\n`);
      for (const name of held) expect(wiped.stdout).toMatch(new RegExp(`^  ${name}/  [\\d.]+ (B|KB|MB)`, 'm'));
      expect(wiped.stdout).toContain('The next `npm start` begins with an empty database and seeds the demo world.');
      expect(existsSync(temp.dataDir)).toBe(false);
      expect(readdirSync(temp.root)).toEqual([]); // nothing left aside

      const again = cli('dbWipe.ts', { TREATYGATE_DATA_DIR: temp.dataDir });
      expect(again).toEqual({ status: 0, stdout: `nothing to delete: ${temp.dataDir} does not exist\n`, stderr: '' });
    },
    2 * SERVER_START_MS,
  );

  it('leaves a directory that is not a data directory alone, and the database will not use it', async () => {
    const foreign = join(temp.root, 'documents');
    mkdirSync(foreign, { recursive: true });
    writeFileSync(join(foreign, 'thesis.txt'), 'do not delete');
    const refused = cli('dbWipe.ts', { TREATYGATE_DATA_DIR: foreign });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(
      `not deleted: ${foreign} is not empty and is not a Treatygate data directory (it has no ${DATA_DIR_MARKER} file): it is left alone; choose an empty or new directory (TREATYGATE_DATA_DIR)\n`,
    );
    expect(readdirSync(foreign)).toEqual(['thesis.txt']);
    const start: unknown = await startDatabase({ dataDir: foreign, ignoreMongodbUri: true, log: () => undefined }).catch((error: unknown) => error);
    expect(start).toBeInstanceOf(NotADataDirError);
    expect(readdirSync(foreign)).toEqual(['thesis.txt']);
  });

  it('takes no arguments', () => {
    const usage = cli('dbWipe.ts', { TREATYGATE_DATA_DIR: temp.dataDir }, ['--force']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/^usage: npm run db:wipe\n/);
  });
});

describe('the data directory of npm start', () => {
  it('is .treatygate/data in the project root, or TREATYGATE_DATA_DIR resolved against the working directory', () => {
    expect(dataDirFromEnv({})).toBe(join(ROOT, '.treatygate', 'data'));
    expect(dataDirFromEnv({ TREATYGATE_DATA_DIR: '  ' })).toBe(join(ROOT, '.treatygate', 'data'));
    expect(dataDirFromEnv({ TREATYGATE_DATA_DIR: '/srv/treatygate' })).toBe('/srv/treatygate');
    expect(dataDirFromEnv({ TREATYGATE_DATA_DIR: 'demo-data' })).toBe(resolve(process.cwd(), 'demo-data'));
  });
});

async function withClient<T>(uri: string, action: (client: MongoClient) => Promise<T>): Promise<T> {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    return await action(client);
  } finally {
    await client.close();
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function runJava(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('java', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ code, stderr }));
    // If it did start after all, end of input stops it.
    setTimeout(() => child.stdin.end(), 30_000).unref();
  });
}
