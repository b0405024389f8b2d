/**
 * The production build as an operator runs it, in a copy of the project of its own:
 * `node tools/build.js --if-stale` (what `npm start` runs first) builds dist/ when there is
 * none; `npm ci --omit=dev` then installs no build tool; `npm run start:prod` (node on
 * the compiled JavaScript) serves /readyz, an authenticated query and the explorer's
 * bundle; a source newer than the build is refused with a message instead of old code
 * running. Also: every package in the lockfile supports the Node version running the
 * tests (what `npm ci` would warn about as EBADENGINE).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, importPKCS8 } from 'jose';
import { satisfies } from 'semver';
import { freePort } from '../../src/dev/testDatabase';

const ROOT = join(__dirname, '..', '..');
/** What a deployment checks out (the repository's runtime files, no tests). */
const COPIED = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'directives', 'schema', 'explorer', 'keys', 'tools'];
const DEV_ONLY = ['tsx', 'typescript', 'jest', 'mongodb-memory-server', '@graphql-codegen/cli', 'esbuild', 'graphiql'];

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 300_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

async function waitForReady(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode}):\n${output().slice(-3000)}`);
    try {
      const response = await fetch(url);
      if (response.status === 200) return response;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs / 1000} s:\n${output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('the lockfile', () => {
  it('holds no package whose engines exclude the running Node (no EBADENGINE on npm ci)', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
    };
    const excluded = Object.entries(lock.packages)
      .filter(([, entry]) => entry.engines && !Array.isArray(entry.engines) && entry.engines.node)
      .filter(([, entry]) => !satisfies(process.version, (entry.engines as { node: string }).node, { includePrerelease: true }))
      .map(([path, entry]) => `${path.replace(/^.*node_modules\//, '')}@${entry.version} wants node ${(entry.engines as { node: string }).node}`);
    expect(excluded).toEqual([]);
  });
});

describe('the production build', () => {
  let project: string;
  let gateway: ChildProcess | undefined;

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'treatygate-production-'));
    for (const entry of COPIED) cpSync(join(ROOT, entry), join(project, entry), { recursive: true });
  });
  afterAll(() => {
    if (gateway && gateway.exitCode === null) gateway.kill('SIGKILL');
    rmSync(project, { recursive: true, force: true });
  });

  it('builds dist/ when there is none, then serves from it after npm ci --omit=dev, and refuses a stale build', async () => {
    // 1. A checkout without dist/: the build step `npm start` runs first builds it.
    symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'), 'dir');
    const built = run(process.execPath, ['tools/build.js', '--if-stale'], project);
    expect(built).toMatchObject({ status: 0 });
    expect(built.output).toMatch(/build: dist\/ has not been built; building/);
    for (const file of ['dist/BUILD', 'dist/src/cli/start.js', 'dist/directives/index.js', 'dist/explorer/index.html']) {
      expect(existsSync(join(project, file))).toBe(true);
    }
    // Up to date: nothing to do, nothing said.
    expect(run(process.execPath, ['tools/build.js', '--if-stale'], project)).toEqual({ status: 0, output: '' });

    // 2. The production install: no build tool, no embedded database, no test runner.
    unlinkSync(join(project, 'node_modules'));
    const install = run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], project);
    expect(install).toMatchObject({ status: 0 });
    expect(install.output).not.toMatch(/EBADENGINE|npm (warn|error)/i);
    for (const name of DEV_ONLY) expect({ name, installed: existsSync(join(project, 'node_modules', name)) }).toEqual({ name, installed: false });

    // 3. The documented production command, with production settings.
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyPath = join(project, 'jwt-public.pem');
    writeFileSync(keyPath, publicKey.export({ type: 'spki', format: 'pem' }));
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? project,
      NODE_ENV: 'production',
      MONGODB_URI: process.env['MONGODB_URI'],
      MONGODB_DB: 'productionBuild',
      PORT: String(port),
      JWT_PUBLIC_KEY: keyPath,
      JWT_ISSUER: 'https://idp.production.test',
      JWT_AUDIENCE: 'treatygate',
      JWT_PARTIES: 'ITA',
      PSEUDONYM_KEY: randomBytes(32).toString('hex'),
      AUDIT_KEY: randomBytes(32).toString('hex'),
      AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      AUDIT_CHECKPOINT_DIR: mkdtempSync(join(tmpdir(), 'tg-checkpoints-')),
    };
    let output = '';
    gateway = spawn('npm', ['run', '--silent', 'start:prod'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    gateway.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    gateway.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const base = `http://127.0.0.1:${port}`;
    try {
      const ready = await waitForReady(`${base}/readyz`, gateway, () => output, 60_000);
      expect(ready.status).toBe(200);

      const token = await new SignJWT({ agency: 'Ministero dell\'Interno', party: 'ITA', clearance: 'STANDARD', roles: ['CASEWORKER'] })
        .setProtectedHeader({ alg: 'ES256' })
        .setSubject('officer-1')
        .setIssuer('https://idp.production.test')
        .setAudience('treatygate')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(await importPKCS8(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'ES256'));
      const me = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ me { party clearance } }' }),
      });
      expect(await me.json()).toEqual({ data: { me: { party: 'ITA', clearance: 'STANDARD' } } });
      // The explorer's bundle was built into dist/ and is served without its dev tooling.
      const explorer = await fetch(`${base}/explorer`);
      expect(explorer.status).toBe(200);
      expect(await explorer.text()).toContain('<script type="module"');
    } finally {
      process.kill(-gateway.pid!, 'SIGTERM');
      await new Promise((resolve) => gateway!.once('exit', resolve));
    }

    // 4. A source newer than the build: `npm start` says so and runs nothing old.
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(project, 'src', 'cli', 'start.ts'), later, later);
    const stale = run('npm', ['start'], project, env);
    expect(stale.status).not.toBe(0);
    expect(stale.output).toContain('dist/ is out of date (src/cli/start.ts is newer than the build)');
    expect(stale.output).toContain('npm ci && npm run build');
    expect(stale.output).not.toContain('treatygate ready');
  }, 300_000);
});
