/**
 * The development, test and benchmark database (ARCHITECTURE.md, "Database for
 * development and CI"). One helper, used by jest's global setup, by `npm start` when
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
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';

export type DatabaseKind = 'external' | 'mongodb-memory-server' | 'mongo-java-server';

export interface StartedDatabase {
  /** A URI for `new MongoClient(uri)`. */
  readonly uri: string;
  readonly kind: DatabaseKind;
  /** Stops a server started here (idempotent); a no-op for 'external'. */
  stop(): Promise<void>;
}

export type Log = (message: string) => void;

export interface StartOptions {
  /** Where to say which server was started; defaults to standard error. */
  log?: Log;
  /** Port for a server started here (e.g. to restart on the same one); default: a free one. Ignored for MONGODB_URI. */
  port?: number;
}

export const MONGO_JAVA_SERVER_VERSION = '1.47.0';
const LAUNCHER = join('tools', 'mongo-java-server', 'MongoTestServer.java');
const READY_LINE = 'MongoTestServer ready';
/** The first JVM start compiles the single-file launcher; later ones take about a second. */
const READY_TIMEOUT_MS = 60_000;
/** The launcher's exit code when its port is taken (a race with freePort): worth another port. */
const EXIT_PORT_IN_USE = 3;
const PORT_ATTEMPTS = 3;
const STOP_GRACE_MS = 5_000;
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

/** Where mongo-java-server is installed: <cache>/mongo-java-server-1.47.0 (jars in lib/). */
export function mongoJavaServerDir(): string {
  return join(cacheDir(), `mongo-java-server-${MONGO_JAVA_SERVER_VERSION}`);
}

/** Starts (or connects to) a database, trying the options in order (see the file comment). */
export async function startDatabase(options: StartOptions = {}): Promise<StartedDatabase> {
  const log = options.log ?? ((message: string) => void process.stderr.write(`${message}\n`));
  const external = process.env['MONGODB_URI'];
  if (external) {
    log(`database: external, MONGODB_URI (${redactUri(external)})`);
    return { uri: external, kind: 'external', stop: async () => undefined };
  }
  const forced = forcedKind();
  const failures: string[] = [];
  if (forced !== 'mongo-java-server') {
    try {
      const started = await startMemoryServer(options.port);
      log(`database: mongodb-memory-server (mongod ${started.binary}) at ${started.database.uri}${forced ? ' (forced by TREATYGATE_TEST_DB)' : ''}`);
      return started.database;
    } catch (error) {
      failures.push(`mongodb-memory-server: ${messageOf(error)}`);
      if (forced) throw noDatabase(failures, forced);
    }
  }
  try {
    const database = await startMongoJavaServer({ port: options.port, log });
    const why = forced ? 'forced by TREATYGATE_TEST_DB' : `fallback; ${failures.join('; ')}`;
    log(`database: mongo-java-server ${MONGO_JAVA_SERVER_VERSION} at ${database.uri} (${why})`);
    return database;
  } catch (error) {
    failures.push(`mongo-java-server: ${messageOf(error)}`);
    throw noDatabase(failures, forced);
  }
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

async function startMemoryServer(port?: number): Promise<{ database: StartedDatabase; binary: string }> {
  const located = await locateMongod();
  if (!located) await assertDownloadReachable();
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  let server: InstanceType<typeof MongoMemoryServer>;
  try {
    server = await MongoMemoryServer.create({
      instance: port === undefined ? { ip: '127.0.0.1' } : { ip: '127.0.0.1', port },
      // Same effect as MONGOMS_SYSTEM_BINARY, without changing this process's environment.
      binary: located && located.source !== 'cache' ? { systemBinary: located.path } : {},
    });
  } catch (error) {
    throw new Error(messageOf(error));
  }
  const stop = once(async () => void (await server.stop()));
  return {
    database: { uri: server.getUri(), kind: 'mongodb-memory-server', stop },
    binary: located ? `${located.path}, from ${located.source}` : 'downloaded',
  };
}

// ---------------------------------------------------------------------------------------
// 3. mongo-java-server: installation

const REQUIRED_JARS = [
  `mongo-java-server-core-${MONGO_JAVA_SERVER_VERSION}.jar`,
  `mongo-java-server-memory-backend-${MONGO_JAVA_SERVER_VERSION}.jar`,
];
const STAGING_PREFIX = `.mongo-java-server-${MONGO_JAVA_SERVER_VERSION}.installing-`;

function isInstalled(lib: string): boolean {
  return REQUIRED_JARS.every((jar) => existsSync(join(lib, jar)));
}

/**
 * Installs mongo-java-server's jars (with their dependencies) from Maven Central into
 * <cache>/mongo-java-server-1.47.0/lib unless they are there, and resolves to that lib
 * directory. Safe with several processes installing at once: each installs into a staging
 * directory of its own next to the target and renames it into place (atomic on one file
 * system); the first rename wins and the others, finding a complete install, use it.
 */
export async function installMongoJavaServer(log: Log = () => undefined): Promise<string> {
  const target = mongoJavaServerDir();
  const lib = join(target, 'lib');
  if (isInstalled(lib)) return lib;
  mkdirSync(cacheDir(), { recursive: true });
  removeStaleStaging();
  const staging = mkdtempSync(join(cacheDir(), STAGING_PREFIX));
  const pomDir = mkdtempSync(join(tmpdir(), 'treatygate-mongo-java-server-'));
  try {
    const started = Date.now();
    log(`installing mongo-java-server ${MONGO_JAVA_SERVER_VERSION} from Maven Central into ${target}`);
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

/** Renames `staging` to `target`: true if this call published it, false if another process had. */
function publish(staging: string, target: string): boolean {
  try {
    renameSync(staging, target);
    return true;
  } catch (error) {
    if (isInstalled(join(target, 'lib'))) return false;
    throw new Error(`cannot move the install into ${target} (${messageOf(error)}); if it is incomplete, delete it and retry`);
  }
}

/** Staging directories of installs that were killed midway (older than an hour). */
function removeStaleStaging(): void {
  for (const name of readdirSync(cacheDir())) {
    if (!name.startsWith(STAGING_PREFIX)) continue;
    const path = join(cacheDir(), name);
    if (Date.now() - statSync(path).mtimeMs > STALE_STAGING_MS) rmSync(path, { recursive: true, force: true });
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
}

/**
 * Installs mongo-java-server if needed, starts it on 127.0.0.1 and resolves once it
 * serves. The JVM stops with stop(), and also on its own when this process dies (it exits
 * when its stdin, a pipe from this process, closes).
 */
export async function startMongoJavaServer(options: MongoJavaServerOptions = {}): Promise<StartedDatabase> {
  const lib = await installMongoJavaServer(options.log);
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      const child = await launch(lib, port);
      return { uri: `mongodb://127.0.0.1:${port}/?directConnection=true`, kind: 'mongo-java-server', stop: once(() => terminate(child)) };
    } catch (error) {
      const retry = error instanceof LaunchError && error.portInUse && options.port === undefined && attempt < PORT_ATTEMPTS;
      if (!retry) throw error;
    }
  }
}

class LaunchError extends Error {
  constructor(
    message: string,
    readonly portInUse: boolean,
  ) {
    super(message);
  }
}

/** The launcher, found upwards from this file (so it works from src/ and from dist/src/). */
function launcherPath(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, LAUNCHER);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`the launcher ${LAUNCHER} is not in any parent of ${__dirname}`);
  }
}

/** Spawns the launcher and resolves when it prints its ready line for `port`. */
function launch(lib: string, port: number): Promise<ChildProcess> {
  // -Xss4m: the server evaluates queries, projections and pipelines recursively; a thread
  // stack larger than the JVM's 1 MB default keeps deeply nested ones from overflowing.
  const args = ['-Xss4m', '-cp', join(lib, '*'), launcherPath(), '127.0.0.1', String(port)];
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
      settle(new LaunchError(`${why}; stderr: ${stderr() || 'empty'}`, code === EXIT_PORT_IN_USE));
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(new LaunchError(`no "${expected}" line within ${READY_TIMEOUT_MS / 1000} s; stderr: ${stderr() || 'empty'}`, false));
    }, READY_TIMEOUT_MS);
    child.stdout?.on('data', onData);
    child.on('close', onClose);
  });
}

/** Asks the JVM to stop (stdin EOF and SIGTERM), kills it after a grace period, waits for its exit. */
function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}
