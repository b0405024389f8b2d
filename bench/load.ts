/**
 * The load generator, run in a process of its own so that it doesn't share an event
 * loop with what it measures: `tsx bench/load.ts '<LoadSpec as JSON>'`.
 *
 * Contract: runs autocannon once with the spec and prints exactly one line on standard
 * output, a `LoadResult` as JSON; exits 0 even when requests failed (the caller decides
 * what a failed request means), non-zero only when it could not run at all.
 */
import autocannon from 'autocannon';
import { exitWhenParentGoes } from './processes';

export interface LoadSpec {
  readonly url: string;
  readonly seconds: number;
  readonly connections: number;
  readonly method: 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface LoadResult {
  /** Mean of autocannon's per-second samples of completed requests. */
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Completed requests (any status). */
  readonly requests: number;
  readonly non2xx: number;
  /** Connection errors, timeouts included. */
  readonly errors: number;
  readonly timeouts: number;
  /** Mean response bytes per second. */
  readonly bytesPerSecond: number;
  readonly durationSeconds: number;
}

/** Runs one load and summarises it. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds,
    method: spec.method,
    headers: { ...spec.headers },
    body: spec.body,
    timeout: 10,
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    bytesPerSecond: result.throughput.average,
    durationSeconds: result.duration,
  };
}

function parseSpec(text: string | undefined): LoadSpec {
  if (!text) throw new Error('usage: tsx bench/load.ts \'<LoadSpec JSON>\'');
  const spec = JSON.parse(text) as LoadSpec;
  if (typeof spec.url !== 'string' || !(spec.seconds > 0) || !(spec.connections > 0)) {
    throw new Error('the load spec needs url, seconds > 0 and connections > 0');
  }
  return spec;
}

async function main(): Promise<void> {
  exitWhenParentGoes(() => process.exit(1));
  const result = await runLoad(parseSpec(process.argv[2]));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench load failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
