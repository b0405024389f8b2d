/**
 * The soak's pure parts (no server, no load): the mix and its selection, the
 * classification of outcomes, the mutation cycles, RSS growth, percentiles and the
 * printed contract. The summary line is read by people and scripts alike, so its form
 * is fixed.
 */
import { startRuntimeProbe } from '../../bench/runtimeProbe';
import {
  CONSENT_PURPOSES,
  MIX_WEIGHTS,
  MutationCycles,
  buildRequest,
  classify,
  pickWeighted,
  seededRandom,
  type Caller,
  type Discovered,
  type Expectation,
  type MixKind,
} from '../../bench/soakMix';
import {
  MB,
  formatSoakReport,
  memoryTimeline,
  runtimeSummary,
  missedTargets,
  operationRows,
  perOperationRatios,
  percentile,
  readSoakSettings,
  rssGrowth,
  summaryLine,
  timelineOf,
  type LoadReport,
  type MemorySample,
} from '../../bench/soakReport';

const discovered: Discovered = {
  itaIds: Array.from({ length: 30 }, (_unused, i) => `p_ita_${i}`),
  ngaSubjectIds: ['p_nga_1', 'p_nga_2'],
  ngaLawEnforcementCount: 3,
  ngaReadmissionCount: 40,
};
const token = (caller: Caller): string => `token-${caller}`;
const json = (value: unknown): string => JSON.stringify(value);
const data = (check: Expectation & { kind: 'data' } = { kind: 'data', check: () => null }): Expectation => check;

describe('soak mix: selection', () => {
  it('weighs 60% reads, 20% statistics, 12% refusals and 8% mutations', () => {
    const groups = { reads: 0, statistics: 0, refusals: 0, mutations: 0 };
    for (const [kind, weight] of Object.entries(MIX_WEIGHTS) as [MixKind, number][]) {
      if (kind === 'statistics') groups.statistics += weight;
      else if (kind.startsWith('refuse-')) groups.refusals += weight;
      else if (kind === 'consent' || kind === 'data-request') groups.mutations += weight;
      else groups.reads += weight;
    }
    expect(groups).toEqual({ reads: 60, statistics: 20, refusals: 12, mutations: 8 });
  });

  it('picks by cumulative weight, skipping zero weights, and refuses bad input', () => {
    const weights = { a: 1, none: 0, b: 3 };
    expect(pickWeighted(weights, 0)).toBe('a');
    expect(pickWeighted(weights, 0.2499)).toBe('a');
    expect(pickWeighted(weights, 0.25)).toBe('b');
    expect(pickWeighted(weights, 0.999999)).toBe('b');
    expect(() => pickWeighted(weights, 1)).toThrow(/\[0, 1\)/);
    expect(() => pickWeighted({ a: 0 }, 0.5)).toThrow(/no positive weight/);
  });

  it('draws the weights in proportion from a seeded source, the same sequence for the same seed', () => {
    const random = seededRandom(7);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 100_000; i++) {
      const kind = pickWeighted(MIX_WEIGHTS, random());
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    for (const [kind, weight] of Object.entries(MIX_WEIGHTS)) expect(Math.abs((counts[kind] ?? 0) / 1_000 - weight)).toBeLessThan(0.6);
    const a = seededRandom(42);
    const b = seededRandom(42);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
  });
});

describe('soak mix: outcome classification', () => {
  const refusal: Expectation = { kind: 'refusal', status: 403, code: 'PURPOSE_NOT_GRANTED' };

  it('accepts a success with data that passes the check, and nothing else', () => {
    const check = data({ kind: 'data', check: (d) => (d['me'] ? null : 'no me') });
    expect(classify(check, 200, json({ data: { me: { party: 'ITA' } } }))).toEqual({ expected: true });
    expect(classify(check, 200, json({ data: { other: 1 } }))).toEqual({ expected: false, reason: 'HTTP 200: no me' });
    expect(classify(check, 200, json({ data: null, errors: [{ message: 'x', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }))).toMatchObject({
      expected: false,
      reason: expect.stringMatching(/INTERNAL_SERVER_ERROR where data was expected/),
    });
    // Field errors beside data are unexpected too.
    expect(classify(check, 200, json({ data: { me: {} }, errors: [{ message: 'x', path: ['me'] }] }))).toMatchObject({ expected: false });
    expect(classify(check, 500, json({ data: { me: {} } }))).toMatchObject({ expected: false, reason: expect.stringMatching(/HTTP 500/) });
  });

  it('accepts a refusal only with the expected status, every error carrying the expected code, and no data', () => {
    const refused = json({ data: null, errors: [{ message: 'no', extensions: { code: 'PURPOSE_NOT_GRANTED' } }] });
    expect(classify(refusal, 403, refused)).toEqual({ expected: true });
    expect(classify(refusal, 403, json({ errors: [{ message: 'no', extensions: { code: 'PURPOSE_NOT_GRANTED' } }] }))).toEqual({ expected: true });
    expect(classify(refusal, 200, refused)).toMatchObject({ expected: false, reason: expect.stringMatching(/where HTTP 403 was expected/) });
    expect(classify(refusal, 403, json({ errors: [{ message: 'no', extensions: { code: 'NOT_A_PARTY' } }] }))).toMatchObject({
      expected: false,
      reason: 'HTTP 403: NOT_A_PARTY where PURPOSE_NOT_GRANTED was expected',
    });
    expect(classify(refusal, 403, json({ errors: [{ message: 'no' }] }))).toMatchObject({ expected: false, reason: expect.stringMatching(/<none>/) });
    expect(classify(refusal, 200, json({ data: { migrants: { edges: [] } } }))).toMatchObject({ expected: false, reason: expect.stringMatching(/no errors/) });
    expect(classify(refusal, 403, json({ data: { x: 1 }, errors: [{ message: 'no', extensions: { code: 'PURPOSE_NOT_GRANTED' } }] }))).toMatchObject({
      expected: false,
      reason: expect.stringMatching(/data beside the refusal/),
    });
  });

  it('counts a body that is not a JSON object as unexpected, whatever was expected', () => {
    for (const expectation of [data(), refusal]) {
      expect(classify(expectation, 502, '<html>Bad gateway</html>')).toMatchObject({ expected: false, reason: expect.stringMatching(/not JSON/) });
      expect(classify(expectation, 200, '[1,2]')).toMatchObject({ expected: false, reason: expect.stringMatching(/not a JSON object/) });
      expect(classify(expectation, 200, '')).toMatchObject({ expected: false });
    }
  });
});

describe('soak mix: requests', () => {
  it('builds each kind with its caller, treaty headers and expectation', () => {
    const cycles = new MutationCycles(discovered);
    const r = seededRandom(1);
    const byKind = Object.fromEntries((Object.keys(MIX_WEIGHTS) as MixKind[]).map((kind) => [kind, buildRequest(kind, discovered, cycles, token, r)]));
    expect(byKind['refuse-token']!.headers['authorization']).toBeUndefined();
    expect(byKind['refuse-token']!.expectation).toEqual({ kind: 'refusal', status: 401, code: 'UNAUTHENTICATED' });
    expect(byKind['refuse-suspended']!.headers).toMatchObject({ 'x-agreement-id': 'AGR-AEGEAN-BORDER-2019', authorization: 'Bearer token-itaCaseworker' });
    expect(byKind['refuse-purpose']!.expectation).toEqual({ kind: 'refusal', status: 403, code: 'PURPOSE_NOT_GRANTED' });
    expect(byKind['refuse-filter']!.expectation).toEqual({ kind: 'refusal', status: 200, code: 'FILTER_NOT_PERMITTED' });
    expect(byKind['statistics']!.headers).toMatchObject({ 'x-purpose': 'STATISTICS', authorization: 'Bearer token-iomAnalyst' });
    expect(byKind['consent']!.label).toBe('consent-record');
    expect(byKind['data-request']!.label).toBe('request-submit');
    for (const request of Object.values(byKind)) expect(() => JSON.parse(request!.body) as unknown).not.toThrow();
  });

  it('expects the page sizes discovered: a full page of ITA records, at most the records NGA sees', () => {
    const cycles = new MutationCycles(discovered);
    const page = buildRequest('nga-law-enforcement', discovered, cycles, token, seededRandom(3));
    const edges = (n: number): string => json({ data: { migrants: { edges: Array.from({ length: n }, () => ({ node: { id: 'x' } })) } } });
    expect(classify(page.expectation, 200, edges(3))).toEqual({ expected: true });
    expect(classify(page.expectation, 200, edges(4))).toMatchObject({ expected: false });
    const ita = buildRequest('ita-page', discovered, cycles, token, seededRandom(3));
    expect(classify(ita.expectation, 200, edges(20))).toEqual({ expected: true });
    expect(classify(ita.expectation, 200, edges(19))).toMatchObject({ expected: false });
  });

  it('cycles consents and data requests: create, then withdraw what was created, and cleans up the rest', () => {
    const cycles = new MutationCycles(discovered);
    const r = seededRandom(5);
    const record = cycles.consent(token, r);
    expect(record.label).toBe('consent-record');
    expect(JSON.parse(record.body).variables).toMatchObject({ migrantId: 'p_ita_0', purpose: CONSENT_PURPOSES[0] });
    // Until the record is answered, a second slot records another pair.
    expect(JSON.parse(cycles.consent(token, r).body).variables).toMatchObject({ migrantId: 'p_ita_1' });
    record.onExpected!({ recordConsent: { active: true } });
    const withdraw = cycles.consent(token, r);
    expect(withdraw.label).toBe('consent-withdraw');
    expect(JSON.parse(withdraw.body).variables).toEqual({ migrantId: 'p_ita_0', purpose: CONSENT_PURPOSES[0] });
    expect(classify(withdraw.expectation, 200, json({ data: { withdrawConsent: { active: false, withdrawnAt: '2026-01-01' } } }))).toEqual({ expected: true });

    const submit = cycles.dataRequest(token, r);
    expect(submit.label).toBe('request-submit');
    submit.onExpected!({ submitDataRequest: { id: 'req-1', status: 'PENDING' } });
    const second = cycles.dataRequest(token, r);
    expect(second.label).toBe('request-withdraw');
    expect(JSON.parse(second.body).variables).toEqual({ id: 'req-1' });

    cycles.consent(token, r).onExpected!({ recordConsent: { active: true } });
    cycles.dataRequest(token, r).onExpected!({ submitDataRequest: { id: 'req-2', status: 'PENDING' } });
    expect(cycles.open()).toEqual({ consents: 1, requests: 1 });
    expect(cycles.cleanupRequests(token).map((request) => request.label)).toEqual(['consent-withdraw', 'request-withdraw']);
    expect(cycles.open()).toEqual({ consents: 0, requests: 0 });
  });

  it('uses each (subject, purpose) pair once, from the first pair given, then falls back to data requests', () => {
    const small: Discovered = { ...discovered, itaIds: ['a', 'b'] };
    const cycles = new MutationCycles(small, 8);
    const r = seededRandom(1);
    expect(JSON.parse(cycles.consent(token, r).body).variables).toMatchObject({ migrantId: 'a', purpose: CONSENT_PURPOSES[4] });
    expect(JSON.parse(cycles.consent(token, r).body).variables).toMatchObject({ migrantId: 'b', purpose: CONSENT_PURPOSES[4] });
    expect(cycles.nextConsentPair()).toBe(10);
    expect(cycles.consent(token, r).label).toBe('request-submit');
    expect(cycles.exhausted).toBe(1);
  });
});

describe('soak report', () => {
  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_unused, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([], 50)).toBeNaN();
  });

  it('computes RSS growth from window medians, beside the largest sample', () => {
    const samples: MemorySample[] = [];
    // Warm-up 0..10 s at 100 MB (one spike), measured 10..70 s growing to 130 MB, a 200 MB spike at 40 s.
    for (let s = 0; s <= 70; s++) {
      const rss = s < 10 ? (s === 8 ? 160 : 100) : s === 40 ? 200 : 100 + ((s - 10) / 60) * 30;
      samples.push({ atMs: s * 1_000, rss: rss * MB, heapUsed: 40 * MB });
    }
    const growth = rssGrowth(samples, 10_000, 70_000);
    expect(growth.baseline).toBe(100 * MB);
    expect(growth.growthMb).toBeCloseTo(((65 - 10) / 60) * 30, 5);
    expect(growth.maxGrowthMb).toBe(100);
    expect(growth.heapEndMb).toBe(40);
    expect(() => rssGrowth(samples, 100_000, 110_000)).toThrow(/no memory sample/);
  });

  it('gives the median RSS and heap by ten seconds around the start of the measured phase', () => {
    const samples: MemorySample[] = [0, 4_000, 9_000, 10_000, 25_000].map((atMs, i) => ({ atMs, rss: (100 + i) * MB, heapUsed: 50 * MB }));
    expect(memoryTimeline(samples, 10_000)).toEqual([
      { fromSecond: -10, rssMb: 101, heapMb: 50 },
      { fromSecond: 0, rssMb: 103, heapMb: 50 },
      { fromSecond: 10, rssMb: 104, heapMb: 50 },
    ]);
  });

  it('summarises operations in table order with an overall row over all latencies', () => {
    const { rows, all } = operationRows({
      operations: {
        statistics: { count: 2, expected: 2, latenciesMs: [30, 40] },
        me: { count: 3, expected: 2, latenciesMs: [1, 2, 3] },
        'ita-page': { count: 0, expected: 0, latenciesMs: [] },
      },
    });
    expect(rows.map((row) => row.label)).toEqual(['me', 'statistics']);
    expect(rows[0]).toMatchObject({ count: 3, p50Ms: 2, p99Ms: 3 });
    expect(rows[0]!.expectedRate).toBeCloseTo(2 / 3, 10);
    expect(all).toMatchObject({ label: 'all', count: 5, expectedRate: 4 / 5, p50Ms: 3, p99Ms: 40 });
  });

  it('gives the spread of p99/p50 over operations with enough requests', () => {
    const row = (label: string, count: number, p50Ms: number, p99Ms: number) => ({ label, count, expectedRate: 1, p50Ms, p99Ms });
    expect(perOperationRatios([row('a', 100, 10, 20), row('b', 500, 10, 40), row('c', 99, 1, 100), row('d', 200, 10, 30)])).toEqual({ operations: 3, median: 3, best: 2, worst: 4 });
    expect(perOperationRatios([row('c', 99, 1, 100)])).toBeNull();
  });

  it('buckets latencies by five seconds of scheduled time', () => {
    expect(timelineOf([[4_999, 3], [0, 1], [5_000, 7], [1_000, 2]])).toEqual([
      { fromSecond: 0, count: 3, p50Ms: 2, p99Ms: 3 },
      { fromSecond: 5, count: 1, p50Ms: 7, p99Ms: 7 },
    ]);
  });

  it('prints the summary line exactly, and names the missed targets', () => {
    expect(summaryLine(0, 12.345, 1.5)).toBe('soak errors: 0 rss-growth-mb: 12.3 p99/p50: 1.50');
    expect(summaryLine(3, -4.06, 11.875)).toBe('soak errors: 3 rss-growth-mb: -4.1 p99/p50: 11.88');
    expect(missedTargets(0, 63.9, 2)).toEqual([]);
    expect(missedTargets(1, 64, 2.01)).toEqual([
      '1 unexpected errors (target 0)',
      'RSS growth 64.0 MB (target under 64)',
      'p99/p50 2.01 (target at most 2)',
    ]);
  });

  it('ends the report with the summary line over saturation and soak errors', () => {
    const load = (mode: 'closed' | 'open', unexpected: number): LoadReport => ({
      mode,
      operations: { me: { count: 4, expected: 4, latenciesMs: [10, 10, 10, 25] } },
      unexpected,
      unexpectedSamples: unexpected > 0 ? ['me: HTTP 500 where 200 was expected'] : [],
      sent: 10,
      measuredSeconds: 10,
      completedPerSecond: 50,
      rate: mode === 'open' ? 40 : null,
      connections: mode === 'closed' ? 16 : null,
      sendLagP99Ms: 1,
      sendLagMaxMs: 2,
      maxInFlight: 3,
      consentPairsExhausted: 0,
      timeline: timelineOf([
        [0, 10],
        [6_000, 12],
      ]),
    });
    const memory = rssGrowth(
      [
        { atMs: 0, rss: 100 * MB, heapUsed: 0 },
        { atMs: 20_000, rss: 110 * MB, heapUsed: 0 },
      ],
      1_000,
      20_000,
    );
    const text = formatSoakReport({
      database: 'mongo-java-server',
      machine: { cpus: 2, loadStart: 0.5, loadEnd: 1.25 },
      saturation: load('closed', 1),
      soak: load('open', 0),
      memory,
      memoryTimeline: [{ fromSecond: -10, rssMb: 100, heapMb: 40 }],
      runtime: runtimeSummary(
        [
          { atMs: 500, rss: 0, heapUsed: 0, runtime: { loopDelayP50Ms: 1, loopDelayP99Ms: 90, loopDelayMaxMs: 95, gcCount: 9, gcTotalMs: 90, gcMaxMs: 40 } },
          { atMs: 2_000, rss: 0, heapUsed: 0, runtime: { loopDelayP50Ms: 1, loopDelayP99Ms: 12, loopDelayMaxMs: 20, gcCount: 4, gcTotalMs: 10, gcMaxMs: 5 } },
          { atMs: 3_000, rss: 0, heapUsed: 0, runtime: { loopDelayP50Ms: 1, loopDelayP99Ms: 30, loopDelayMaxMs: 60, gcCount: 2, gcTotalMs: 6, gcMaxMs: 3 } },
          { atMs: 4_000, rss: 0, heapUsed: 0 },
        ],
        1_000,
        5_000,
      ),
      loadFactor: 0.8,
    });
    const lines = text.split('\n');
    expect(lines.at(-1)).toBe('soak errors: 1 rss-growth-mb: 10.0 p99/p50: 2.50');
    expect(text).toMatch(/^me\s+4\s+100\.0%\s+10\.0\s+25\.0\s+2\.50$/m);
    expect(text).toMatch(/me: HTTP 500 where 200 was expected/);
    expect(text).toMatch(/^ {2}\s*-10s 100\/40$/m);
    expect(text).toMatch(/2 CPUs, 1-minute load average 0\.50 at the start, 1\.25 at the end/);
    expect(text).toMatch(/targets missed: 1 unexpected errors/);
    // The sample before the measured phase (500 ms) is left out; GC time per measured second.
    expect(text).toMatch(/^gateway event loop \(2 one-second samples\): delay p99 median 21\.0 ms, worst 30\.0 ms, longest 60\.0 ms; GC pauses 4\.0 ms\/s \(1\.5 per s\), longest 5\.0 ms$/m);
    expect(text).toMatch(/^ {2}\s*0s {4}1 10\.0\/10\.0\s+5s {4}1 12\.0\/12\.0$/m);
  });

  it('reads its settings with defaults and refuses bad ones by name', () => {
    expect(readSoakSettings({})).toEqual({ seconds: 60, warmupSeconds: 10, saturationSeconds: 10, connections: 16, loadFactor: 0.8, rate: null, seed: 1, enforce: false });
    expect(readSoakSettings({ SOAK_RATE: '25', SOAK_ENFORCE: '1', SOAK_LOAD_PERCENT: '50' })).toMatchObject({ rate: 25, enforce: true, loadFactor: 0.5 });
    expect(() => readSoakSettings({ SOAK_SECONDS: '5' })).toThrow(/SOAK_SECONDS/);
    expect(() => readSoakSettings({ SOAK_ENFORCE: 'yes' })).toThrow(/SOAK_ENFORCE/);
    expect(() => readSoakSettings({ SOAK_LOAD_PERCENT: '0' })).toThrow(/SOAK_LOAD_PERCENT/);
  });

  it('summarises no runtime where no sample carried one', () => {
    expect(runtimeSummary([{ atMs: 2_000, rss: 0, heapUsed: 0 }], 1_000, 5_000)).toBeNull();
  });

  it('the runtime probe sees a blocked event loop and reports since its previous sample', async () => {
    const probe = startRuntimeProbe();
    try {
      // Let the delay monitor's timer start, then block the loop for 120 ms and let the timer run.
      await new Promise((resolve) => setTimeout(resolve, 50));
      probe.sample();
      const until = Date.now() + 120;
      while (Date.now() < until) {
        /* busy */
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      const blocked = probe.sample();
      expect(blocked.loopDelayMaxMs).toBeGreaterThanOrEqual(100);
      expect(blocked.gcCount).toBeGreaterThanOrEqual(0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Started over: the block is not reported again.
      expect(probe.sample().loopDelayMaxMs).toBeLessThan(blocked.loopDelayMaxMs);
    } finally {
      probe.stop();
    }
  });
});
