/**
 * `npm start` as a new user runs it: no MONGODB_URI, so an embedded database is started
 * and seeded; the printed token works; SIGTERM drains and exits cleanly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../src/data/testDatabase';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

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
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('serves /graphql and /healthz on an embedded, seeded database, and stops on SIGTERM', async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), LOG_LEVEL: 'info', NODE_ENV: 'development' };
    delete env['MONGODB_URI'];
    child = spawn(TSX, [join(ROOT, 'src', 'cli', 'start.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = await waitFor(child, /IOM, statistics analyst[\s\S]*migrants\(first: 3\)/, 120_000);
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

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const stopped = waitFor(child, /"msg":"stopped"/, 30_000);
    child.kill('SIGTERM');
    await stopped;
    expect(await exited).toBe(0);
  }, 180_000);
});
