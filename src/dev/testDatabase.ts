/**
 * The development, test and benchmark database (docs/operations.md, "The embedded
 * database"; README, "The database"). One helper, used by jest's global setup, by `npm start` when
 * MONGODB_URI is unset, by `npm run db:serve` and by benchmarks. It tries, in order, and
 * logs which one it used (and why earlier ones failed):
 *
 * 1. `MONGODB_URI` if set (kind 'external'; stop() leaves that server alone);
 * 2. `mongodb-memory-server`: a real `mongod`, the one in MONGOMS_SYSTEM_BINARY or on the
 *    PATH if there is one, else one it has cached, else one it downloads once;
 * 3. mongo-java-server 1.47.0 (an in-memory MongoDB-wire server on the JVM), installed
 *    once from Maven Central into a cache outside git and started by our launcher
 *    `tools/mongo-java-server/MongoTestServer.java`;
 * 4. otherwise an Error saying what was tried, why each failed, and how to set MONGODB_URI.
 *
 * `TREATYGATE_TEST_DB=mongodb-memory-server|mongo-java-server` forces one of 2 and 3
 * (MONGODB_URI still wins). Servers started here listen on 127.0.0.1 only.
 *
 * Persistent mode (`dataDir`, used by `npm start`): the data is kept in a directory and a
 * later server on it finds it again. Layout of a data directory:
 *
 *   .treatygate-data                     marker: only directories with it are used or wiped
 *   mongod/                              dbPath of mongodb-memory-server's mongod (WiredTiger)
 *   mongo-java-server/treatygate.mv.db   mongo-java-server's H2 MVStore (H2Backend)
 *
 * One server at a time per directory: each engine holds an OS lock on its files while it
 * runs (mongod on mongod/mongod.lock, H2 on the .mv.db file), and `dataDirHolder` finds that
 * lock (in /proc/locks on Linux; elsewhere by the process id mongod.lock and
 * treatygate.mv.db.pid hold while their server runs). A directory whose data one engine
 * wrote is opened with that engine when TREATYGATE_TEST_DB does not say otherwise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { projectPath } from '../projectRoot';

export type DatabaseKind = 'external' | 'mongodb-memory-server' | 'mongo-java-server';

export interface StartedDatabase {
  /** A URI for `new MongoClient(uri)`. */
  readonly uri: string;
  readonly kind: DatabaseKind;
  /** The data directory of a server started in persistent mode; undefined: in memory (or 'external'). */
  readonly dataDir?: string;
  /** The server's process id, when this process started it (the bench reads its CPU time). */
  readonly pid?: number;
  /** Stops a server started here (idempotent); a no-op for 'external'. */
  stop(): Promise<void>;
}

export type Log = (message: string) => void;

export interface StartOptions {
  /** Where to say which server was started; defaults to standard error. */
  log?: Log;
  /** Port for a server started here (e.g. to restart on the same one); default: a free one. Ignored for MONGODB_URI. */
  port?: number;
  /**
   * Persistent mode: keep the data in this directory (created if needed; see the file
   * comment for its layout), so that a server started later on it finds it. Refused while
   * another server runs on it, or when it is a non-empty directory that is not a data
   * directory of ours. Default: in memory, gone when the server stops.
   */
  dataDir?: string;
  /** Start a server here even when MONGODB_URI is set (a test that needs a server of its own). */
  ignoreMongodbUri?: boolean;
}

export const MONGO_JAVA_SERVER_VERSION = '1.47.0';
const LAUNCHER = join('tools', 'mongo-java-server', 'MongoTestServer.java');
const READY_LINE = 'MongoTestServer ready';
/** The first JVM start compiles the single-file launcher; later ones take about a second. */
const READY_TIMEOUT_MS = 60_000;
/** The launcher's exit code when its port is taken (a race with freePort): worth another port. */
const EXIT_PORT_IN_USE = 3;
/** The launcher's exit code when its data file is locked: another server runs on it. */
const EXIT_DATA_LOCKED = 4;
const PORT_ATTEMPTS = 3;
const STOP_GRACE_MS = 5_000;
/** Closing a store writes what is not written yet (at most about a second of changes): given longer before a SIGKILL. */
const PERSISTENT_STOP_GRACE_MS = 20_000;
const MAVEN_TIMEOUT_MS = 10 * 60_000;
const DOWNLOAD_PROBE_TIMEOUT_MS = 3_000;
const STALE_STAGING_MS = 3600_000;
/** mongodb-memory-server's default mirror (MongoBinaryDownloadUrl). */
const MONGOD_DOWNLOAD_ORIGIN = 'https://fastdl.mongodb.org';
/** The proxy variables mongodb-memory-server's downloader honours (MongoBinaryDownload). */
const PROXY_VARIABLES = [
  'yarn_https-proxy',
  'yarn_proxy',
  'npm_config_https-proxy',
  'npm_config_proxy',
  'https_proxy',
  'http_proxy',
  'HTTPS_PROXY',
  'HTTP_PROXY',
];

/** The cache root (outside git): TREATYGATE_CACHE_DIR, default ~/.cache/treatygate. */
export function cacheDir(): string {
  return process.env['TREATYGATE_CACHE_DIR'] || join(homedir(), '.cache', 'treatygate');
}

/**
 * Where mongo-java-server is installed: <cache>/mongo-java-server-1.47.0, jars in lib/: the
 * server with its in-memory backend and its H2 backend (mongo-java-server-h2-backend, with
 * the H2 version it declares: 2.3.232 for 1.47.0), and their dependencies.
 */
export function mongoJavaServerDir(): string {
  return join(cacheDir(), `mongo-java-server-${MONGO_JAVA_SERVER_VERSION}`);
}

/** Starts (or connects to) a database, trying the options in order (see the file comment). */
export async function startDatabase(options: StartOptions = {}): Promise<StartedDatabase> {
  const log = options.log ?? ((message: string) => void process.stderr.write(`${message}\n`));
  const external = process.env['MONGODB_URI'];
  if (external && !options.ignoreMongodbUri) {
    log(`database: external, MONGODB_URI (${redactUri(external)})`);
    return { uri: external, kind: 'external', stop: async () => undefined };
  }
  const forced = forcedKind();
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  // Before any server starts: a directory in use or not ours is an error whatever the
  // engine (falling back to the other engine would open a different, empty store).
  if (dataDir !== undefined) await openDataDir(dataDir);
  const keptBy = dataDir === undefined ? null : engineOfData(dataDir);
  const where = dataDir === undefined ? '' : `, data in ${dataDir}`;
  const failures: string[] = [];
  // Data that mongo-java-server wrote is opened with it: a mongod would start on an empty dbPath.
  const skipMongod = forced === undefined && keptBy === 'mongo-java-server';
  if (forced !== 'mongo-java-server' && !skipMongod) {
    try {
      const started = await startMemoryServer(options.port, dataDir);
      log(`database: mongodb-memory-server (mongod ${started.binary}) at ${started.database.uri}${where}${forced ? ' (forced by TREATYGATE_TEST_DB)' : ''}`);
      if (keptBy === 'mongo-java-server') {
        log(`database: note: ${mongoJavaServerStore(dataDir!)} holds data that mongo-java-server wrote; mongod cannot read it (unset TREATYGATE_TEST_DB to use it)`);
      }
      return started.database;
    } catch (error) {
      if (error instanceof DataDirInUseError) throw error;
      // mongod refuses a dbPath that another mongod has locked: never fall back to another store then.
      if (dataDir !== undefined) await assertDataDirFree(dataDir);
      failures.push(`mongodb-memory-server: ${messageOf(error)}`);
      if (forced) throw noDatabase(failures, forced);
    }
  }
  try {
    const database = await startMongoJavaServer({ port: options.port, log, dataDir });
    const why = forced
      ? 'forced by TREATYGATE_TEST_DB'
      : skipMongod
        ? 'the data directory holds its data'
        : `fallback; ${failures.join('; ')}`;
    log(`database: mongo-java-server ${MONGO_JAVA_SERVER_VERSION} at ${database.uri}${where} (${why})`);
    if (keptBy === 'mongodb-memory-server') {
      log(`database: note: ${mongodDbPath(dataDir!)} holds data that a mongod wrote; mongo-java-server cannot read it (put a mongod on the PATH to use it)`);
    }
    return database;
  } catch (error) {
    if (error instanceof DataDirInUseError) throw error;
    failures.push(`mongo-java-server: ${messageOf(error)}`);
    throw noDatabase(failures, forced);
  }
}

// ---------------------------------------------------------------------------------------
// Data directories (persistent mode)

/** The file whose presence marks a directory as a Treatygate data directory. */
export const DATA_DIR_MARKER = '.treatygate-data';
const MARKER_TEXT =
  'This directory holds the data of the embedded database of Treatygate (`npm start` without MONGODB_URI).\n' +
  'Delete it with `npm run db:wipe` (with TREATYGATE_DATA_DIR set if it is not the default one).\n';
const MONGO_JAVA_SERVER_STORE = join('mongo-java-server', 'treatygate.mv.db');

/**
 * The data directory of `npm start` and `npm run db:wipe`: TREATYGATE_DATA_DIR (resolved
 * against the working directory), else `.treatygate/data` in the project root (the
 * directory of package.json, whether the code runs from src/ or from dist/src/).
 */
export function dataDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env['TREATYGATE_DATA_DIR']?.trim();
  return configured ? resolve(configured) : projectPath('.treatygate', 'data');
}

/** mongo-java-server's store in a data directory (an H2 MVStore file). */
export function mongoJavaServerStore(dataDir: string): string {
  return join(dataDir, MONGO_JAVA_SERVER_STORE);
}

/** mongod's dbPath in a data directory. */
export function mongodDbPath(dataDir: string): string {
  return join(dataDir, 'mongod');
}

/** Another server runs on the data directory (its lock is held). */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: DataDirHolder,
  ) {
    super(
      `the data directory ${dataDir} is in use by a running ${holder.engine === 'mongo-java-server' ? 'mongo-java-server' : 'mongod'}` +
        `${holder.pid ? ` (process ${holder.pid})` : ''} (it holds the lock on its files): stop that server first`,
    );
    this.name = 'DataDirInUseError';
  }
}

/** A directory that is not empty and is not a data directory of ours (or not a directory): never used, never wiped. */
export class NotADataDirError extends Error {
  constructor(
    readonly dataDir: string,
    why = `is not empty and is not a Treatygate data directory (it has no ${DATA_DIR_MARKER} file)`,
  ) {
    super(`${dataDir} ${why}: it is left alone; choose an empty or new directory (TREATYGATE_DATA_DIR)`);
    this.name = 'NotADataDirError';
  }
}

/** Whether `dir` is a data directory of ours (has the marker file). */
export function isDataDir(dir: string): boolean {
  return existsSync(join(dir, DATA_DIR_MARKER));
}

/** Creates the data directory (or checks an existing one is ours and free), marking it as ours. */
async function openDataDir(dataDir: string): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  if (!isDataDir(dataDir)) {
    // The marker alone: another process is creating this directory at the same time.
    if (readdirSync(dataDir).some((name) => name !== DATA_DIR_MARKER)) throw new NotADataDirError(dataDir);
    writeFileSync(join(dataDir, DATA_DIR_MARKER), MARKER_TEXT);
  }
  await assertDataDirFree(dataDir);
}

async function assertDataDirFree(dataDir: string): Promise<void> {
  const holder = await dataDirHolder(dataDir);
  if (holder) throw new DataDirInUseError(dataDir, holder);
}

/** Which engine wrote the data in `dataDir` (null: none, or both). */
function engineOfData(dataDir: string): ForcedKind | null {
  const java = existsSync(mongoJavaServerStore(dataDir));
  const mongod = existsSync(join(mongodDbPath(dataDir), 'WiredTiger'));
  if (java === mongod) return null;
  return java ? 'mongo-java-server' : 'mongodb-memory-server';
}

export interface DataDirHolder {
  readonly engine: ForcedKind;
  /** The process holding the lock, when known. */
  readonly pid: number | null;
}

/**
 * The server running on `dataDir`, found by the lock it holds on its files, or null when
 * none is. On Linux the lock itself is looked up in /proc/locks (exact, also after a
 * crash); elsewhere the process id that mongod.lock / treatygate.mv.db.pid hold while their
 * server runs is checked to be a live process.
 */
export async function dataDirHolder(dataDir: string): Promise<DataDirHolder | null> {
  const candidates: Array<{ engine: ForcedKind; locked: string; pidFile: string }> = [
    { engine: 'mongo-java-server', locked: mongoJavaServerStore(dataDir), pidFile: `${mongoJavaServerStore(dataDir)}.pid` },
    { engine: 'mongodb-memory-server', locked: join(mongodDbPath(dataDir), 'mongod.lock'), pidFile: join(mongodDbPath(dataDir), 'mongod.lock') },
  ];
  const locks = readProcLocks();
  for (const { engine, locked, pidFile } of candidates) {
    if (!existsSync(locked)) continue;
    if (locks !== null) {
      const pid = lockingPid(locks, locked);
      if (pid !== undefined) return { engine, pid };
    } else {
      const pid = livePid(pidFile);
      if (pid !== null) return { engine, pid };
    }
  }
  return null;
}

/** The text of /proc/locks (Linux), or null where there is none. */
function readProcLocks(): string | null {
  try {
    return readFileSync('/proc/locks', 'utf8');
  } catch {
    return null;
  }
}

/**
 * The process holding a lock on `file` according to /proc/locks (null when the kernel
 * does not say which), or undefined when no lock is held. Lines look like
 * `2: POSIX  ADVISORY  WRITE 10876 fe:00:9978022 0 EOF` (device major:minor in hex, inode);
 * lines of waiters (`2: -> POSIX ...`) are skipped.
 */
function lockingPid(locks: string, file: string): number | null | undefined {
  let stats;
  try {
    stats = statSync(file, { bigint: true });
  } catch {
    return undefined;
  }
  // glibc's encoding of dev_t (gnu_dev_major / gnu_dev_minor).
  const dev = stats.dev;
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  for (const line of locks.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8 || fields[1] === '->') continue;
    const [maj, min, inode] = (fields[5] ?? '').split(':');
    if (inode === undefined || BigInt(inode) !== stats.ino) continue;
    if (BigInt(`0x${maj}`) !== major || BigInt(`0x${min}`) !== minor) continue;
    const pid = Number(fields[4]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  }
  return undefined;
}

/** The process id in `pidFile` if that process is alive, else null. */
function livePid(pidFile: string): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null; // mongod empties mongod.lock on a clean stop
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

export interface WipeResult {
  /** False when there was nothing to delete (no such directory). */
  readonly deleted: boolean;
  readonly dataDir: string;
  /** What it held (top-level entries, the marker excluded), with their sizes in bytes. */
  readonly contents: ReadonlyArray<{ name: string; bytes: number }>;
}

/**
 * Deletes a data directory and everything in it. Refused (DataDirInUseError) while a
 * server runs on it, and (NotADataDirError) for a directory that is not one of ours. To
 * close the race with a server starting meanwhile, the directory is first renamed aside
 * and checked again there (a lock follows its file), and renamed back if it is in use.
 */
export async function wipeDataDir(dataDir: string): Promise<WipeResult> {
  const dir = resolve(dataDir);
  if (!existsSync(dir)) return { deleted: false, dataDir: dir, contents: [] };
  if (!lstatSync(dir).isDirectory()) throw new NotADataDirError(dir, 'is not a directory (a symbolic link is not followed)');
  if (!isDataDir(dir)) throw new NotADataDirError(dir);
  await assertDataDirFree(dir);
  const contents = readdirSync(dir)
    .filter((name) => name !== DATA_DIR_MARKER)
    .sort()
    .map((name) => ({ name, bytes: sizeOf(join(dir, name)) }));
  const aside = `${dir}.wiping-${process.pid}-${Date.now()}`;
  renameSync(dir, aside);
  const holder = await dataDirHolder(aside);
  if (holder) {
    renameSync(aside, dir);
    throw new DataDirInUseError(dir, holder);
  }
  rmSync(aside, { recursive: true, force: true });
  return { deleted: true, dataDir: dir, contents };
}

/** Bytes in a file or directory tree (symbolic links are not followed). */
function sizeOf(path: string): number {
  const stats = lstatSync(path);
  if (!stats.isDirectory()) return stats.size;
  return readdirSync(path).reduce((total, name) => total + sizeOf(join(path, name)), 0);
}

type ForcedKind = 'mongodb-memory-server' | 'mongo-java-server';

function forcedKind(): ForcedKind | undefined {
  const forced = process.env['TREATYGATE_TEST_DB'];
  if (!forced) return undefined;
  if (forced === 'mongodb-memory-server' || forced === 'mongo-java-server') return forced;
  throw new Error(`TREATYGATE_TEST_DB must be mongodb-memory-server or mongo-java-server, got "${forced}"`);
}

function noDatabase(failures: string[], forced: ForcedKind | undefined): Error {
  return new Error(
    'No database could be started. Tried:\n' +
      failures.map((failure) => `  - ${failure}\n`).join('') +
      (forced ? `(TREATYGATE_TEST_DB=${forced} allowed only that one; unset it to try the others.)\n` : '') +
      'Set MONGODB_URI to a MongoDB 6+ server, e.g. MONGODB_URI=mongodb://127.0.0.1:27017 npm test; ' +
      'or put a mongod on the PATH (or point MONGOMS_SYSTEM_BINARY at one); ' +
      'or install Java 17+ and Maven with access to Maven Central for the mongo-java-server fallback (npm run db:install).',
  );
}

function redactUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}

/** One line, bounded: library errors (downloads, Maven) span several lines. */
function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.replace(/\s+/g, ' ').trim() || 'failed';
  return line.length > 600 ? `${line.slice(0, 600)}…` : line;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** Runs `stop` once; later calls get the same promise. */
function once(stop: () => Promise<void>): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => (stopping ??= stop());
}

// ---------------------------------------------------------------------------------------
// 2. mongodb-memory-server

export interface LocatedMongod {
  readonly path: string;
  readonly source: 'MONGOMS_SYSTEM_BINARY' | 'PATH' | 'cache';
}

/**
 * A mongod that mongodb-memory-server can start without downloading: MONGOMS_SYSTEM_BINARY,
 * else one on the PATH, else one in its cache (MONGOMS_DOWNLOAD_DIR, ~/.cache/mongodb-binaries,
 * node_modules/.cache/mongodb-memory-server, as its DryMongoBinary.locateBinary checks them).
 */
export async function locateMongod(): Promise<LocatedMongod | null> {
  const configured = process.env['MONGOMS_SYSTEM_BINARY'];
  if (configured) return { path: configured, source: 'MONGOMS_SYSTEM_BINARY' };
  const onPath = findExecutable('mongod');
  if (onPath) return { path: onPath, source: 'PATH' };
  const { DryMongoBinary } = await import('mongodb-memory-server');
  try {
    const cached = await DryMongoBinary.locateBinary(await DryMongoBinary.generateOptions({}));
    return cached ? { path: cached, source: 'cache' } : null;
  } catch (error) {
    // e.g. a MONGOMS_DOWNLOAD_URL whose file name is not a MongoDB archive name
    throw new Error(`cannot look for a cached mongod (check the MONGOMS_* variables): ${messageOf(error)}`);
  }
}

function findExecutable(name: string): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Why a probe first: with no mongod at hand, mongodb-memory-server downloads one, and on a
 * machine without internet access it only fails after three DNS/HTTP attempts (measured
 * here: 8 s per start with a fast NXDOMAIN; where packets are dropped instead, each attempt
 * waits for TCP timeouts, i.e. minutes). The download itself must stay possible (README:
 * "nothing else is needed when a mongod can be downloaded"), so rather than never
 * downloading, we spend at most DOWNLOAD_PROBE_TIMEOUT_MS asking the download server for
 * any HTTP answer, and skip this step when there is none. With a proxy configured the
 * probe cannot tell (the proxy decides), so mongodb-memory-server's own attempt runs.
 */
async function assertDownloadReachable(): Promise<void> {
  if (PROXY_VARIABLES.some((name) => process.env[name])) return;
  const origin = new URL(process.env['MONGOMS_DOWNLOAD_URL'] || process.env['MONGOMS_DOWNLOAD_MIRROR'] || MONGOD_DOWNLOAD_ORIGIN).origin;
  const problem = await httpProblem(new URL(origin), DOWNLOAD_PROBE_TIMEOUT_MS);
  if (problem) {
    throw new Error(
      `no mongod on the PATH or in its cache, and its download server ${origin} is unreachable (${problem}); skipped without downloading`,
    );
  }
}

/** Resolves to null when `url` gives any HTTP answer within `timeoutMs`, else to the reason. */
function httpProblem(url: URL, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    const request = send(url, { method: 'HEAD' }, (response) => {
      clearTimeout(timer);
      response.resume();
      resolve(null);
    });
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    request.once('error', (error) => {
      clearTimeout(timer);
      resolve(error.message);
    });
    request.end();
  });
}

/**
 * Starts a mongod with mongodb-memory-server. In memory by default (its own temporary
 * dbPath, removed on stop); with `dataDir`, on the dbPath `<dataDir>/mongod` with the
 * WiredTiger storage engine, which mongodb-memory-server 11 leaves in place on stop (it
 * removes only a temporary directory it created, or a given dbPath with `force`).
 */
async function startMemoryServer(port?: number, dataDir?: string): Promise<{ database: StartedDatabase; binary: string }> {
  const located = await locateMongod();
  if (!located) await assertDownloadReachable();
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  const dbPath = dataDir === undefined ? undefined : mongodDbPath(dataDir);
  // mongodb-memory-server reads a given dbPath (to tell a new database from an existing one): it must exist.
  if (dbPath !== undefined) mkdirSync(dbPath, { recursive: true });
  let server: InstanceType<typeof MongoMemoryServer>;
  try {
    server = await MongoMemoryServer.create({
      instance: {
        ip: '127.0.0.1',
        ...(port === undefined ? {} : { port }),
        // 'ephemeralForTest' (its default before MongoDB 7) keeps nothing; WiredTiger is mongod's on-disk engine.
        ...(dbPath === undefined ? {} : { dbPath, storageEngine: 'wiredTiger' as const }),
      },
      // Same effect as MONGOMS_SYSTEM_BINARY, without changing this process's environment.
      binary: located && located.source !== 'cache' ? { systemBinary: located.path } : {},
    });
  } catch (error) {
    throw new Error(messageOf(error));
  }
  // doCleanup removes only the temporary dbPath of the in-memory case; without `force` a given dbPath stays.
  const stop = once(async () => void (await server.stop({ doCleanup: true, force: false })));
  return {
    database: {
      uri: server.getUri(),
      kind: 'mongodb-memory-server',
      ...(dataDir === undefined ? {} : { dataDir }),
      ...(server.instanceInfo?.instance.mongodProcess?.pid === undefined ? {} : { pid: server.instanceInfo.instance.mongodProcess.pid }),
      stop,
    },
    binary: located ? `${located.path}, from ${located.source}` : 'downloaded',
  };
}

// ---------------------------------------------------------------------------------------
// 3. mongo-java-server: installation

const REQUIRED_JARS = [
  `mongo-java-server-core-${MONGO_JAVA_SERVER_VERSION}.jar`,
  `mongo-java-server-memory-backend-${MONGO_JAVA_SERVER_VERSION}.jar`,
  `mongo-java-server-h2-backend-${MONGO_JAVA_SERVER_VERSION}.jar`,
];
/** H2 itself (com.h2database:h2), at whichever version the H2 backend's pom names. */
const H2_JAR = /^h2-\d[\w.-]*\.jar$/;
const STAGING_PREFIX = `.mongo-java-server-${MONGO_JAVA_SERVER_VERSION}.installing-`;
/** An install moved aside to be replaced (one from before the H2 backend was part of it). */
const REPLACED_PREFIX = `.mongo-java-server-${MONGO_JAVA_SERVER_VERSION}.replaced-`;

function isInstalled(lib: string): boolean {
  if (!REQUIRED_JARS.every((jar) => existsSync(join(lib, jar)))) return false;
  try {
    return readdirSync(lib).some((name) => H2_JAR.test(name));
  } catch {
    return false;
  }
}

/**
 * Installs mongo-java-server's jars (with their dependencies) from Maven Central into
 * <cache>/mongo-java-server-1.47.0/lib unless they are there, and resolves to that lib
 * directory. Safe with several processes installing at once: each installs into a staging
 * directory of its own next to the target and renames it into place (atomic on one file
 * system); the first rename wins and the others, finding a complete install, use it. An
 * existing install that lacks a jar (one made before the H2 backend was added) is
 * replaced the same way: the complete one is staged, the old one renamed aside (and
 * deleted an hour later, in case a server started from it is still running).
 */
export async function installMongoJavaServer(log: Log = () => undefined): Promise<string> {
  const target = mongoJavaServerDir();
  const lib = join(target, 'lib');
  if (isInstalled(lib)) {
    removeStaleStaging(); // leftovers of killed installs and of replaced ones
    return lib;
  }
  mkdirSync(cacheDir(), { recursive: true });
  removeStaleStaging();
  const staging = mkdtempSync(join(cacheDir(), STAGING_PREFIX));
  const pomDir = mkdtempSync(join(tmpdir(), 'treatygate-mongo-java-server-'));
  try {
    const started = Date.now();
    const what = existsSync(target) ? 'completing (with the H2 backend) the install of' : 'installing';
    log(`${what} mongo-java-server ${MONGO_JAVA_SERVER_VERSION} from Maven Central into ${target}`);
    await copyDependencies(pomDir, join(staging, 'lib'));
    if (!isInstalled(join(staging, 'lib'))) {
      throw new Error(`Maven succeeded but ${REQUIRED_JARS.join(' and ')} are not in its output`);
    }
    chmodSync(staging, 0o755); // mkdtemp makes it 0700
    const by = publish(staging, target) ? '' : '; another process installed it at the same time, using its copy';
    log(`installed mongo-java-server ${MONGO_JAVA_SERVER_VERSION} in ${lib} (${seconds(started)}${by})`);
    return lib;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(pomDir, { recursive: true, force: true });
  }
}

/**
 * Renames `staging` to `target`: true if this call published it, false if another process
 * had. An incomplete install at `target` is renamed aside first (rename does not replace
 * a non-empty directory).
 */
function publish(staging: string, target: string): boolean {
  for (let attempt = 1; ; attempt++) {
    try {
      renameSync(staging, target);
      return true;
    } catch (error) {
      if (isInstalled(join(target, 'lib'))) return false;
      if (attempt > 2 || !existsSync(target)) {
        throw new Error(`cannot move the install into ${target} (${messageOf(error)}); if it is incomplete, delete it and retry`);
      }
      try {
        renameSync(target, join(cacheDir(), `${REPLACED_PREFIX}${process.pid}-${Date.now()}`));
      } catch {
        // Another process moved it first: try again (its install may be in place by now).
      }
    }
  }
}

/** Staging directories of installs that were killed midway, and replaced installs (older than an hour). */
function removeStaleStaging(): void {
  let names: string[];
  try {
    names = readdirSync(cacheDir());
  } catch {
    return; // no cache directory (yet)
  }
  for (const name of names) {
    if (!name.startsWith(STAGING_PREFIX) && !name.startsWith(REPLACED_PREFIX)) continue;
    const path = join(cacheDir(), name);
    try {
      // A rename keeps a directory's mtime: a replaced install is dated by its name.
      const since = name.startsWith(REPLACED_PREFIX) ? Number(name.split('-').at(-1)) : statSync(path).mtimeMs;
      if (!(Date.now() - since <= STALE_STAGING_MS)) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed by another process meanwhile
    }
  }
}

function pomXml(): string {
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>treatygate</groupId>
  <artifactId>mongo-java-server-install</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>de.bwaldvogel</groupId>
      <artifactId>mongo-java-server</artifactId>
      <version>${MONGO_JAVA_SERVER_VERSION}</version>
    </dependency>
    <dependency>
      <groupId>de.bwaldvogel</groupId>
      <artifactId>mongo-java-server-h2-backend</artifactId>
      <version>${MONGO_JAVA_SERVER_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;
}

/** `mvn -q -B dependency:copy-dependencies` on a throwaway pom.xml in `pomDir`. */
function copyDependencies(pomDir: string, outputDir: string): Promise<void> {
  const pom = join(pomDir, 'pom.xml');
  writeFileSync(pom, pomXml());
  const args = ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${outputDir}`];
  return new Promise((resolve, reject) => {
    const maven = spawn('mvn', args, { cwd: pomDir, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = keepTail([maven.stdout, maven.stderr]);
    const timer = setTimeout(() => maven.kill('SIGKILL'), MAVEN_TIMEOUT_MS);
    maven.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run Maven (mvn): ${error.message}`));
    });
    maven.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`Maven failed (${signal ?? `exit ${code}`}): ${output() || 'no output'}`));
    });
  });
}

/** Collects the last `limit` characters written to the streams, for error messages. */
function keepTail(streams: Array<Readable | null>, limit = 2_000): () => string {
  let text = '';
  for (const stream of streams) {
    stream?.on('data', (chunk: Buffer) => {
      text = (text + chunk.toString()).slice(-limit);
    });
  }
  return () => text.trim();
}

// ---------------------------------------------------------------------------------------
// 3. mongo-java-server: running

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface MongoJavaServerOptions {
  /** Default: a free port (retried on another if it is taken before the JVM binds it). */
  port?: number;
  log?: Log;
  /**
   * Persistent mode: the data is kept in `<dataDir>/mongo-java-server/treatygate.mv.db`
   * (H2 MVStore backend) instead of memory. Same checks as startDatabase's `dataDir`.
   */
  dataDir?: string;
}

/**
 * Installs mongo-java-server if needed, starts it on 127.0.0.1 and resolves once it
 * serves. The JVM stops with stop(), and also on its own when this process dies (it exits
 * when its stdin, a pipe from this process, closes). In persistent mode it closes its
 * store (writing what it has not written yet) in either case.
 */
export async function startMongoJavaServer(options: MongoJavaServerOptions = {}): Promise<StartedDatabase> {
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir !== undefined) await openDataDir(dataDir);
  const lib = await installMongoJavaServer(options.log);
  const store = dataDir === undefined ? undefined : mongoJavaServerStore(dataDir);
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      const child = await launch(lib, port, store);
      const grace = store === undefined ? STOP_GRACE_MS : PERSISTENT_STOP_GRACE_MS;
      return {
        uri: `mongodb://127.0.0.1:${port}/?directConnection=true`,
        kind: 'mongo-java-server',
        ...(dataDir === undefined ? {} : { dataDir }),
        ...(child.pid === undefined ? {} : { pid: child.pid }),
        stop: once(async () => {
          const killed = await terminate(child, grace);
          if (killed && dataDir !== undefined) {
            options.log?.(`database: mongo-java-server did not stop within ${grace / 1000} s and was killed; writes of its last second may be lost`);
          }
        }),
      };
    } catch (error) {
      if (error instanceof LaunchError && error.dataLocked && dataDir !== undefined) {
        // Another server took the directory between our check and the JVM's start.
        throw new DataDirInUseError(dataDir, (await dataDirHolder(dataDir)) ?? { engine: 'mongo-java-server', pid: null });
      }
      const retry = error instanceof LaunchError && error.portInUse && options.port === undefined && attempt < PORT_ATTEMPTS;
      if (!retry) throw error;
    }
  }
}

class LaunchError extends Error {
  constructor(
    message: string,
    readonly portInUse: boolean,
    readonly dataLocked = false,
  ) {
    super(message);
  }
}

/** The launcher in the project (found from src/ and from dist/src/ alike). */
function launcherPath(): string {
  const launcher = projectPath(LAUNCHER);
  if (!existsSync(launcher)) throw new Error(`the launcher ${LAUNCHER} is not in the project (${launcher})`);
  return launcher;
}

/** Spawns the launcher (on the store file `store`, if given) and resolves when it prints its ready line for `port`. */
function launch(lib: string, port: number, store?: string): Promise<ChildProcess> {
  // -Xss4m: the server evaluates queries, projections and pipelines recursively; a thread
  // stack larger than the JVM's 1 MB default keeps deeply nested ones from overflowing.
  const args = ['-Xss4m', '-cp', join(lib, '*'), launcherPath(), '127.0.0.1', String(port), ...(store === undefined ? [] : [store])];
  const child = spawn('java', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  // Writes to a dead JVM's stdin fail with EPIPE; the JVM's exit is what gets reported.
  child.stdin?.on('error', () => undefined);
  const stderr = keepTail([child.stderr]);
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const expected = `${READY_LINE} 127.0.0.1:${port}`;
    const settle = (problem?: LaunchError): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('close', onClose);
      child.stdout?.resume(); // keep draining; nothing more is expected
      if (problem) reject(problem);
      else resolve(child);
    };
    const onData = (chunk: Buffer): void => {
      stdout += chunk.toString();
      if (stdout.split('\n').some((line) => line.trim() === expected)) settle();
    };
    const onClose = (code: number | null, signal: NodeJS.Signals | null): void => {
      const why = spawnError ? `cannot run java (Java 17+ is needed): ${spawnError.message}` : `java exited (${signal ?? `exit ${code}`}) before it was ready`;
      settle(new LaunchError(`${why}; stderr: ${stderr() || 'empty'}`, code === EXIT_PORT_IN_USE, code === EXIT_DATA_LOCKED));
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(new LaunchError(`no "${expected}" line within ${READY_TIMEOUT_MS / 1000} s; stderr: ${stderr() || 'empty'}`, false));
    }, READY_TIMEOUT_MS);
    child.stdout?.on('data', onData);
    child.on('close', onClose);
  });
}

/**
 * Asks the JVM to stop (stdin EOF and SIGTERM: it closes its store, if any, then exits),
 * kills it after `graceMs`, waits for its exit; true if it had to be killed.
 */
function terminate(child: ChildProcess, graceMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(false);
  return new Promise((resolve) => {
    let killed = false;
    const force = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve(killed);
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}
