/**
 * The soak's arithmetic and its printed contract (pure: no server, no load).
 *
 * Contracts:
 * - Percentiles are nearest-rank over the measured phase's requests.
 * - RSS growth compares the gateway's RSS at the end of the run with its RSS at the end
 *   of the warm-up, each the median of the one-second samples of a window (the last
 *   `baselineSeconds` of the warm-up, the last `endSeconds` of the measured phase), so
 *   one sample taken just before or after a garbage collection does not decide it. The
 *   largest sample of the measured phase is reported beside it.
 * - The report's last line is exactly
 *   `soak errors: <n> rss-growth-mb: <x.x> p99/p50: <y.yy>`.
 */
import type { RuntimeSample } from './runtimeProbe';
import { OPERATION_LABELS, type OperationLabel } from './soakMix';

/** Nearest-rank percentile `p` (0 < p <= 100) of `values`; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

// ---------------------------------------------------------------------------------------
// Memory

/** One sample of the gateway's memory; `atMs` on the soak's clock. */
export interface MemorySample {
  readonly atMs: number;
  readonly rss: number;
  readonly heapUsed: number;
  /** The gateway's event-loop delay and GC pauses since the previous sample (bench/runtimeProbe.ts). */
  readonly runtime?: RuntimeSample;
}

/** The event loop and the garbage collector over the measured phase, from the per-second samples. */
export interface RuntimeSummary {
  readonly samples: number;
  /** The median and the largest of the samples' p99 event-loop delays, and the longest delay seen. */
  readonly loopDelayP99MedianMs: number;
  readonly loopDelayP99MaxMs: number;
  readonly loopDelayMaxMs: number;
  /** GC pause time per second of measured time, pauses per second, and the longest pause. */
  readonly gcMsPerSecond: number;
  readonly gcPausesPerSecond: number;
  readonly gcMaxMs: number;
}

/** The runtime samples taken within the measured phase, summarised; null when none carried one. */
export function runtimeSummary(samples: readonly MemorySample[], measureStartMs: number, measureEndMs: number): RuntimeSummary | null {
  const measured = samples.filter((s) => s.atMs > measureStartMs && s.atMs <= measureEndMs && s.runtime !== undefined).map((s) => s.runtime!);
  if (measured.length === 0) return null;
  const seconds = Math.max(1, (measureEndMs - measureStartMs) / 1_000);
  const p99s = measured.map((r) => r.loopDelayP99Ms);
  return {
    samples: measured.length,
    loopDelayP99MedianMs: median(p99s),
    loopDelayP99MaxMs: Math.max(...p99s),
    loopDelayMaxMs: Math.max(...measured.map((r) => r.loopDelayMaxMs)),
    gcMsPerSecond: measured.reduce((sum, r) => sum + r.gcTotalMs, 0) / seconds,
    gcPausesPerSecond: measured.reduce((sum, r) => sum + r.gcCount, 0) / seconds,
    gcMaxMs: Math.max(...measured.map((r) => r.gcMaxMs)),
  };
}

export interface RssGrowth {
  /** Median RSS (bytes) of the samples in the last `baselineSeconds` of the warm-up. */
  readonly baseline: number;
  /** Median RSS of the samples in the last `endSeconds` of the measured phase. */
  readonly end: number;
  /** Largest RSS sampled in the measured phase. */
  readonly max: number;
  /** `end - baseline`, in MB: the figure of the last line. */
  readonly growthMb: number;
  /** `max - baseline`, in MB. */
  readonly maxGrowthMb: number;
  /** Median heap in use in the same windows, in MB. */
  readonly heapBaselineMb: number;
  readonly heapEndMb: number;
}

export const MB = 1024 * 1024;

/**
 * RSS growth over the measured phase [measureStartMs, measureEndMs). Throws when a
 * window holds no sample (the gateway did not answer its memory route for that long).
 */
export function rssGrowth(samples: readonly MemorySample[], measureStartMs: number, measureEndMs: number, baselineSeconds = 5, endSeconds = 10): RssGrowth {
  const within = (from: number, to: number): MemorySample[] => samples.filter((s) => s.atMs >= from && s.atMs <= to);
  const before = within(measureStartMs - baselineSeconds * 1_000, measureStartMs);
  const last = within(measureEndMs - endSeconds * 1_000, measureEndMs);
  const measured = within(measureStartMs, measureEndMs);
  if (before.length === 0) throw new Error(`no memory sample in the last ${baselineSeconds} s of the warm-up`);
  if (last.length === 0) throw new Error(`no memory sample in the last ${endSeconds} s of the soak`);
  const baseline = median(before.map((s) => s.rss));
  const end = median(last.map((s) => s.rss));
  const max = Math.max(...measured.map((s) => s.rss), end);
  return {
    baseline,
    end,
    max,
    growthMb: (end - baseline) / MB,
    maxGrowthMb: (max - baseline) / MB,
    heapBaselineMb: median(before.map((s) => s.heapUsed)) / MB,
    heapEndMb: median(last.map((s) => s.heapUsed)) / MB,
  };
}

export interface MemoryBucket {
  /** Seconds from the start of the measured phase to the start of the bucket (negative: warm-up). */
  readonly fromSecond: number;
  readonly rssMb: number;
  readonly heapMb: number;
}

/** Median RSS and heap in use by `bucketSeconds` of the samples, relative to the start of the measured phase. */
export function memoryTimeline(samples: readonly MemorySample[], measureStartMs: number, bucketSeconds = 10): MemoryBucket[] {
  const buckets = new Map<number, MemorySample[]>();
  for (const sample of samples) {
    const bucket = Math.floor((sample.atMs - measureStartMs) / (bucketSeconds * 1_000)) * bucketSeconds;
    const list = buckets.get(bucket);
    if (list) list.push(sample);
    else buckets.set(bucket, [sample]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([fromSecond, list]) => ({ fromSecond, rssMb: median(list.map((s) => s.rss)) / MB, heapMb: median(list.map((s) => s.heapUsed)) / MB }));
}

// ---------------------------------------------------------------------------------------
// Requests

/** What the load generator reports for one operation (measured phase only, except `unexpected`). */
export interface OperationTally {
  /** Requests scheduled in the measured phase that completed or failed. */
  count: number;
  /** Of those, the ones with the expected outcome. */
  expected: number;
  /** Latency in ms of every measured request (expected or not), from its scheduled send time. */
  latenciesMs: number[];
}

export interface LoadReport {
  readonly mode: 'closed' | 'open';
  /** Per operation, the measured phase. */
  readonly operations: Partial<Record<OperationLabel, OperationTally>>;
  /** Unexpected outcomes over the whole run (warm-up, measured phase, drain and clean-up). */
  readonly unexpected: number;
  /** A few of them, for the report: `<label>: <reason>`. */
  readonly unexpectedSamples: readonly string[];
  /** Requests sent over the whole run, clean-up included. */
  readonly sent: number;
  /** Length of the measured phase in seconds. */
  readonly measuredSeconds: number;
  /** Requests of the measured phase that completed, per second of it. */
  readonly completedPerSecond: number;
  /** Open loop: the target rate; closed loop: the connections. */
  readonly rate: number | null;
  readonly connections: number | null;
  /** Open loop: how late the generator sent requests behind their schedule, in ms (p99 and max). */
  readonly sendLagP99Ms: number;
  readonly sendLagMaxMs: number;
  /** Most requests in flight at once. */
  readonly maxInFlight: number;
  /** Consent slots that found every (subject, purpose) pair used and sent a data-request cycle instead. */
  readonly consentPairsExhausted: number;
  /** Every request of the warm-up and the measured phase by `TIMELINE_SECONDS` of its scheduled time (0: the start). */
  readonly timeline: readonly TimelineBucket[];
}

/** Width of a timeline bucket, in seconds. */
export const TIMELINE_SECONDS = 5;

export interface TimelineBucket {
  /** Seconds from the start of the load to the start of the bucket. */
  readonly fromSecond: number;
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Latencies `[scheduledAtMs, latencyMs]` (times from the start of the load) by bucket of `TIMELINE_SECONDS`. */
export function timelineOf(entries: readonly (readonly [number, number])[]): TimelineBucket[] {
  const buckets = new Map<number, number[]>();
  for (const [atMs, latencyMs] of entries) {
    const bucket = Math.floor(atMs / (TIMELINE_SECONDS * 1_000)) * TIMELINE_SECONDS;
    const list = buckets.get(bucket);
    if (list) list.push(latencyMs);
    else buckets.set(bucket, [latencyMs]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([fromSecond, latencies]) => ({ fromSecond, count: latencies.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) }));
}

export interface OperationRow {
  readonly label: string;
  readonly count: number;
  readonly expectedRate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** One row per operation that was sent, in table order, and the row `all`. */
export function operationRows(report: Pick<LoadReport, 'operations'>): { rows: OperationRow[]; all: OperationRow } {
  const rows: OperationRow[] = [];
  const latencies: number[] = [];
  let count = 0;
  let expected = 0;
  for (const label of OPERATION_LABELS) {
    const tally = report.operations[label];
    if (!tally || tally.count === 0) continue;
    rows.push({ label, count: tally.count, expectedRate: tally.expected / tally.count, p50Ms: percentile(tally.latenciesMs, 50), p99Ms: percentile(tally.latenciesMs, 99) });
    latencies.push(...tally.latenciesMs);
    count += tally.count;
    expected += tally.expected;
  }
  const all = { label: 'all', count, expectedRate: count === 0 ? Number.NaN : expected / count, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
  return { rows, all };
}

/** Rows with fewer requests than this have a p99 that is one of their few slowest requests: left out of `perOperationRatios`. */
export const MIN_ROW_FOR_RATIO = 100;

/** The median, best and worst p99/p50 of the rows with at least `MIN_ROW_FOR_RATIO` requests; null when none has. */
export function perOperationRatios(rows: readonly OperationRow[]): { operations: number; median: number; best: number; worst: number } | null {
  const ratios = rows.filter((row) => row.count >= MIN_ROW_FOR_RATIO).map((row) => row.p99Ms / row.p50Ms);
  if (ratios.length === 0) return null;
  return { operations: ratios.length, median: median(ratios), best: Math.min(...ratios), worst: Math.max(...ratios) };
}

/** The last line: `soak errors: <n> rss-growth-mb: <x.x> p99/p50: <y.yy>`. */
export function summaryLine(unexpected: number, growthMb: number, p99OverP50: number): string {
  return `soak errors: ${unexpected} rss-growth-mb: ${growthMb.toFixed(1)} p99/p50: ${p99OverP50.toFixed(2)}`;
}

export interface SoakTargets {
  readonly maxUnexpected: number;
  readonly maxRssGrowthMb: number;
  readonly maxP99OverP50: number;
}

/** The issue's targets: no unexpected error, RSS growth under 64 MB, p99/p50 at most 2. */
export const TARGETS: SoakTargets = { maxUnexpected: 0, maxRssGrowthMb: 64, maxP99OverP50: 2 };

/** The targets missed, each as a short sentence; empty when all are met. */
export function missedTargets(unexpected: number, growthMb: number, p99OverP50: number, targets: SoakTargets = TARGETS): string[] {
  const missed: string[] = [];
  if (unexpected > targets.maxUnexpected) missed.push(`${unexpected} unexpected errors (target ${targets.maxUnexpected})`);
  if (!(growthMb < targets.maxRssGrowthMb)) missed.push(`RSS growth ${growthMb.toFixed(1)} MB (target under ${targets.maxRssGrowthMb})`);
  if (!(p99OverP50 <= targets.maxP99OverP50)) missed.push(`p99/p50 ${p99OverP50.toFixed(2)} (target at most ${targets.maxP99OverP50})`);
  return missed;
}

export interface SoakSummary {
  readonly database: string;
  /** CPUs and 1-minute load average at the start and the end of the soak (others' work on the machine shows here). */
  readonly machine: { readonly cpus: number; readonly loadStart: number; readonly loadEnd: number };
  readonly saturation: LoadReport;
  readonly soak: LoadReport;
  readonly memory: RssGrowth;
  readonly memoryTimeline: readonly MemoryBucket[];
  /** The gateway's event loop and GC over the measured phase (null when not sampled). */
  readonly runtime: RuntimeSummary | null;
  readonly loadFactor: number;
}

/** The whole report; its last line is `summaryLine(...)`. */
export function formatSoakReport(summary: SoakSummary): string {
  const { saturation, soak, memory } = summary;
  const { rows, all } = operationRows(soak);
  const ratio = all.p99Ms / all.p50Ms;
  const unexpected = saturation.unexpected + soak.unexpected;
  const lines: string[] = [];
  const mb = (bytes: number): string => (bytes / MB).toFixed(1);
  lines.push(
    `saturation (closed loop, ${saturation.connections} connections, ${saturation.measuredSeconds.toFixed(0)} s): ${saturation.completedPerSecond.toFixed(1)} req/s` +
      `, p50 ${fmt(operationRows(saturation).all.p50Ms)} ms, p99 ${fmt(operationRows(saturation).all.p99Ms)} ms`,
  );
  lines.push(
    `soak (open loop, ${soak.measuredSeconds.toFixed(0)} s measured at ${(summary.loadFactor * 100).toFixed(0)}%): target ${fmt(soak.rate ?? Number.NaN)} req/s, ` +
      `completed ${soak.completedPerSecond.toFixed(1)} req/s, most in flight ${soak.maxInFlight}, send lag p99 ${fmt(soak.sendLagP99Ms)} ms (max ${fmt(soak.sendLagMaxMs)})`,
  );
  lines.push(
    `database: ${summary.database}; machine: ${summary.machine.cpus} CPUs, 1-minute load average ${summary.machine.loadStart.toFixed(2)} at the start, ${summary.machine.loadEnd.toFixed(2)} at the end`,
  );
  lines.push('');
  lines.push(`${'operation'.padEnd(20)} ${'count'.padStart(7)} ${'expected'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'p99/p50'.padStart(8)}`);
  for (const row of [...rows, all]) {
    lines.push(
      `${row.label.padEnd(20)} ${String(row.count).padStart(7)} ${`${(row.expectedRate * 100).toFixed(1)}%`.padStart(9)} ` +
        `${fmt(row.p50Ms).padStart(8)} ${fmt(row.p99Ms).padStart(8)} ${(row.p99Ms / row.p50Ms).toFixed(2).padStart(8)}`,
    );
  }
  const perOperation = perOperationRatios(rows);
  if (perOperation) {
    lines.push(
      `p99/p50 by operation (${perOperation.operations} with at least ${MIN_ROW_FOR_RATIO} requests): median ${perOperation.median.toFixed(2)}, ` +
        `best ${perOperation.best.toFixed(2)}, worst ${perOperation.worst.toFixed(2)}; the last line's figure is the row "all", over the whole mix`,
    );
  }
  lines.push('');
  lines.push(`over time (by ${TIMELINE_SECONDS} s of scheduled time, warm-up first: requests, p50/p99 ms):`);
  for (let i = 0; i < soak.timeline.length; i += 6) {
    lines.push(`  ${soak.timeline.slice(i, i + 6).map((b) => `${String(b.fromSecond).padStart(3)}s ${String(b.count).padStart(4)} ${fmt(b.p50Ms)}/${fmt(b.p99Ms)}`).join('  ')}`);
  }
  lines.push(
    `gateway RSS: ${mb(memory.baseline)} MB after warm-up, ${mb(memory.end)} MB at the end (median of the last 10 s), ${mb(memory.max)} MB at most; ` +
      `growth ${memory.growthMb.toFixed(1)} MB (to the largest sample ${memory.maxGrowthMb.toFixed(1)} MB); heap in use ${memory.heapBaselineMb.toFixed(1)} -> ${memory.heapEndMb.toFixed(1)} MB`,
  );
  const runtime = summary.runtime;
  lines.push(
    runtime === null
      ? 'gateway event loop and GC: not sampled'
      : `gateway event loop (${runtime.samples} one-second samples): delay p99 median ${runtime.loopDelayP99MedianMs.toFixed(1)} ms, worst ${runtime.loopDelayP99MaxMs.toFixed(1)} ms, ` +
          `longest ${runtime.loopDelayMaxMs.toFixed(1)} ms; GC pauses ${runtime.gcMsPerSecond.toFixed(1)} ms/s (${runtime.gcPausesPerSecond.toFixed(1)} per s), longest ${runtime.gcMaxMs.toFixed(1)} ms`,
  );
  lines.push(`gateway memory by 10 s (from the start of the measured phase; median RSS/heap MB):`);
  for (let i = 0; i < summary.memoryTimeline.length; i += 6) {
    lines.push(`  ${summary.memoryTimeline.slice(i, i + 6).map((b) => `${String(b.fromSecond).padStart(4)}s ${b.rssMb.toFixed(0)}/${b.heapMb.toFixed(0)}`).join('  ')}`);
  }
  const sent = saturation.sent + soak.sent;
  lines.push(`unexpected: ${unexpected} of ${sent} requests sent (saturation ${saturation.unexpected}, soak ${soak.unexpected})`);
  for (const sample of [...saturation.unexpectedSamples, ...soak.unexpectedSamples].slice(0, 10)) lines.push(`  ${sample}`);
  if (soak.consentPairsExhausted > 0) lines.push(`consent pairs exhausted: ${soak.consentPairsExhausted} consent slots sent a data-request cycle instead`);
  const missed = missedTargets(unexpected, memory.growthMb, ratio);
  lines.push(missed.length === 0 ? 'targets: all met' : `targets missed: ${missed.join('; ')}`);
  lines.push(summaryLine(unexpected, memory.growthMb, ratio));
  return lines.join('\n');
}

function fmt(value: number): string {
  return Number.isFinite(value) ? value.toFixed(1) : '-';
}

// ---------------------------------------------------------------------------------------
// Settings

export interface SoakSettings {
  /** Measured seconds of the soak (SOAK_SECONDS, default 60). */
  readonly seconds: number;
  /** Seconds at the soak rate before the RSS baseline (SOAK_WARMUP_SECONDS, default 10). */
  readonly warmupSeconds: number;
  /** Measured seconds of the saturation run (SOAK_SATURATION_SECONDS, default 10; 3 more of warm-up). */
  readonly saturationSeconds: number;
  /** Connections of the saturation run (SOAK_CONNECTIONS, default 16). */
  readonly connections: number;
  /** Fraction of the saturation rate the soak runs at (SOAK_LOAD_PERCENT, default 80). */
  readonly loadFactor: number;
  /** A fixed soak rate in req/s instead (SOAK_RATE; skips nothing: saturation is still measured and reported). */
  readonly rate: number | null;
  /** Seed of the mix (SOAK_SEED, default 1). */
  readonly seed: number;
  /** Exit 1 when a target is missed (SOAK_ENFORCE=1). */
  readonly enforce: boolean;
}

export function readSoakSettings(env: NodeJS.ProcessEnv = process.env): SoakSettings {
  const rate = env['SOAK_RATE']?.trim() ? integer(env, 'SOAK_RATE', 0, 1, 100_000) : null;
  const enforce = env['SOAK_ENFORCE']?.trim() ?? '';
  if (!['', '0', '1'].includes(enforce)) throw new Error(`SOAK_ENFORCE must be 0 or 1, got "${enforce}"`);
  return {
    seconds: integer(env, 'SOAK_SECONDS', 60, 10, 86_400),
    warmupSeconds: integer(env, 'SOAK_WARMUP_SECONDS', 10, 5, 3_600),
    saturationSeconds: integer(env, 'SOAK_SATURATION_SECONDS', 10, 3, 600),
    connections: integer(env, 'SOAK_CONNECTIONS', 16, 1, 1_000),
    loadFactor: integer(env, 'SOAK_LOAD_PERCENT', 80, 1, 100) / 100,
    rate,
    seed: integer(env, 'SOAK_SEED', 1, 0, 2 ** 31 - 1),
    enforce: enforce === '1',
  };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return value;
}
