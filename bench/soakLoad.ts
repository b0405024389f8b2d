/**
 * The soak's load generator, in a process of its own so that it doesn't share an event
 * loop with the gateway or the sampler: `tsx bench/soakLoad.ts '<SoakLoadSpec as JSON>'`.
 *
 * Two modes, one mix (bench/soakMix.ts):
 * - `closed`: `connections` workers, each sending its next request when the previous one
 *   has been answered; the completed requests per second of the measured window are the
 *   gateway's saturation rate for this mix.
 * - `open`: requests are scheduled at a fixed rate (evenly spaced), whatever the answers,
 *   and each latency is measured from the request's scheduled time, not from when it
 *   could be sent: a slow gateway makes requests wait and that wait is counted (no
 *   coordinated omission). In-flight requests are not capped; each times out after 10 s.
 *
 * Before the load, it signs development tokens (16 `sub`s per caller) and discovers
 * pseudonyms through the gateway. After it, it waits for what is in flight and withdraws
 * every consent and data request the mix left open (clean-up, not measured).
 *
 * Contract: prints `soak-load phase=measure` when the measured phase begins and
 * `soak-load phase=end` when its last request has been scheduled, then one line, a
 * `LoadReport` as JSON (plus `nextConsentPair`), as the last line of standard output; exits
 * 0 when it ran (unexpected responses are reported, not fatal), non-zero when it could
 * not run at all.
 */
import { Agent, request as httpRequest } from 'node:http';
import { signDevToken } from '../src/dev/devKeys';
import type { Clearance, Role } from '../src/policy/taxonomy';
import { exitWhenParentGoes } from './processes';
import {
  AGREEMENT_MED,
  AGREEMENT_NGA,
  CALLERS,
  MIX_WEIGHTS,
  MutationCycles,
  buildRequest,
  classify,
  pickOne,
  pickWeighted,
  seededRandom,
  type Caller,
  type Discovered,
  type OperationLabel,
  type SoakRequest,
} from './soakMix';
import { percentile, timelineOf, type LoadReport, type OperationTally } from './soakReport';

export interface SoakLoadSpec {
  /** The gateway, e.g. `http://127.0.0.1:4000`. */
  readonly baseUrl: string;
  readonly mode: 'closed' | 'open';
  /** Seconds at the same load before the measured phase. */
  readonly warmupSeconds: number;
  /** Seconds of the measured phase. */
  readonly seconds: number;
  /** Closed loop: concurrent workers. */
  readonly connections?: number;
  /** Open loop: requests per second. */
  readonly rate?: number;
  readonly seed: number;
  /** The first (subject, purpose) pair the consents may use (an earlier run used those before). */
  readonly firstConsentPair: number;
}

export type SoakLoadResult = LoadReport & { readonly nextConsentPair: number };

export const PHASE_MEASURE = 'soak-load phase=measure';
export const PHASE_END = 'soak-load phase=end';

const REQUEST_TIMEOUT_MS = 10_000;
const SUBS_PER_CALLER = 16;
const MAX_UNEXPECTED_SAMPLES = 20;

// ---------------------------------------------------------------------------------------
// HTTP

type Answer = { readonly status: number; readonly text: string } | { readonly error: string };

/** Keep-alive connections, handed out first-in first-out so that none sits idle long enough to be closed under it. */
function agentFor(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, scheduling: 'fifo' });
}

function post(agent: Agent, url: URL, headers: Readonly<Record<string, string>>, body: string): Promise<Answer> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (answer: Answer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    };
    const req = httpRequest(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => settle({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (error) => settle({ error: `response error: ${error.message}` }));
      },
    );
    const timer = setTimeout(() => {
      settle({ error: `timeout after ${REQUEST_TIMEOUT_MS} ms` });
      req.destroy();
    }, REQUEST_TIMEOUT_MS);
    req.on('error', (error) => settle({ error: `connection error: ${error.message}` }));
    req.end(body);
  });
}

// ---------------------------------------------------------------------------------------
// Set-up: tokens and pseudonyms

type Tokens = Record<Caller, string[]>;

async function signTokens(): Promise<Tokens> {
  const tokens = {} as Tokens;
  for (const caller of Object.keys(CALLERS) as Caller[]) {
    const { party, clearance, roles } = CALLERS[caller];
    tokens[caller] = await Promise.all(
      Array.from({ length: SUBS_PER_CALLER }, (_unused, index) =>
        signDevToken({ party, clearance: clearance as Clearance, roles: roles as Role[], sub: `soak-${caller}-${String(index + 1).padStart(2, '0')}`, agency: `${party}-SOAK` }),
      ),
    );
  }
  return tokens;
}

interface PageOfIds {
  ids: { id: string; holder: string | null }[];
  totalCount: number;
}

/** Every record of a context, by pseudonym and holder, read 500 at a time. */
async function listAll(agent: Agent, url: URL, token: string, agreementId: string, purpose: string, filter: Record<string, unknown> | null): Promise<PageOfIds> {
  const query = `query SoakDiscover($after: String, $filter: MigrantFilter) {
    migrants(first: 500, after: $after, filter: $filter) { totalCount edges { node { id holder { code } } } pageInfo { hasNextPage endCursor } }
  }`;
  const ids: PageOfIds['ids'] = [];
  let after: string | null = null;
  let totalCount = 0;
  for (;;) {
    const answer = await post(agent, url, { authorization: `Bearer ${token}`, 'x-agreement-id': agreementId, 'x-purpose': purpose }, JSON.stringify({ query, variables: { after, filter } }));
    if ('error' in answer) throw new Error(`discovery (${agreementId} ${purpose}): ${answer.error}`);
    const body = JSON.parse(answer.text) as {
      data?: { migrants: { totalCount: number; edges: { node: { id: string; holder: { code: string } | null } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
      errors?: unknown[];
    };
    if (answer.status !== 200 || !body.data || body.errors) throw new Error(`discovery (${agreementId} ${purpose}): HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
    const page = body.data.migrants;
    totalCount = page.totalCount;
    ids.push(...page.edges.map((edge) => ({ id: edge.node.id, holder: edge.node.holder?.code ?? null })));
    if (!page.pageInfo.hasNextPage || page.pageInfo.endCursor === null) break;
    after = page.pageInfo.endCursor;
  }
  return { ids, totalCount };
}

async function discover(agent: Agent, url: URL, tokens: Tokens): Promise<Discovered> {
  const ita = await listAll(agent, url, tokens.itaCaseworker[0]!, AGREEMENT_MED, 'ANTI_TRAFFICKING', { holder: 'ITA' });
  const readmission = await listAll(agent, url, tokens.ngaCaseworker[0]!, AGREEMENT_NGA, 'RETURN_AND_READMISSION', null);
  const lawEnforcement = await listAll(agent, url, tokens.ngaCaseworker[0]!, AGREEMENT_NGA, 'LAW_ENFORCEMENT', null);
  const discovered: Discovered = {
    itaIds: ita.ids.map((entry) => entry.id),
    ngaSubjectIds: readmission.ids.filter((entry) => entry.holder === 'ITA').map((entry) => entry.id),
    ngaReadmissionCount: readmission.totalCount,
    ngaLawEnforcementCount: lawEnforcement.totalCount,
  };
  if (discovered.itaIds.length <= 20 || discovered.ngaSubjectIds.length === 0) {
    throw new Error(`discovery found too few records: ${discovered.itaIds.length} ITA-held, ${discovered.ngaSubjectIds.length} NGA may ask about`);
  }
  return discovered;
}

// ---------------------------------------------------------------------------------------
// The run

class Run {
  readonly operations: Partial<Record<OperationLabel, OperationTally>> = {};
  unexpected = 0;
  readonly unexpectedSamples: string[] = [];
  sent = 0;
  inFlight = 0;
  maxInFlight = 0;
  readonly sendLags: number[] = [];
  /** `[scheduled time from the start of the load, latency]` of every request of the warm-up and the measured phase. */
  readonly latencyLog: [number, number][] = [];
  /** When the load began (performance.now()); set by the loop. */
  loadStart = 0;
  private readonly pending = new Set<Promise<void>>();
  private readonly random: () => number;
  private readonly cycles: MutationCycles;

  constructor(
    private readonly agent: Agent,
    private readonly url: URL,
    private readonly tokens: Tokens,
    private readonly discovered: Discovered,
    seed: number,
    firstConsentPair: number,
  ) {
    this.random = seededRandom(seed);
    this.cycles = new MutationCycles(discovered, firstConsentPair);
  }

  private token = (caller: Caller): string => pickOne(this.tokens[caller], this.random());

  next(): SoakRequest {
    return buildRequest(pickWeighted(MIX_WEIGHTS, this.random()), this.discovered, this.cycles, this.token, this.random);
  }

  /** Sends `request`; `startedAt` is when it was due. `measured`: whether it counts in the table. */
  send(request: SoakRequest, startedAt: number, measured: boolean, onDone?: (finishedAt: number) => void, logged = true): Promise<void> {
    this.sent++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const done = post(this.agent, this.url, request.headers, request.body).then((answer) => {
      const finishedAt = performance.now();
      this.inFlight--;
      const outcome = 'error' in answer ? { expected: false as const, reason: answer.error } : classify(request.expectation, answer.status, answer.text);
      if (outcome.expected) {
        if ('text' in answer && request.onExpected) request.onExpected((JSON.parse(answer.text) as { data: Record<string, unknown> }).data);
      } else {
        this.unexpected++;
        request.onUnexpected?.();
        const sample = `${request.label}: ${outcome.reason}`;
        if (this.unexpectedSamples.length < MAX_UNEXPECTED_SAMPLES && !this.unexpectedSamples.includes(sample)) this.unexpectedSamples.push(sample);
      }
      if (logged) this.latencyLog.push([Math.round(startedAt - this.loadStart), finishedAt - startedAt]);
      if (measured) {
        const tally = (this.operations[request.label] ??= { count: 0, expected: 0, latenciesMs: [] });
        tally.count++;
        if (outcome.expected) tally.expected++;
        tally.latenciesMs.push(Math.round((finishedAt - startedAt) * 100) / 100);
      }
      onDone?.(finishedAt);
    });
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
    return done;
  }

  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Withdraws what the mix left open, one request at a time. */
  async cleanUp(): Promise<void> {
    for (;;) {
      const requests = this.cycles.cleanupRequests(this.token);
      if (requests.length === 0) return;
      for (const request of requests) await this.send(request, performance.now(), false, undefined, false);
    }
  }

  report(mode: 'closed' | 'open', measuredSeconds: number, completedInWindow: number, spec: SoakLoadSpec): SoakLoadResult {
    return {
      mode,
      operations: this.operations,
      unexpected: this.unexpected,
      unexpectedSamples: this.unexpectedSamples,
      sent: this.sent,
      measuredSeconds,
      completedPerSecond: completedInWindow / measuredSeconds,
      rate: spec.rate ?? null,
      connections: spec.connections ?? null,
      sendLagP99Ms: percentile(this.sendLags, 99) || 0,
      sendLagMaxMs: this.sendLags.length === 0 ? 0 : Math.max(...this.sendLags),
      maxInFlight: this.maxInFlight,
      consentPairsExhausted: this.cycles.exhausted,
      timeline: timelineOf(this.latencyLog),
      nextConsentPair: this.cycles.nextConsentPair(),
    };
  }
}

/** Closed loop: `connections` workers back to back; completions counted in the measured window. */
async function closedLoop(run: Run, spec: SoakLoadSpec): Promise<SoakLoadResult> {
  const connections = spec.connections ?? 16;
  const start = performance.now();
  run.loadStart = start;
  const measureFrom = start + spec.warmupSeconds * 1_000;
  const measureTo = measureFrom + spec.seconds * 1_000;
  let completedInWindow = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const now = performance.now();
      if (now >= measureTo) return;
      await run.send(run.next(), now, now >= measureFrom, (finishedAt) => {
        if (finishedAt >= measureFrom && finishedAt < measureTo) completedInWindow++;
      });
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  await run.cleanUp();
  return run.report('closed', spec.seconds, completedInWindow, spec);
}

/** Open loop: one request every 1/rate seconds, latency from the scheduled time. */
async function openLoop(run: Run, spec: SoakLoadSpec): Promise<SoakLoadResult> {
  const rate = spec.rate ?? 0;
  if (!(rate > 0)) throw new Error('the open loop needs rate > 0');
  const interval = 1_000 / rate;
  const warmupSlots = Math.round(spec.warmupSeconds * rate);
  const totalSlots = warmupSlots + Math.round(spec.seconds * rate);
  const start = performance.now() + 50;
  run.loadStart = start;
  const measureFrom = start + warmupSlots * interval;
  const measureTo = start + totalSlots * interval;
  let completedInWindow = 0;
  let slot = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      while (slot < totalSlots && start + slot * interval <= now) {
        const due = start + slot * interval;
        const measured = slot >= warmupSlots;
        if (slot === warmupSlots) process.stdout.write(`${PHASE_MEASURE}\n`);
        if (measured) run.sendLags.push(now - due);
        void run.send(run.next(), due, measured, (finishedAt) => {
          if (finishedAt >= measureFrom && finishedAt < measureTo) completedInWindow++;
        });
        slot++;
      }
      if (slot < totalSlots) setTimeout(tick, Math.max(0, start + slot * interval - performance.now()));
      else resolve();
    };
    setTimeout(tick, Math.max(0, start - performance.now()));
  });
  process.stdout.write(`${PHASE_END}\n`);
  await run.drain();
  await run.cleanUp();
  return run.report('open', spec.seconds, completedInWindow, spec);
}

export async function runSoakLoad(spec: SoakLoadSpec): Promise<SoakLoadResult> {
  const url = new URL('/graphql', spec.baseUrl);
  const agent = agentFor(spec.mode === 'closed' ? (spec.connections ?? 16) : 512);
  try {
    const tokens = await signTokens();
    const discovered = await discover(agent, url, tokens);
    process.stderr.write(
      `soak-load: ${discovered.itaIds.length} ITA-held records, ${discovered.ngaSubjectIds.length} NGA may ask about; ` +
        `NGA sees ${discovered.ngaReadmissionCount} (RETURN_AND_READMISSION), ${discovered.ngaLawEnforcementCount} (LAW_ENFORCEMENT)\n`,
    );
    const run = new Run(agent, url, tokens, discovered, spec.seed, spec.firstConsentPair);
    return spec.mode === 'closed' ? await closedLoop(run, spec) : await openLoop(run, spec);
  } finally {
    agent.destroy();
  }
}

function parseSpec(text: string | undefined): SoakLoadSpec {
  if (!text) throw new Error("usage: tsx bench/soakLoad.ts '<SoakLoadSpec JSON>'");
  const spec = JSON.parse(text) as SoakLoadSpec;
  if (typeof spec.baseUrl !== 'string' || (spec.mode !== 'closed' && spec.mode !== 'open') || !(spec.seconds > 0) || !(spec.warmupSeconds >= 0)) {
    throw new Error('the soak load spec needs baseUrl, mode closed|open, seconds > 0 and warmupSeconds >= 0');
  }
  return spec;
}

async function main(): Promise<void> {
  exitWhenParentGoes(() => process.exit(1));
  const result = await runSoakLoad(parseSpec(process.argv[2]));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`soak load failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
