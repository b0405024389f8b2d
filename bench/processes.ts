/**
 * Child processes of the bench: TypeScript entries run by node with tsx's loader (one
 * process each, no wrapper), their output, and their end.
 *
 * Contracts:
 * - Every child spawned through a `Children` set is ended by `stopAll()` (SIGTERM, then
 *   SIGKILL after a grace period) and, should the bench die without it, by
 *   `killAllNow()` from the bench's `exit` handler.
 * - A child's standard input is a pipe from the bench; bench entries call
 *   `exitWhenParentGoes()`, so closing that pipe (the bench exiting in any way, even
 *   SIGKILL) ends them too: no orphan survives the bench.
 * - A child's output is always drained (a full pipe would stall it); the last few
 *   kilobytes of standard error are kept for error messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { StartedDatabase } from '../src/dev/testDatabase';

export const PROJECT_ROOT = join(__dirname, '..');

const STDERR_TAIL = 4_000;
const STOP_GRACE_MS = 3_000;

export interface BenchChild {
  readonly name: string;
  readonly process: ChildProcess;
  /** Everything written to standard output so far. */
  stdout(): string;
  /** The last few kilobytes of standard error. */
  stderrTail(): string;
  /** Resolves with the exit code (or signal name) once the child has exited. */
  readonly exited: Promise<number | string>;
}

/** The set of children one bench run owns. */
export class Children {
  private readonly live = new Set<BenchChild>();

  /** Runs `script` (a path under the project root) with tsx's loader. */
  spawnTs(name: string, script: string, args: readonly string[], env: NodeJS.ProcessEnv): BenchChild {
    const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, script), ...args], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const bench = observe(name, child);
    this.live.add(bench);
    void bench.exited.then(() => this.live.delete(bench));
    return bench;
  }

  /** Ends every live child: SIGTERM, then SIGKILL for any still running after the grace period. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.live].map((child) => stopChild(child)));
  }

  /** Synchronous last resort (for `process.on('exit')`): SIGKILL to every live child. */
  killAllNow(): void {
    for (const child of this.live) child.process.kill('SIGKILL');
  }
}

/** Ends `child`: closes its standard input, sends SIGTERM, and SIGKILL after the grace period. */
export async function stopChild(child: BenchChild): Promise<void> {
  const { process: proc } = child;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const force = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
  proc.stdin?.end();
  proc.kill('SIGTERM');
  await child.exited;
  clearTimeout(force);
}

/** Resolves with the first match of `pattern` in the child's standard output; rejects on exit or timeout. */
export function waitForLine(child: BenchChild, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const match = child.stdout().match(pattern);
      if (match) finish(() => resolve(match));
      return match !== null;
    };
    const onData = (): void => void check();
    const timer = setTimeout(() => finish(() => reject(failure(child, `no ready line within ${timeoutMs} ms`))), timeoutMs);
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      child.process.stdout?.off('data', onData);
      settle();
    };
    if (check()) return;
    child.process.stdout?.on('data', onData);
    void child.exited.then((code) => finish(() => reject(failure(child, `exited (${code}) before it was ready`))));
  });
}

/** Resolves with the child's whole standard output once it exits with code 0; rejects otherwise or on timeout. */
export async function outputOf(child: BenchChild, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      child.process.kill('SIGKILL');
      reject(failure(child, `did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    const code = await Promise.race([child.exited, timeout]);
    if (code !== 0) throw failure(child, `exited with ${code}`);
    return child.stdout();
  } finally {
    clearTimeout(timer);
  }
}

/**
 * For bench entries: calls `onGone` when the parent closes our standard input (the
 * parent exited or is stopping us), and on SIGTERM and SIGINT.
 */
export function exitWhenParentGoes(onGone: () => void): void {
  let called = false;
  const once = (): void => {
    if (called) return;
    called = true;
    onGone();
  };
  process.stdin.on('end', once);
  process.stdin.on('error', once);
  process.stdin.resume();
  process.on('SIGTERM', once);
  process.on('SIGINT', once);
}

function observe(name: string, child: ChildProcess): BenchChild {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
  });
  // The child may exit while we still write to its stdin; that is not an error of ours.
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', () => resolve('spawn error'));
  });
  return { name, process: child, stdout: () => stdout, stderrTail: () => stderr, exited };
}

function failure(child: BenchChild, what: string): Error {
  const tail = child.stderrTail().trim();
  return new Error(`${child.name} ${what}${tail ? `; stderr:\n${tail}` : ''}`);
}

/** What a supervised run owns: its children and, once started, its database. */
export interface SupervisedRun {
  readonly children: Children;
  readonly state: { database: StartedDatabase | null };
  /** Stops every child, then the database; once, however often it is called. */
  cleanup(): Promise<void>;
}

/**
 * Supervision shared by the bench entries: on SIGINT, SIGTERM or after `limitMs`, stop
 * everything and exit (130, 143, 1); on any exit, kill what is left at once.
 */
export function superviseRun(log: (message: string) => void, limitMs: number): SupervisedRun {
  const children = new Children();
  const state: SupervisedRun['state'] = { database: null };
  let cleaning: Promise<void> | null = null;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      await children.stopAll();
      await state.database?.stop();
    })());
  const abort = (why: string, code: number): void => {
    // A signal may arrive twice (from the terminal's process group and relayed by tsx).
    if (cleaning) return;
    log(why);
    void cleanup().finally(() => process.exit(code));
  };
  process.on('exit', () => children.killAllNow());
  process.on('SIGINT', () => abort('interrupted: stopping', 130));
  process.on('SIGTERM', () => abort('terminated: stopping', 143));
  setTimeout(() => abort(`still running after ${limitMs / 1_000} s: stopping`, 1), limitMs).unref();
  return { children, state, cleanup };
}

/**
 * Serves a bench server: listens on `host:port` (0: a free port), stops it and exits when
 * the parent goes (the bench measures, it does not drain: whatever is in flight is left
 * at once), and prints the ready line the runner waits for
 * (`treatygate-bench ready mode=<mode> port=<port>`).
 */
export async function serveBench(server: Server, options: { host: string; port: number; mode: string; stop(): Promise<unknown> }): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  exitWhenParentGoes(() => {
    server.closeAllConnections();
    server.close();
    void Promise.allSettled([options.stop()]).then(() => process.exit(0));
    setTimeout(() => process.exit(0), 1_000).unref();
  });
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`treatygate-bench ready mode=${options.mode} port=${port}\n`);
}
