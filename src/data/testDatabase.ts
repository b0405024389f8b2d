/**
 * The development, test and benchmark database (ARCHITECTURE.md, "Database for
 * development and CI"). One helper, used by jest's global setup, by `npm start` when
 * MONGODB_URI is unset, and by benchmarks. It tries, in order, and says which it used:
 *
 * 1. `MONGODB_URI` if set;
 * 2. `mongodb-memory-server`: a real `mongod`, the one on the PATH if there is one
 *    (MONGOMS_SYSTEM_BINARY), else one it downloads once;
 * 3. mongo-java-server 1.47 (in-memory MongoDB-wire server on the JVM), installed once
 *    from Maven Central into a cache outside git and started by our launcher
 *    `tools/mongo-java-server/MongoTestServer.java`;
 * 4. otherwise an error saying what was tried and how to set MONGODB_URI.
 *
 * `TREATYGATE_TEST_DB=mongodb-memory-server|mongo-java-server` forces one of 2 and 3.
 * A failed mongod download is remembered for a day (a marker file in the cache), so
 * machines without internet access don't wait for it on every run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export type DatabaseKind = 'external' | 'mongodb-memory-server' | 'mongo-java-server';

export interface StartedDatabase {
  readonly uri: string;
  readonly kind: DatabaseKind;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Where to say which server was started; defaults to standard error. */
  log?: (message: string) => void;
}

export const MONGO_JAVA_SERVER_VERSION = '1.47.0';
const LAUNCHER = join(__dirname, '..', '..', 'tools', 'mongo-java-server', 'MongoTestServer.java');
const DOWNLOAD_FAILURE_MEMORY_MS = 24 * 3600 * 1000;

/** The cache directory of installed servers (outside git). */
export function cacheDir(): string {
  return process.env['TREATYGATE_CACHE_DIR'] || join(homedir(), '.cache', 'treatygate');
}

/** Starts (or connects to) a database, trying the options in order. */
export async function startDatabase(options: StartOptions = {}): Promise<StartedDatabase> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const uri = process.env['MONGODB_URI'];
  if (uri) {
    log(`database: external, MONGODB_URI (${redactUri(uri)})`);
    return { uri, kind: 'external', stop: async () => undefined };
  }
  const forced = process.env['TREATYGATE_TEST_DB'];
  if (forced && forced !== 'mongodb-memory-server' && forced !== 'mongo-java-server') {
    throw new Error(`TREATYGATE_TEST_DB must be mongodb-memory-server or mongo-java-server, got "${forced}"`);
  }
  const failures: string[] = [];
  if (forced !== 'mongo-java-server') {
    try {
      const started = await startMemoryServer();
      log(`database: mongodb-memory-server (mongod ${started.binary}) at ${started.database.uri}`);
      return started.database;
    } catch (error) {
      failures.push(`mongodb-memory-server: ${(error as Error).message}`);
      if (forced) throw noDatabase(failures);
    }
  }
  try {
    const database = await startMongoJavaServer();
    log(`database: mongo-java-server ${MONGO_JAVA_SERVER_VERSION} at ${database.uri}${failures.length ? ` (fallback; ${failures.join('; ')})` : ''}`);
    return database;
  } catch (error) {
    failures.push(`mongo-java-server: ${(error as Error).message}`);
    throw noDatabase(failures);
  }
}

function noDatabase(failures: string[]): Error {
  return new Error(
    `No database could be started. Tried:\n${failures.map((f) => `  - ${f}`).join('\n')}\n` +
      'Set MONGODB_URI to a MongoDB server (e.g. MONGODB_URI=mongodb://127.0.0.1:27017), ' +
      'put a mongod on the PATH, or install Java 17+ and Maven for the mongo-java-server fallback.',
  );
}

function redactUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}

function whichMongod(): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'mongod');
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

async function startMemoryServer(): Promise<{ database: StartedDatabase; binary: string }> {
  const system = process.env['MONGOMS_SYSTEM_BINARY'] || whichMongod();
  const marker = join(cacheDir(), 'mongodb-memory-server-download-failed');
  if (!system && existsSync(marker) && Date.now() - statSync(marker).mtimeMs < DOWNLOAD_FAILURE_MEMORY_MS) {
    throw new Error('no mongod on the PATH, and its download failed within the last day (skipped)');
  }
  if (system) process.env['MONGOMS_SYSTEM_BINARY'] = system;
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  try {
    const server = await MongoMemoryServer.create({ instance: { ip: '127.0.0.1' } });
    return {
      database: { uri: server.getUri(), kind: 'mongodb-memory-server', stop: async () => void (await server.stop()) },
      binary: system ?? 'downloaded',
    };
  } catch (error) {
    if (!system) {
      mkdirSync(cacheDir(), { recursive: true });
      writeFileSync(marker, `${new Date().toISOString()} ${(error as Error).message.split('\n')[0]}\n`);
    }
    throw new Error((error as Error).message.split('\n')[0] ?? 'failed');
  }
}

/** The directory holding mongo-java-server's jars, installing them with Maven if needed. */
export function installMongoJavaServer(log: (message: string) => void = () => undefined): string {
  const target = join(cacheDir(), `mongo-java-server-${MONGO_JAVA_SERVER_VERSION}`);
  const lib = join(target, 'lib');
  if (existsSync(join(lib, `mongo-java-server-memory-backend-${MONGO_JAVA_SERVER_VERSION}.jar`))) return lib;
  mkdirSync(cacheDir(), { recursive: true });
  // Install into a private temporary directory, then rename into place: two processes
  // installing at once each produce a complete copy and the first rename wins.
  const work = mkdtempSync(join(cacheDir(), '.install-'));
  try {
    writeFileSync(
      join(work, 'pom.xml'),
      `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>treatygate</groupId><artifactId>mongo-java-server-install</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>de.bwaldvogel</groupId><artifactId>mongo-java-server</artifactId><version>${MONGO_JAVA_SERVER_VERSION}</version></dependency>
  </dependencies>
</project>
`,
    );
    log(`installing mongo-java-server ${MONGO_JAVA_SERVER_VERSION} from Maven Central into ${target}`);
    const result = spawnSync(
      'mvn',
      ['-q', '-B', '-f', join(work, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${join(work, 'lib')}`],
      { encoding: 'utf8', timeout: 300_000 },
    );
    if (result.error) throw new Error(`cannot run Maven (mvn): ${result.error.message}`);
    if (result.status !== 0) throw new Error(`Maven failed (exit ${result.status}): ${(result.stdout + result.stderr).trim().slice(-500)}`);
    if (readdirSync(join(work, 'lib')).length === 0) throw new Error('Maven copied no jars');
    rmSync(join(work, 'pom.xml'));
    try {
      renameSync(work, target);
    } catch (error) {
      if (!existsSync(lib)) throw error;
    }
    return lib;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

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

/** Starts mongo-java-server on a free port of 127.0.0.1 and waits for its ready line. */
export async function startMongoJavaServer(port?: number): Promise<StartedDatabase> {
  const lib = installMongoJavaServer((message) => process.stderr.write(`${message}\n`));
  const chosen = port ?? (await freePort());
  const child = spawn('java', ['-Xss4m', '-cp', join(lib, '*'), LAUNCHER, '127.0.0.1', String(chosen)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  await waitForReady(child, 60_000);
  const uri = `mongodb://127.0.0.1:${chosen}/?directConnection=true`;
  return {
    uri,
    kind: 'mongo-java-server',
    stop: () => stopChild(child),
  };
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ready line within ${timeoutMs} ms; stderr: ${stderr.trim().slice(-500)}`));
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('MongoTestServer ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run java: ${error.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`java exited with code ${code} before it was ready; stderr: ${stderr.trim().slice(-500)}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}
