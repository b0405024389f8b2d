/**
 * The bench's arithmetic and its printed contract (pure: no server, no load). The
 * last line of the report is read by people and scripts alike, so its form is fixed.
 */
import type { CommandCost } from '../../bench/commands';
import { formatReport, median, ratioOf, summariseMode, type Round } from '../../bench/report';
import { readSettings } from '../../bench/scenario';

const cost = (commands: number, replyBytes: number): CommandCost => ({
  commandsPerRequest: commands,
  replyBytesPerRequest: replyBytes,
  byCommand: {},
  replyBytesByCommand: {},
  dbMsByCommand: {},
  dbMsPerRequest: 0,
  requestMs: 0,
  samples: 1,
  response: { bytes: 0, records: 100, nullValues: 0, values: 0, decisions: {} },
});

const round = (mode: Round['mode'], index: number, requestsPerSecond: number): Round => ({
  mode,
  round: index,
  requestsPerSecond,
  p50Ms: 1_000 / requestsPerSecond,
  p99Ms: 2_000 / requestsPerSecond,
  requests: requestsPerSecond * 8,
  non2xx: 0,
  errors: 0,
  timeouts: 0,
  bytesPerSecond: 0,
  durationSeconds: 8,
});

describe('bench report', () => {
  it('takes the median of odd and even counts, NaN of none', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('summarises each mode from its own rounds only, and divides A by B', () => {
    const rounds = [round('enforced', 1, 40), round('stripped', 1, 80), round('enforced', 2, 60), round('stripped', 2, 100), round('enforced', 3, 50), round('stripped', 3, 90)];
    const modes = { enforced: summariseMode(rounds, 'enforced', cost(4, 40 * 1024)), stripped: summariseMode(rounds, 'stripped', cost(3, 70 * 1024)) };
    expect(modes.enforced.medianRequestsPerSecond).toBe(50);
    expect(modes.stripped.medianRequestsPerSecond).toBe(90);
    expect([modes.enforced.minRequestsPerSecond, modes.enforced.maxRequestsPerSecond]).toEqual([40, 60]);
    expect(modes.enforced.replyKbPerRequest).toBe(40);
    expect(ratioOf(modes)).toBeCloseTo(50 / 90, 10);
  });

  it('prints the table and ends with the ratio line, two decimals', () => {
    const rounds = [round('enforced', 1, 45), round('stripped', 1, 60)];
    const modes = { enforced: summariseMode(rounds, 'enforced', cost(4, 39_936)), stripped: summariseMode(rounds, 'stripped', cost(3, 72_294)) };
    const text = formatReport({ modes, ratio: ratioOf(modes), database: { kind: 'mongo-java-server' }, settings: readSettings({}) });
    const lines = text.split('\n');
    expect(lines.at(-1)).toBe('ratio A/B req/s: 0.75');
    expect(lines[1]).toMatch(/^mode\s+median req\/s\s+median p50 ms\s+median p99 ms\s+commands\/req\s+reply KB\/req$/);
    expect(text).toMatch(/A enforced\s+45\.0\s+22\.2\s+44\.4\s+4\.0\s+39\.0/);
  });

  it('refuses bad settings by name and keeps the defaults otherwise', () => {
    expect(readSettings({})).toEqual({ seconds: 8, warmupSeconds: 3, rounds: 5, connections: 16 });
    expect(() => readSettings({ BENCH_SECONDS: '0' })).toThrow(/BENCH_SECONDS/);
    expect(() => readSettings({ BENCH_ROUNDS: 'five' })).toThrow(/BENCH_ROUNDS/);
  });
});
