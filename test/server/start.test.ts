/**
 * `npm start` as a new user runs it: no MONGODB_URI, so an embedded database is started
 * and seeded; the printed token works; SIGTERM drains and exits cleanly. The embedded
 * database keeps its data in a data directory: this test uses a new, empty one of its
 * own (TREATYGATE_DATA_DIR), never the project's, so that every run starts as a new
 * user's does and no run depends on another (or on a developer's npm start).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/dev/testDatabase';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
/**
 * The longest wait for the start (a JVM to start, the demo world to be generated and
 * imported) on a loaded 2-core machine: generous, only a start that hangs exceeds it.
 */
const START_DEADLINE_MS = 150_000;
/** npm start exits 1 by itself when draining takes 30 s: the wait for its exit leaves it that decision. */
const STOP_DEADLINE_MS = 60_000;

function waitFor(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${out.slice(-2000)}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  });
}

describe('npm start', () => {
  let child: ChildProcess | undefined;
  const dataDir = join(mkdtempSync(join(tmpdir(), 'treatygate-start-')), 'data');
  afterAll(async () => {
    // After a failure: SIGTERM, which tsx passes on to the gateway (a SIGKILL would end
    // only tsx, leaving the gateway and its database running); SIGKILL if it does not stop.
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      const force = setTimeout(() => child?.kill('SIGKILL'), STOP_DEADLINE_MS);
      await exited;
      clearTimeout(force);
    }
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
  }, STOP_DEADLINE_MS + 10_000);

  it('serves /graphql and /healthz on an embedded, seeded database, and stops on SIGTERM', async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), LOG_LEVEL: 'info', NODE_ENV: 'development', TREATYGATE_DATA_DIR: dataDir };
    delete env['MONGODB_URI'];
    child = spawn(TSX, [join(ROOT, 'src', 'cli', 'start.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = await waitFor(child, /IOM, statistics analyst[\s\S]*statistics\(groupBy: \[NATIONALITY\]\)[^\n]*\n/, START_DEADLINE_MS);
    expect(output).toContain(`Treatygate is serving GraphQL at http://127.0.0.1:${port}/graphql`);
    expect(output).toMatch(/Embedded database \((mongodb-memory-server|mongo-java-server)\)/);
    expect(output).toMatch(/seeded the demo world/);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);

    const token = spawnSync(TSX, [join(ROOT, 'src', 'cli', 'token.ts'), '--party', 'ITA', '--clearance', 'ELEVATED', '--roles', 'CASEWORKER'], {
      encoding: 'utf8',
    }).stdout.trim();
    const reply = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'x-agreement-id': 'AGR-MED-TIP-2024',
        'x-purpose': 'ANTI_TRAFFICKING',
      },
      body: JSON.stringify({ query: '{ migrants(first: 3) { totalCount edges { node { id holder { code } } } } }' }),
    });
    expect(reply.status).toBe(200);
    const body = (await reply.json()) as { data: { migrants: { totalCount: number; edges: unknown[] } } };
    expect(body.data.migrants.edges).toHaveLength(3);
    expect(body.data.migrants.totalCount).toBeGreaterThan(1000);

    // The statistics persona's printed request is a statistics query (its grant is
    // aggregate-only: a record read would be refused), and it answers as printed.
    const iom = output.slice(output.indexOf('# IOM, statistics analyst'));
    const iomToken = /Authorization: Bearer (\S+)'/.exec(iom)![1]!;
    const iomBody = /-d '(\{.*\})'/.exec(iom)![1]!;
    expect(iomBody).not.toContain('migrants');
    const stats = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${iomToken}`, 'x-agreement-id': 'AGR-MED-TIP-2024', 'x-purpose': 'STATISTICS' },
      body: iomBody,
    });
    expect(stats.status).toBe(200);
    const table = (await stats.json()) as { data: { statistics: { total: number | null; cells: unknown[] } } };
    expect(table.data.statistics.total).toBeGreaterThan(1000);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const stopped = waitFor(child, /"msg":"stopped"/, STOP_DEADLINE_MS);
    child.kill('SIGTERM');
    await stopped;
    expect(await exited).toBe(0);
  }, START_DEADLINE_MS + STOP_DEADLINE_MS + 30_000);
});
