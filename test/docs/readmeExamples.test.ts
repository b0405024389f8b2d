/**
 * Every shell example in README.md works when pasted.
 *
 * The test reads README.md and takes every fenced block marked `sh` (or `bash`, `shell`,
 * `zsh`). Each block is sorted by the commands it contains:
 *
 * - **run**: it calls the gateway or its command-line tools: `curl` to the gateway's URL
 *   (`http://127.0.0.1:4000/...`), or `npm run` of one of the scripts in RUNNERS below
 *   (`token`, `import`, `seed`, `audit:verify`, `example:integrator`);
 * - **not run**, with the reason: blocks whose every command is in NOT_RUN below
 *   (`npm ci`, `npm start`, `npm test`, the benchmarks, ...), and blocks of settings only
 *   (`NAME=value` lines, no command). Each appears as a test of its own naming the reason;
 * - anything else fails the test: an `npm run` script with no runner, a URL or database
 *   URI other than the ones substituted below, a block mixing commands that are run with
 *   commands that are not, or a block with no recognised command at all. A new example
 *   therefore needs a runner (or a reason not to run it) before the suite passes.
 *
 * The blocks that are run, run with bash, one session per README section (the nearest
 * heading above the block), in README order, as a new terminal would: `set -euo pipefail`,
 * the working directory a stand-in for the checkout's root (links to its directories,
 * copies of its files, so that files the examples write, such as `schema.graphql`, land in
 * a temporary directory), no MONGODB_URI, NODE_ENV or npm_* variables inherited. The text is run as
 * written, with exactly two substitutions:
 *
 *   `127.0.0.1:4000`            -> the address of the gateway this test started
 *   `mongodb://127.0.0.1:27017` -> the test database server (jest's global setup)
 *
 * and the environment sets GATEWAY_URL (the integrator's own setting for the same
 * address) and MONGODB_DB (a database of the section's own, so an example that imports
 * or seeds cannot change the world the gateway serves to other sections).
 *
 * The gateway is the shared fixture (test/fixtures/small-world.json) at 2025-06-01, the
 * date the other fixture tests use, verifying tokens with the development keys, as
 * `npm run token` signs them. A recording proxy in front of it attributes each HTTP
 * exchange to the block that made it, and each block must:
 *
 * 1. exit 0 (with `set -e`, every command in it must succeed);
 * 2. make at least one request if it addresses the gateway;
 * 3. get an answer with HTTP 2xx and no `errors` to every request, unless one of the
 *    block's `# → ...` result comments matches that answer (a refusal shown as such);
 * 4. show what its result comments say: a comment `# → { "status": "PENDING" }` must
 *    match an object in one of the block's JSON answers (the keys it names, `…` inside a
 *    string matching anything); a comment that is not JSON must appear in the block's
 *    output (again with `…` as a wildcard);
 * 5. print what each of its `npm run` commands prints on success (when not captured by
 *    `$(...)`): tokens the gateway accepts for the party asked for, `imported ...`,
 *    `seeded ...`, `audit trail intact ...`, `Caller: ...`.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { graphql, startTestGateway, type TestGateway } from '../support/testGateway';

const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const JUNE_2025 = new Date('2025-06-01T12:00:00Z');
const DB_PREFIX = 'test_docs_readme';

/** The gateway address the README's examples use, replaced by the test gateway's. */
const README_GATEWAY = '127.0.0.1:4000';
/** The database URI the README's examples use, replaced by the test database server's. */
const README_DATABASE = 'mongodb://127.0.0.1:27017';

/** Fence languages that mark a shell example. */
const SHELL_LANGUAGES = new Set(['sh', 'bash', 'shell', 'zsh']);

/** What a command prints on success when its output is not captured by `$(...)`. */
type Expectation = RegExp | 'tokens';

/** The commands the test can run: the gateway's command-line tools (curl is handled by URL). */
const RUNNERS: Readonly<Record<string, { stdout: Expectation; needsGateway: boolean }>> = {
  'npm run token': { stdout: 'tokens', needsGateway: false },
  'npm run import': { stdout: /^\S+: imported \d+ parties/m, needsGateway: false },
  'npm run seed': { stdout: /^(seeded \d+ migrants|wrote \S+: \d+ migrants)/m, needsGateway: false },
  'npm run audit:verify': { stdout: /^audit trail intact: \d+ events/m, needsGateway: false },
  'npm run example:integrator': { stdout: /^Caller: /m, needsGateway: true },
};

/** Commands the test does not run, and why. */
const NOT_RUN: Readonly<Record<string, string>> = {
  'npm ci': 'installs the dependencies (the test runs in the installed checkout)',
  'npm install': 'installs the dependencies (the test runs in the installed checkout)',
  'npm start':
    'starts a gateway of its own on port 4000 and serves until stopped (test/server/start.test.ts runs it end to end; this test starts a gateway on the fixture instead)',
  'npm test': 'runs the whole suite, this test included',
  'npm run bench': 'a benchmark: minutes of load on every core',
  'npm run bench:stats': 'a benchmark: minutes of load on every core',
  'npm run bench:audit': 'a benchmark: writes and verifies hundreds of thousands of audit events',
  'npm run bench:suppression': 'a benchmark: protects every table of the demo world (about a minute of CPU)',
  'npm run soak': 'a soak test: a minute and more of load on every core',
  'npm run db:serve': 'starts a database and serves until stopped',
  'npm run db:install': 'downloads the database server',
  'npm run build': 'builds the project (run by the scripts that need it)',
  'npm run build:explorer': 'builds the explorer bundle',
  'npm run codegen': 'rewrites generated files in the checkout',
  'npm run codegen:check': 'part of npm test',
  'npm run typecheck': 'part of npm test',
  'npm run test:unit': 'runs the fast tier of the suite (part of npm test)',
  'npm run start:prod': 'serves a production gateway until stopped (test/server/productionBuild.test.ts runs it)',
  'npm run db:wipe': "deletes the embedded database's data directory (test/data/ tests it)",
};

// ---------------------------------------------------------------------------------
// The README's shell blocks and what each needs
// ---------------------------------------------------------------------------------

interface ShellBlock {
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The nearest heading above the block. */
  readonly section: string;
  readonly sectionLine: number;
  readonly text: string;
}

type Plan =
  | { readonly kind: 'run'; readonly commands: readonly string[] }
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'problem'; readonly problem: string };

function shellBlocks(markdown: string): ShellBlock[] {
  const lines = markdown.split('\n');
  const blocks: ShellBlock[] = [];
  let section = '(before the first heading)';
  let sectionLine = 1;
  let fence: { marker: string; language: string; line: number; body: string[] } | null = null;
  lines.forEach((line, index) => {
    if (fence) {
      const close = /^\s{0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (close && close[1]![0] === fence.marker[0] && close[1]!.length >= fence.marker.length) {
        if (SHELL_LANGUAGES.has(fence.language)) blocks.push({ line: fence.line, section, sectionLine, text: fence.body.join('\n') });
        fence = null;
      } else {
        fence.body.push(line);
      }
      return;
    }
    const open = /^\s{0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(line);
    if (open) {
      fence = { marker: open[1]!, language: open[2]!.toLowerCase(), line: index + 1, body: [] };
      return;
    }
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      section = heading[1]!;
      sectionLine = index + 1;
    }
  });
  return blocks;
}

/** The block without its comments (a `#` that starts a word outside quotes, to the end of its line). */
function withoutComments(text: string): string {
  let out = '';
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      out += c;
    } else if (c === '\\' && i + 1 < text.length) {
      out += c + text[i + 1]!;
      i++;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      out += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      out += c;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else {
      out += c;
    }
  }
  return out;
}

interface CommandUse {
  readonly command: string;
  readonly index: number;
  /** Inside `$(...)`: its output is captured, not printed. */
  readonly captured: boolean;
}

/** The `npm` commands of a block (comments removed), normalised to `npm start`, `npm run token`, ... */
function npmCommands(code: string): CommandUse[] {
  const uses: CommandUse[] = [];
  const pattern = /(^|[\s;&|(`])npm\s+(?:(run|run-script)\s+(?:(?:--silent|-s)\s+)?([^\s;&|)]+)|([a-z][\w-]*))/g;
  for (let match = pattern.exec(code); match; match = pattern.exec(code)) {
    const script = match[3];
    let command = script !== undefined ? `npm run ${script}` : `npm ${match[4]!}`;
    if (command === 'npm run start' || command === 'npm run test') command = `npm ${script!}`;
    if (command === 'npm i') command = 'npm install';
    if (command === 'npm t') command = 'npm test';
    const index = match.index + match[1]!.length;
    const before = code.slice(0, index);
    const opened = before.lastIndexOf('$(');
    uses.push({ command, index, captured: opened >= 0 && !before.slice(opened).includes(')') });
  }
  return uses;
}

function planFor(block: ShellBlock): Plan {
  const code = withoutComments(block.text);
  const commands = npmCommands(code);
  const urls = [...code.matchAll(/\bhttps?:\/\/[^\s'"`)]+/g)].map((m) => m[0]);
  const databases = [...code.matchAll(/\bmongodb(?:\+srv)?:\/\/[^\s'"`]*/g)].map((m) => m[0]);
  const callsGateway = urls.some((url) => url.startsWith(`http://${README_GATEWAY}/`));
  const usesCurl = /(^|[\s;&|(`])(curl|wget)\s/.test(code);
  const run = commands.filter((c) => c.command in RUNNERS).map((c) => c.command);
  const skipped = commands.filter((c) => c.command in NOT_RUN).map((c) => c.command);
  const unknown = commands.filter((c) => !(c.command in RUNNERS) && !(c.command in NOT_RUN)).map((c) => c.command);

  if (unknown.length > 0) return { kind: 'problem', problem: `no runner for ${[...new Set(unknown)].join(', ')}: add one to RUNNERS, or a reason to NOT_RUN` };
  if (run.length > 0 || callsGateway || usesCurl) {
    const otherUrls = urls.filter((url) => !url.startsWith(`http://${README_GATEWAY}/`));
    if (otherUrls.length > 0) return { kind: 'problem', problem: `no runner for ${otherUrls.join(', ')}: examples address the gateway as http://${README_GATEWAY}/` };
    const otherDatabases = databases.filter((uri) => uri !== README_DATABASE);
    if (otherDatabases.length > 0) return { kind: 'problem', problem: `no runner for ${otherDatabases.join(', ')}: examples name the database as ${README_DATABASE}` };
    if (skipped.length > 0) return { kind: 'problem', problem: `calls the gateway but also runs ${[...new Set(skipped)].join(', ')}, which this test does not run: split the block` };
    return { kind: 'run', commands: [...new Set([...(callsGateway || usesCurl ? ['curl'] : []), ...run])] };
  }
  if (skipped.length > 0) return { kind: 'skip', reason: [...new Set(skipped)].map((c) => `${c}: ${NOT_RUN[c]!}`).join('; ') };
  const statements = code.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  if (statements.length > 0 && statements.every((l) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(l))) {
    return { kind: 'skip', reason: "settings for the gateway's environment (NAME=value lines, with placeholders), no command" };
  }
  return { kind: 'problem', problem: 'no recognised command: add a runner or a reason not to run it' };
}

const BLOCKS = shellBlocks(README).map((block) => ({ block, plan: planFor(block) }));

interface Section {
  readonly title: string;
  readonly line: number;
  readonly blocks: { block: ShellBlock; commands: readonly string[] }[];
}

const SECTIONS: Section[] = [];
for (const { block, plan } of BLOCKS) {
  if (plan.kind !== 'run') continue;
  let section = SECTIONS.find((s) => s.line === block.sectionLine);
  if (!section) SECTIONS.push((section = { title: block.section, line: block.sectionLine, blocks: [] }));
  section.blocks.push({ block, commands: plan.commands });
}

// ---------------------------------------------------------------------------------
// Result comments (`# → ...`)
// ---------------------------------------------------------------------------------

type Shown = { readonly text: string; readonly json: true; readonly pattern: unknown } | { readonly text: string; readonly json: false; readonly pattern: RegExp };

/** A string with `…` as a wildcard, as a regular expression. */
function wildcard(text: string, anchored: boolean): RegExp {
  const body = text
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*');
  return new RegExp(anchored ? `^${body}$` : body);
}

/** The JSON value at the start of `text` (balanced brackets, strings respected), or null. */
function leadingJson(text: string): string | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return text.slice(0, i + 1);
    }
  }
  return null;
}

function shownResults(block: ShellBlock): { shown: Shown[]; problems: string[] } {
  const shown: Shown[] = [];
  const problems: string[] = [];
  for (const line of block.text.split('\n')) {
    const comment = /(?:^|\s)#\s*→\s*(.*)$/.exec(line);
    if (!comment) continue;
    const text = comment[1]!.trim();
    if (text.startsWith('{') || text.startsWith('[')) {
      const json = leadingJson(text);
      try {
        shown.push({ text, json: true, pattern: JSON.parse(json ?? '') as unknown });
      } catch {
        problems.push(`result comment "# → ${text}" starts like JSON but is not JSON`);
      }
    } else {
      shown.push({ text, json: false, pattern: wildcard(text, false) });
    }
  }
  return { shown, problems };
}

/** `value` has everything `pattern` names: the keys of objects, arrays element by element, `…` in strings. */
function matches(pattern: unknown, value: unknown): boolean {
  if (typeof pattern === 'string') return typeof value === 'string' && wildcard(pattern, true).test(value);
  if (pattern === null || typeof pattern !== 'object') return pattern === value;
  if (Array.isArray(pattern)) return Array.isArray(value) && value.length === pattern.length && pattern.every((p, i) => matches(p, value[i]));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return Object.entries(pattern as Record<string, unknown>).every(([key, p]) => key in record && matches(p, record[key]));
}

/** `pattern` matches `value` or any value nested in it. */
function containsMatch(pattern: unknown, value: unknown): boolean {
  if (matches(pattern, value)) return true;
  return value !== null && typeof value === 'object' && Object.values(value).some((v) => containsMatch(pattern, v));
}

// ---------------------------------------------------------------------------------
// The recording proxy in front of the gateway
// ---------------------------------------------------------------------------------

interface Exchange {
  readonly block: number;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly body: string;
  readonly json: unknown;
}

interface RecordingProxy {
  readonly address: string;
  readonly exchanges: Exchange[];
  /** Where the running session writes the index of the block it is in. */
  stateFile: string | null;
  close(): Promise<void>;
}

/** Forwards everything to `target` and records each exchange with the block the session is in. */
async function startRecordingProxy(target: URL): Promise<RecordingProxy> {
  const proxy: RecordingProxy = {
    address: '',
    exchanges: [],
    stateFile: null,
    close: async () => undefined,
  };
  const currentBlock = (): number => {
    try {
      return proxy.stateFile ? Number(readFileSync(proxy.stateFile, 'utf8')) : -1;
    } catch {
      return -1;
    }
  };
  const server: Server = createServer((req, res) => {
    const block = currentBlock();
    const headers: IncomingHttpHeaders = { ...req.headers, host: target.host };
    delete headers['accept-encoding']; // plain answers, to read them
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = raw.toString('utf8');
        let json: unknown = undefined;
        if (/json/.test(String(answer.headers['content-type']))) {
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
        }
        proxy.exchanges.push({ block, method: req.method ?? '?', path: req.url ?? '?', status: answer.statusCode ?? 0, body, json });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.end(raw);
      });
    });
    upstream.on('error', (error) => {
      proxy.exchanges.push({ block, method: req.method ?? '?', path: req.url ?? '?', status: 502, body: error.message, json: undefined });
      res.writeHead(502).end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

// ---------------------------------------------------------------------------------
// Running a section
// ---------------------------------------------------------------------------------

interface SessionResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The block the session was in when it ended (its length when it finished them all). */
  readonly lastBlock: number;
  readonly stdout: string[];
  readonly stderr: string[];
  readonly sessionErr: string;
}

const SESSION_TIMEOUT_MS = 240_000;

/** A fresh terminal's environment: nothing of the test run's database, mode or npm invocation. */
function sessionEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const inherited = /^(npm_|JEST_|MONGODB_|TREATYGATE_|GATEWAY_URL$|AGREEMENT_ID$|PURPOSE$|DATA_REQUEST_ID$|NODE_ENV$|PORT$|HOST$|BASH_ENV$|ENV$|INIT_CWD$)/;
  for (const [key, value] of Object.entries(process.env)) if (!inherited.test(key) && value !== undefined) env[key] = value;
  return { ...env, ...extra };
}

/** Runs the blocks in one bash session; each block's output goes to files of its own. */
async function runSession(texts: readonly string[], workspace: string, stateDir: string, env: NodeJS.ProcessEnv): Promise<SessionResult> {
  const state = (name: string) => `'${join(stateDir, name)}'`;
  const script = ['set -euo pipefail'];
  texts.forEach((text, i) => {
    script.push(`printf '%s' ${i} > ${state('current')}`, '{', text, `} > ${state(`${i}.out`)} 2> ${state(`${i}.err`)}`);
  });
  script.push(`printf '%s' ${texts.length} > ${state('current')}`, '');
  const scriptPath = join(stateDir, 'session.sh');
  writeFileSync(scriptPath, script.join('\n'));
  writeFileSync(join(stateDir, 'current'), '-1');

  const child = spawn('bash', [scriptPath], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let sessionErr = '';
  child.stdout.on('data', (chunk: Buffer) => (sessionErr += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (sessionErr += chunk.toString()));
  const timer = setTimeout(() => {
    sessionErr += `\n(session killed after ${SESSION_TIMEOUT_MS} ms)`;
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  }, SESSION_TIMEOUT_MS);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  const read = (name: string) => {
    try {
      return readFileSync(join(stateDir, name), 'utf8');
    } catch {
      return '';
    }
  };
  return {
    code,
    signal,
    lastBlock: Number(read('current')),
    stdout: texts.map((_, i) => read(`${i}.out`)),
    stderr: texts.map((_, i) => read(`${i}.err`)),
    sessionErr,
  };
}

/** The text as pasted, with the two documented substitutions. */
function substitute(text: string, gatewayAddress: string, databaseUri: string): string {
  return text.split(README_GATEWAY).join(gatewayAddress).split(README_DATABASE).join(databaseUri);
}

const excerpt = (text: string, max = 1500) => (text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text);

/** What is wrong with block `i` of a section after its session ran (nothing: []). */
async function blockProblems(i: number, block: ShellBlock, commands: readonly string[], result: SessionResult, mine: readonly Exchange[]): Promise<string[]> {
  if (i > result.lastBlock) return ['not reached: an earlier block of the section failed'];
  if (i === result.lastBlock) return [`exited with ${result.code ?? result.signal} (under set -euo pipefail)`];
  const problems: string[] = [];
  const stdout = result.stdout[i]!;
  const { shown, problems: commentProblems } = shownResults(block);
  problems.push(...commentProblems);
  const addressesGateway = commands.includes('curl') || commands.some((c) => RUNNERS[c]?.needsGateway);
  if (addressesGateway && mine.length === 0) problems.push('calls the gateway but made no request');
  for (const exchange of mine) {
    const asShown = shown.some((s) => s.json && exchange.json !== undefined && containsMatch(s.pattern, exchange.json));
    const errors = (exchange.json as { errors?: unknown } | undefined)?.errors;
    if (!asShown && (exchange.status < 200 || exchange.status > 299 || errors !== undefined)) {
      problems.push(`${exchange.method} ${exchange.path} answered ${exchange.status} ${excerpt(exchange.body, 600)}`);
    }
  }
  for (const s of shown) {
    const found = s.json ? mine.some((e) => e.json !== undefined && containsMatch(s.pattern, e.json)) : s.pattern.test(stdout);
    if (!found) problems.push(`nothing ${s.json ? 'answered' : 'printed'} matches the result comment "# → ${s.text}"`);
  }
  // What each npm command prints on success, unless its output is captured by $(...).
  const code = withoutComments(block.text);
  const printed = npmCommands(code).filter((use) => !use.captured && use.command in RUNNERS);
  for (const command of new Set(printed.map((use) => use.command))) {
    const expectation = RUNNERS[command]!.stdout;
    if (expectation === 'tokens') continue;
    const count = printed.filter((use) => use.command === command).length;
    const found = stdout.match(new RegExp(expectation.source, 'gm'))?.length ?? 0;
    if (found < count) problems.push(`${command} should print ${expectation} (${count} time(s)), printed it ${found} time(s)`);
  }
  const tokenCommands = printed.filter((use) => use.command === 'npm run token');
  if (tokenCommands.length > 0) {
    const parties = tokenCommands.map((use) => /--party[\s=]+([A-Z0-9]+)/.exec(code.slice(use.index).split('\n')[0]!)?.[1]);
    const tokens = stdout
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(line));
    if (tokens.length !== tokenCommands.length) problems.push(`${tokenCommands.length} npm run token command(s) printed ${tokens.length} token(s)`);
    for (const [t, token] of tokens.entries()) {
      const reply = await graphql(tg.url, { query: '{ me { party } }', token });
      const party = (reply.body.data?.['me'] as { party?: string } | undefined)?.party;
      if (reply.status !== 200 || party !== parties[t]) problems.push(`token ${t + 1} is not accepted for party ${parties[t]}: ${reply.status} ${JSON.stringify(reply.body)}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------

let tg: TestGateway;
let proxy: RecordingProxy;
let workspace: string;
const databases: string[] = [];

beforeAll(async () => {
  tg = await startTestGateway({ dbName: DB_PREFIX, fixture: true, clock: () => JUNE_2025 });
  proxy = await startRecordingProxy(new URL(tg.url));
  // The checkout as the examples' working directory: links to its directories (and to
  // dist/, which the scripts may build during the run), copies of its top-level files, so
  // that a file an example writes (schema.graphql, world.json) never replaces the checkout's.
  workspace = mkdtempSync(join(tmpdir(), 'treatygate-readme-'));
  for (const name of new Set([...readdirSync(ROOT), 'dist'])) {
    const from = join(ROOT, name);
    if (existsSync(from) && !statSync(from).isDirectory()) copyFileSync(from, join(workspace, name));
    else symlinkSync(from, join(workspace, name));
  }
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  for (const name of databases) await tg?.client.db(name).dropDatabase();
  await tg?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

describe('README.md shell examples', () => {
  it('finds the shell examples, and every one that calls the gateway has a runner', () => {
    expect(SECTIONS.length).toBeGreaterThan(0);
    const problems = BLOCKS.filter(({ plan }) => plan.kind === 'problem').map(
      ({ block, plan }) => `README line ${block.line} ("${block.section}"): ${(plan as { problem: string }).problem}\n${block.text}`,
    );
    expect(problems).toEqual([]);
  });

  const skipped = BLOCKS.filter(({ plan }) => plan.kind === 'skip');
  if (skipped.length > 0) it.each(skipped.map(({ block, plan }) => [block.line, block.section, (plan as { reason: string }).reason]))(
    'does not run the block at README line %i ("%s"): %s',
    (_line, _section, reason) => {
      expect(reason).not.toBe('');
    },
  );

  if (SECTIONS.length > 0) it.each(SECTIONS.map((section) => [section.title, section.line, section.blocks.length, section] as const))(
    'section "%s" (line %i): its %i block(s) work when pasted',
    async (_title, _line, _count, section) => {
      const databaseUri = process.env['MONGODB_URI']!;
      const dbName = `${DB_PREFIX}_${section.line}`;
      databases.push(dbName);
      const stateDir = join(workspace, '.readme-session', String(section.line));
      mkdirSync(stateDir, { recursive: true });
      proxy.stateFile = join(stateDir, 'current');
      const first = proxy.exchanges.length;
      const env = sessionEnv({ MONGODB_DB: dbName, GATEWAY_URL: `http://${proxy.address}/graphql` });
      const result = await runSession(
        section.blocks.map(({ block }) => substitute(block.text, proxy.address, databaseUri)),
        workspace,
        stateDir,
        env,
      );
      proxy.stateFile = null;
      const exchanges = proxy.exchanges.slice(first);

      const problems: string[] = [];
      for (const [i, { block, commands }] of section.blocks.entries()) {
        const found = await blockProblems(i, block, commands, result, exchanges.filter((e) => e.block === i));
        if (found.length === 0) continue;
        const transcript =
          `--- block ---\n${block.text}\n--- stdout ---\n${excerpt(result.stdout[i]!)}\n--- stderr ---\n${excerpt(result.stderr[i]!)}\n--- requests ---\n` +
          exchanges
            .filter((e) => e.block === i)
            .map((e) => `${e.method} ${e.path} -> ${e.status} ${excerpt(e.body, 400)}`)
            .join('\n') +
          (i === result.lastBlock ? `\n--- session ---\n${excerpt(result.sessionErr)}` : '');
        problems.push(`README line ${block.line}:\n${found.map((p) => `- ${p}`).join('\n')}\n${transcript}`);
      }
      // Thrown rather than compared, so that the transcripts read as text.
      if (problems.length > 0) throw new Error(`${problems.length} block(s) of "${section.title}" do not work when pasted:\n\n${problems.join('\n\n')}`);
    },
    SESSION_TIMEOUT_MS + 30_000,
  );
});
