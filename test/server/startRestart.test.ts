/**
 * `npm start` twice on one data directory, as a user runs it: the first start seeds the
 * demo world into the embedded database; a file is imported with `npm run import`, a data
 * request is submitted and decided; SIGTERM stops it; the second start finds everything
 * still there (no new seed, the imported records, the request, the audit events), and
 * `npm run audit:verify` finds the trail intact. The data directory is a temporary one
 * (TREATYGATE_DATA_DIR), never the project's own.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { signDevToken } from '../../src/dev/devKeys';
import { freePort } from '../../src/dev/testDatabase';

const ROOT = join(__dirname, '..', '..');
/** A JVM start, the demo world generated and imported, on a loaded 2-core machine: only a hang exceeds it. */
const START_DEADLINE_MS = 240_000;
/** npm start exits by itself when draining takes 30 s; the wait leaves it that decision. */
const STOP_DEADLINE_MS = 60_000;

interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

function npmStart(env: NodeJS.ProcessEnv): Started {
  // Its own process group, so that SIGTERM reaches npm and the gateway it runs, as Ctrl-C does.
  const child = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Resolves with the output once `pattern` matches it; fails if the process exits first. */
async function waitForOutput(started: Started, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(started.output())) {
    if (started.child.exitCode !== null) throw new Error(`npm start exited (${started.child.exitCode}) before ${pattern}:\n${started.output().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs / 1000} s:\n${started.output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return started.output();
}

async function stop(started: Started): Promise<void> {
  process.kill(-started.child.pid!, 'SIGTERM');
  await waitForOutput(started, /"msg":"stopped"/, STOP_DEADLINE_MS);
  await started.exited;
}

function embeddedUri(output: string): string {
  const match = /Embedded database \([^)]+\): (\S+)/.exec(output);
  if (!match) throw new Error(`no embedded database URI in:\n${output.slice(-2000)}`);
  return match[1]!;
}

function npmRun(script: string, args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('npm', ['run', '--silent', script, '--', ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 180_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm start, stop, npm start: the embedded database keeps its data', () => {
  let dataDir: string;
  let running: Started | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'treatygate-start-'));
    env = { ...process.env, PORT: String(await freePort()), TREATYGATE_DATA_DIR: dataDir, LOG_LEVEL: 'info', NODE_ENV: 'development' };
    delete env['MONGODB_URI'];
  });
  afterAll(async () => {
    if (running && running.child.exitCode === null) {
      process.kill(-running.child.pid!, 'SIGKILL');
      await running.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps imports, a data request and the audit trail across a restart; audit:verify passes', async () => {
    const base = `http://127.0.0.1:${env['PORT']}`;
    const graphql = async (token: string, purpose: string, body: object): Promise<{ data?: any; errors?: unknown[] }> => {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'x-agreement-id': 'AGR-ITA-NGA-READMISSION-2023',
          'x-purpose': purpose,
        },
        body: JSON.stringify(body),
      });
      return (await response.json()) as { data?: any; errors?: unknown[] };
    };
    const nga = await signDevToken({ party: 'NGA', clearance: 'STANDARD', roles: ['CASEWORKER'] });
    const ita = await signDevToken({ party: 'ITA', clearance: 'STANDARD', roles: ['DATA_CONTROLLER'] });

    // 1. The first start: seeded, served, the database's URI printed.
    running = npmStart(env);
    const first = await waitForOutput(running, /IOM, statistics analyst[\s\S]*statistics\(groupBy: \[NATIONALITY\]\)[^\n]*\n/, START_DEADLINE_MS);
    expect(first).toContain(`Treatygate is serving GraphQL at ${base}/graphql`);
    expect(first).toMatch(/seeded the demo world/);
    expect(first).toContain(dataDir);
    const uri = embeddedUri(first);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    // 2. Import the fixture into it, as the welcome text says.
    const imported = npmRun('import', ['test/fixtures/small-world.json'], { ...env, MONGODB_URI: uri });
    expect(imported).toMatchObject({ status: 0 });
    expect(imported.stdout).toMatch(/imported \d+ parties/);

    // 3. A data request, submitted by Nigeria and approved by Italy.
    const found = await graphql(nga, 'RETURN_AND_READMISSION', {
      query: '{ migrants(first: 5, filter: { holder: "ITA", nationality: "NGA" }) { edges { node { id } } } }',
    });
    const subject = found.data.migrants.edges[0].node.id as string;
    const submitted = await graphql(nga, 'LAW_ENFORCEMENT', {
      query: 'mutation ($input: SubmitDataRequestInput!) { submitDataRequest(input: $input) { id status } }',
      variables: {
        input: {
          agreementId: 'AGR-ITA-NGA-READMISSION-2023',
          requestedParty: 'ITA',
          purpose: 'LAW_ENFORCEMENT',
          subjectIds: [subject],
          categories: ['IDENTITY'],
          justification: 'Case NG-EFCC-2026-7',
          validDays: 30,
        },
      },
    });
    expect(submitted.errors).toBeUndefined();
    const requestId = submitted.data.submitDataRequest.id as string;
    const decided = await graphql(ita, 'LAW_ENFORCEMENT', {
      query: 'mutation ($id: ID!) { decideDataRequest(id: $id, decision: APPROVE) { status } }',
      variables: { id: requestId },
    });
    expect(decided.data).toEqual({ decideDataRequest: { status: 'APPROVED' } });

    const client = new MongoClient(uri);
    let before: { migrants: number; fixtureMigrant: number; auditEvents: number };
    try {
      const db = client.db('treatygate');
      before = {
        migrants: await db.collection('migrants').countDocuments(),
        fixtureMigrant: await db.collection('migrants').countDocuments({ _id: 'm-0001' as never }),
        auditEvents: await db.collection('auditEvents').countDocuments(),
      };
    } finally {
      await client.close();
    }
    expect(before.fixtureMigrant).toBe(1);
    expect(before.auditEvents).toBeGreaterThan(0);

    // 4. Stop: SIGTERM drains and stops the embedded database with the gateway.
    await stop(running);

    // 5. The second start: nothing seeded, everything still there.
    running = npmStart(env);
    const second = await waitForOutput(running, /IOM, statistics analyst[\s\S]*statistics\(groupBy: \[NATIONALITY\]\)[^\n]*\n/, START_DEADLINE_MS);
    expect(second).not.toMatch(/seeded the demo world/);
    expect(second).toMatch(/using the data already in the embedded database/);
    const uriAgain = embeddedUri(second);
    const again = new MongoClient(uriAgain);
    try {
      const db = again.db('treatygate');
      expect(await db.collection('migrants').countDocuments()).toBe(before.migrants);
      expect(await db.collection('migrants').countDocuments({ _id: 'm-0001' as never })).toBe(1);
      // The events written before the restart, and the ones the checks above add.
      expect(await db.collection('auditEvents').countDocuments()).toBeGreaterThanOrEqual(before.auditEvents);
    } finally {
      await again.close();
    }
    const requests = await graphql(nga, 'LAW_ENFORCEMENT', { query: '{ dataRequests { id status } }' });
    expect(requests.data.dataRequests).toEqual(expect.arrayContaining([{ id: requestId, status: 'APPROVED' }]));

    const verified = npmRun('audit:verify', [], { ...env, MONGODB_URI: uriAgain });
    expect(verified).toMatchObject({ status: 0 });
    expect(verified.stdout).toMatch(/^audit trail intact: \d+ events/m);

    await stop(running);
  }, 2 * START_DEADLINE_MS + 2 * STOP_DEADLINE_MS + 240_000);
});
