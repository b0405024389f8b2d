/**
 * The bench's arithmetic and its printed contract (pure: no server, no load). The
 * last line of the report is read by people and scripts alike, so its form is fixed.
 */
import type { CommandCost } from '../../bench/commands';
import { formatReport, median, ratiosOf, summariseServer, SERVERS, type Round, type ServerName } from '../../bench/report';
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

const round = (server: ServerName, index: number, requestsPerSecond: number, cpuMsPerRequest = 10): Round => ({
  server,
  round: index,
  cpuMsPerRequest,
  dbCpuMsPerRequest: server === 'A' ? 8 : 4,
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

  const summarise = (rounds: readonly Round[]) =>
    Object.fromEntries(SERVERS.map((server) => [server, summariseServer(rounds, server, { cost: cost(server === 'A' ? 4 : 3, 40 * 1024), idleMs: 20 })])) as Record<ServerName, ReturnType<typeof summariseServer>>;

  it('summarises each server from its own rounds only, and divides A by B, C and D', () => {
    const rounds = [
      ...[40, 60, 50].map((rps, i) => round('A', i + 1, rps, [12, 8, 10][i])),
      ...[80, 100, 90].map((rps, i) => round('B', i + 1, rps)),
      ...[70, 75, 72].map((rps, i) => round('C', i + 1, rps)),
      ...[150, 170, 160].map((rps, i) => round('D', i + 1, rps)),
    ];
    const servers = summarise(rounds);
    expect(servers.A.medianRequestsPerSecond).toBe(50);
    expect(servers.B.medianRequestsPerSecond).toBe(90);
    expect([servers.A.minRequestsPerSecond, servers.A.maxRequestsPerSecond]).toEqual([40, 60]);
    expect(servers.A.cpuMsPerRequest).toBe(10);
    expect([servers.A.dbCpuMsPerRequest, servers.B.dbCpuMsPerRequest]).toEqual([8, 4]);
    expect(servers.A.replyKbPerRequest).toBe(40);
    const ratios = ratiosOf(servers);
    expect(ratios['A/B']).toBeCloseTo(50 / 90, 10);
    expect(ratios['A/C']).toBeCloseTo(50 / 72, 10);
    expect(ratios['A/D']).toBeCloseTo(50 / 160, 10);
  });

  it('reports no database CPU where the database is not a process of ours', () => {
    const rounds = SERVERS.map((server) => ({ ...round(server, 1, 50), dbCpuMsPerRequest: null }));
    expect(summarise(rounds).A.dbCpuMsPerRequest).toBeNull();
  });

  it('prints the table, the ratios, and ends with the A/B ratio line, two decimals', () => {
    const rounds = [round('A', 1, 45), round('B', 1, 60), round('C', 1, 50), round('D', 1, 150)];
    const servers = summarise(rounds);
    const text = formatReport({ servers, ratios: ratiosOf(servers), database: { kind: 'mongo-java-server' }, settings: readSettings({}) });
    const lines = text.split('\n');
    expect(lines.slice(-3)).toEqual(['ratio A/C req/s: 0.90', 'ratio A/D req/s: 0.30', 'ratio A/B req/s: 0.75']);
    expect(lines[1]).toMatch(/^server\s+req\/s\s+range\s+p50 ms\s+p99 ms\s+cpu ms\/req\s+db cpu ms\/req\s+idle ms\s+commands\/req\s+reply KB\/req$/);
    expect(text).toMatch(/A gateway\s+45\.0\s+45\.0–45\.0\s+22\.2\s+44\.4\s+10\.0\s+8\.0\s+20\.0\s+4\.0\s+40\.0/);
    expect(text).toMatch(/D http\+jit\s+150\.0/);
  });

  it('refuses bad settings by name and keeps the defaults otherwise', () => {
    expect(readSettings({})).toEqual({ seconds: 8, warmupSeconds: 3, rounds: 5, connections: 16 });
    expect(() => readSettings({ BENCH_SECONDS: '0' })).toThrow(/BENCH_SECONDS/);
    expect(() => readSettings({ BENCH_ROUNDS: 'five' })).toThrow(/BENCH_ROUNDS/);
  });
});
