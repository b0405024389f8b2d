/**
 * Hostile input corpus over HTTP (issue 7, point 8): one real gateway on the shared
 * fixture (fixed clock 2025-06-01T12:00:00Z, real HTTP, real test database) receives
 * random and mutated documents, variables, bodies, headers and methods, eight at a time,
 * and every answer is judged by ./oracle.ts: a contract status (never a 5xx but 503), a
 * well-formed GraphQL error with a contract code or data that fails closed, nothing
 * leaked. Afterwards the process still answers, known-good queries return exactly what
 * they returned before, the audit trail verifies, and no stored document changed (every
 * collection but the audit trail's, digested before and after).
 *
 * Every mutation in the corpus fails by construction (./corpus.ts), so the digest is
 * compared strictly.
 *
 * Requests the corpus once found answered against the contract are kept as fixed cases.
 *
 * Deterministic: FUZZ_SEED (default below) seeds every property; fast-check prints the
 * seed and path of a failure, and each failure message names the exact request (the
 * first failing batch ends the property; FUZZ_SHRINK=1 shrinks it instead).
 * FUZZ_SCALE multiplies the number of runs (e.g. FUZZ_SCALE=10 for a long local run);
 * FUZZ_COLLECT=1 runs every case and lists the breaches by kind instead of stopping;
 * Any non-JSON answer is a failure (FUZZ_STRICT_JSON=0 only counts them; ./oracle.ts). A summary of
 * outcomes, non-JSON answers and (collecting) breaches is written to
 * test-artifacts/fuzz-http-summary.json.
 *
 * BODY_LIMIT is 64kb here (the default is 1mb) so that bodies around and above the
 * limit stay cheap; the code path is the same. RATE_LIMIT_PER_MINUTE is 0: 2,000+
 * requests from a handful of callers would otherwise mostly be 429s.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { createDevAuthenticator } from '../../src/dev/devAuthenticator';
import { verifyAuditTrail } from '../../src/data/auditStore';
import { startTestGateway, type TestGateway } from '../support/testGateway';
import { caseArbitraries, type CaseArbitraries, type FuzzCase } from './cases';
import { digestDatabase, type DatabaseDigest } from './digest';
import { judge } from './oracle';
import { authPools, treatyModel, type AuthPools } from './pools';
import { send, type RawRequest, type RawResponse } from './rawHttp';
import { developmentAuditKeyring } from '../../src/audit/keys';

const DEV_AUDIT_KEYS = developmentAuditKeyring();

const SEED = Number(process.env['FUZZ_SEED'] ?? 7_082_025);
const SCALE = Number(process.env['FUZZ_SCALE'] ?? 1);
const BATCH = 8;
const RUNS: Record<keyof CaseArbitraries, number> = { documents: 80, variables: 65, bodies: 65, headers: 65 };
const MIN_CASES = 2_000;
const TODAY = '2025-06-01';
const BODY_LIMIT = 64 * 1024;

let tg: TestGateway;
let port: number;
let pools: AuthPools;
let arbitraries: CaseArbitraries;
let before: DatabaseDigest;
let baseline: Map<string, string>;

const stats = {
  cases: 0,
  byFamily: new Map<string, number>(),
  outcomes: new Map<string, number>(),
  nonJson: new Map<string, { count: number; example: string }>(),
  failures: 0,
  /** FUZZ_COLLECT=1: failures by problem (digits masked), with the first example. */
  problems: new Map<string, { count: number; example: string }>(),
};
const COLLECT = process.env['FUZZ_COLLECT'] === '1';

/** Known-good requests whose answers must be the same before and after the run. */
const KNOWN_GOOD: { name: string; token: string; headers: [string, string][]; query: string }[] = [
  { name: 'ITA anti-trafficking page', token: 'valid ITA ELEVATED CASEWORKER', headers: [['X-Agreement-Id', 'AGR-MED-TIP-2024'], ['X-Purpose', 'ANTI_TRAFFICKING']], query: '{ migrants(first: 100) { totalCount edges { node { id givenName familyName dateOfBirth religion victimStatus { status } } } } }' },
  { name: 'IOM statistics', token: 'valid IOM STANDARD ANALYST', headers: [['X-Agreement-Id', 'AGR-MED-TIP-2024'], ['X-Purpose', 'STATISTICS']], query: '{ statistics(groupBy: [NATIONALITY]) { total suppressedCells cells { key count suppressed } } }' },
  { name: 'NGA data requests', token: 'valid NGA STANDARD CASEWORKER', headers: [['X-Agreement-Id', 'AGR-ITA-NGA-READMISSION-2023'], ['X-Purpose', 'LAW_ENFORCEMENT']], query: '{ dataRequests(direction: OUTGOING) { id status categories validUntil } }' },
  { name: 'agreements', token: 'valid ITA ELEVATED CASEWORKER', headers: [], query: '{ agreements { id status parties { code } grants { purpose subjectScope } } }' },
];

function jsonPost(token: string, headers: [string, string][], query: string): RawRequest {
  return { method: 'POST', target: '/graphql', headers: [['Content-Type', 'application/json'], ['Authorization', token], ...headers], body: Buffer.from(JSON.stringify({ query })), framing: { kind: 'length' } };
}

/** The data of each known-good request (its extensions minus the audit id). */
async function knownGoodAnswers(): Promise<Map<string, string>> {
  const answers = new Map<string, string>();
  for (const k of KNOWN_GOOD) {
    const token = pools.valid.find((v) => v.note === k.token);
    if (!token) throw new Error(`no token "${k.token}" in the pool`);
    const response = await send(port, jsonPost(token.value!, k.headers, k.query));
    const body = JSON.parse(response.body.toString('utf8')) as { data?: unknown; errors?: unknown; extensions?: { privacy?: { fields?: unknown } } };
    expect({ name: k.name, status: response.status, errors: body.errors }).toEqual({ name: k.name, status: 200, errors: undefined });
    answers.set(k.name, JSON.stringify({ data: body.data, fields: body.extensions?.privacy?.fields ?? null }));
  }
  return answers;
}

/** A compact, printable account of a case (fast-check prints counterexamples with it). */
function describeCase(c: FuzzCase): string {
  const r = c.request;
  const value = (v: string): string => JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}...(${v.length} chars)` : v);
  const body = r.body.length > 300 ? `${JSON.stringify(r.body.subarray(0, 300).toString('latin1'))}...(${r.body.length} bytes)` : JSON.stringify(r.body.toString('latin1'));
  return [
    `[${c.family}: ${c.label}; auth ${c.auth}; context ${c.context}]`,
    `${r.method} ${value(r.target)} framing=${JSON.stringify(r.framing)}${r.halfClose ? ' half-close' : ''}${r.noHost ? ' no-Host' : ''}`,
    ...r.headers.map(([k, v]) => `  ${k}: ${value(v)}`),
    `  body (latin1): ${body}`,
  ].join('\n');
}

function describeResponse(response: RawResponse): string {
  const type = response.headers.get('content-type')?.join(', ') ?? 'none';
  return `${response.status || 'no answer'} (${type}) ${response.failure ?? ''} ${JSON.stringify(response.body.toString('utf8').slice(0, 400))}`;
}

/** Counterexamples print as one line per case; the failure's cause has the full request. */
const printable = (c: FuzzCase): FuzzCase => Object.assign(c, { [fc.toStringMethod]: () => describeCase(c).split('\n')[0]! });

beforeAll(async () => {
  const now = new Date(`${TODAY}T12:00:00Z`);
  tg = await startTestGateway({ dbName: 'test_fuzz_http', fixture: true, clock: () => now, env: { RATE_LIMIT_PER_MINUTE: '0', BODY_LIMIT: '64kb' } });
  port = Number(new URL(tg.url).port);
  pools = await authPools(createDevAuthenticator());
  arbitraries = caseArbitraries({ valid: pools.valid, invalid: pools.invalid, treaty: treatyModel(TODAY), bodyLimit: BODY_LIMIT });
  baseline = await knownGoodAnswers();
  before = await digestDatabase(tg.db);
}, 60_000);

afterAll(async () => {
  const summary = {
    seed: SEED,
    scale: SCALE,
    cases: stats.cases,
    failures: stats.failures,
    byFamily: Object.fromEntries(stats.byFamily),
    outcomes: Object.fromEntries([...stats.outcomes].sort((a, b) => b[1] - a[1])),
    nonJson: Object.fromEntries(stats.nonJson),
    problems: Object.fromEntries(stats.problems),
  };
  const dir = join(__dirname, '..', '..', 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'fuzz-http-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await tg?.close();
});

describe('hostile input over HTTP', () => {
  it('the forged tokens of the corpus are refused by the authenticator', () => {
    expect(pools.acceptedForgeries).toEqual([]);
    expect(pools.valid.filter((v) => v.note.startsWith('valid ')).length).toBeGreaterThanOrEqual(10);
  });

  // Requests the corpus found answered against the contract, kept as fixed cases.
  const json = (body: string, headers: [string, string][] = []): RawRequest => ({ method: 'POST', target: '/graphql', headers: [['Content-Type', 'application/json'], ...headers], body: Buffer.from(body), framing: { kind: 'length' } });
  const MED: [string, string][] = [['X-Agreement-Id', 'AGR-MED-TIP-2024'], ['X-Purpose', 'ANTI_TRAFFICKING']];
  const REGRESSIONS: { name: string; request: () => RawRequest; context: FuzzCase['context'] }[] = [
    { name: '"extensions": null (was 500: TypeError destructuring null)', request: () => json('{"query":"{ me { party } }","extensions":null}'), context: 'invalid' },
    { name: 'GET with extensions=null (was 500)', request: () => ({ method: 'GET', target: '/graphql?query=%7B%20me%20%7B%20party%20%7D%20%7D&extensions=null', headers: [], body: Buffer.alloc(0), framing: { kind: 'none' } }), context: 'invalid' },
    { name: 'two operations, no operationName, no treaty context (was 500: treaty guard error without a status)', request: () => json(JSON.stringify({ query: 'query A { me { party } } query B { migrants { totalCount } }' })), context: 'invalid' },
    { name: 'a list value nested 4,000 deep (was 400 "Maximum call stack size exceeded")', request: () => json(JSON.stringify({ query: `{ statistics(groupBy: ${'['.repeat(4_000)}NATIONALITY${']'.repeat(4_000)}) { total } }` }), MED), context: 'valid' },
    { name: 'an input object nested 2,400 deep', request: () => json(JSON.stringify({ query: `{ migrants(filter: ${'{ holder: '.repeat(2_400)}"ITA"${' }'.repeat(2_400)}) { totalCount } }` }), MED), context: 'valid' },
    { name: 'a selection nested 2,400 deep', request: () => json(JSON.stringify({ query: `{ migrants { edges { node {${' family {'.repeat(2_400)} id ${'}'.repeat(2_400)} } } } }` }), MED), context: 'valid' },
  ];
  it.each(REGRESSIONS.map((r) => [r.name, r] as const))('fixed case: %s', async (_name, r) => {
    const token = pools.valid.find((v) => v.note === 'valid ITA ELEVATED CASEWORKER')!;
    const request = r.request();
    request.headers.push(['Authorization', token.value!]);
    const c: FuzzCase = { family: 'bodies', label: r.name, request, auth: 'valid', context: r.context, ...(r.context === 'valid' ? { agreement: 'AGR-MED-TIP-2024', purpose: 'ANTI_TRAFFICKING' } : {}) };
    const response = await send(port, request);
    const verdict = judge(c, response);
    expect({ problems: verdict.problems, answer: describeResponse(response) }).toEqual({ problems: [], answer: expect.any(String) });
  });

  const families = Object.keys(RUNS) as (keyof CaseArbitraries)[];
  families.forEach((family, index) => {
    it(
      `${family}: every answer is a contract answer (${RUNS[family] * BATCH * SCALE} cases, ${BATCH} in parallel)`,
      async () => {
        const batch = fc.array(
          fc.constant(null).chain(() => arbitraries[family].map(printable)),
          { minLength: BATCH, maxLength: BATCH },
        );
        await fc.assert(
          fc.asyncProperty(batch, async (cases) => {
            const responses = await Promise.all(cases.map((c) => send(port, c.request)));
            const failures: string[] = [];
            cases.forEach((c, i) => {
              const response = responses[i]!;
              const verdict = judge(c, response);
              stats.cases++;
              stats.byFamily.set(family, (stats.byFamily.get(family) ?? 0) + 1);
              const outcome = `${family}: ${verdict.outcome}`;
              stats.outcomes.set(outcome, (stats.outcomes.get(outcome) ?? 0) + 1);
              if (verdict.nonJson) {
                const entry = stats.nonJson.get(verdict.outcome) ?? { count: 0, example: `${verdict.nonJson} <- ${describeCase(c).split('\n').slice(0, 2).join(' ')}` };
                entry.count++;
                stats.nonJson.set(verdict.outcome, entry);
              }
              if (verdict.problems.length > 0) {
                stats.failures++;
                const account = `${verdict.problems.join('\n  ')}\nrequest:\n${describeCase(c)}\nanswer: ${describeResponse(response)}`;
                failures.push(account);
                for (const problem of verdict.problems) {
                  const key = problem.replace(/\d+/g, 'N').slice(0, 100);
                  const entry = stats.problems.get(key) ?? { count: 0, example: account };
                  entry.count++;
                  stats.problems.set(key, entry);
                }
              }
            });
            if (failures.length > 0 && !COLLECT) throw new Error(`${failures.length} of ${cases.length} answers break the contract:\n\n${failures.join('\n\n')}`);
          }),
          { seed: SEED + index, numRuns: Math.max(1, Math.round(RUNS[family] * SCALE)), endOnFailure: process.env['FUZZ_SHRINK'] !== '1' },
        );
      },
      120_000 * SCALE,
    );
  });

  it(
    `afterwards: at least ${MIN_CASES} cases ran, the process answers, known-good queries answer as before, the audit trail verifies, no stored document changed`,
    async () => {
      if (SCALE >= 1) expect(stats.cases).toBeGreaterThanOrEqual(MIN_CASES);
      const health = await send(port, { method: 'GET', target: '/healthz', headers: [], body: Buffer.alloc(0), framing: { kind: 'none' } });
      expect(health.status).toBe(200);
      const ready = await send(port, { method: 'GET', target: '/readyz', headers: [], body: Buffer.alloc(0), framing: { kind: 'none' } });
      expect(ready.status).toBe(200);
      expect(await knownGoodAnswers()).toEqual(baseline);
      expect((await verifyAuditTrail(tg.db, DEV_AUDIT_KEYS.byId)).valid).toBe(true);
      expect(await digestDatabase(tg.db)).toEqual(before);
    },
    60_000,
  );
});
