/**
 * The soak's request mix (`npm run soak`): what is sent, as whom, and what each request
 * expects. Pure: no network; the load generator (bench/soakLoad.ts) supplies tokens,
 * the pseudonyms it discovered and a seeded random source.
 *
 * Contracts:
 * - Every request carries its expectation, so "unexpected" is defined per request: a
 *   different HTTP status, a different error code (or any error where none is expected),
 *   a body that is not a JSON object, or data that fails the request's own check.
 * - The same seed and the same discovered pseudonyms give the same sequence of requests
 *   (for one sequence of completed mutations).
 * - Mutations clean up after themselves: a consent is recorded then withdrawn, a data
 *   request submitted then withdrawn (`MutationCycles`). The soak also imports a fresh
 *   world before every run, so runs repeat on the same day: consents use purposes no
 *   consent of the generated world has, and each (subject, purpose) pair is recorded at
 *   most once per run (a consent's id includes the day it is given, so a second
 *   record on the same day would return the withdrawn one).
 */

/** The weighted kinds: 60% reads, 20% statistics, 12% refusals, 8% mutations. */
export const MIX_WEIGHTS = {
  'ita-page': 22,
  'ita-migrant': 10,
  'nga-law-enforcement': 8,
  'nga-readmission': 6,
  entitlements: 7,
  me: 7,
  statistics: 20,
  'refuse-purpose': 3,
  'refuse-token': 3,
  'refuse-suspended': 3,
  'refuse-filter': 3,
  consent: 4,
  'data-request': 4,
} as const satisfies Record<string, number>;

export type MixKind = keyof typeof MIX_WEIGHTS;

/** What a request is reported as: its kind, or for mutation kinds the operation actually sent. */
export type OperationLabel = Exclude<MixKind, 'consent' | 'data-request'> | 'consent-record' | 'consent-withdraw' | 'request-submit' | 'request-withdraw';

/** The table's rows, in order. */
export const OPERATION_LABELS: readonly OperationLabel[] = [
  'ita-page',
  'ita-migrant',
  'nga-law-enforcement',
  'nga-readmission',
  'entitlements',
  'me',
  'statistics',
  'refuse-purpose',
  'refuse-token',
  'refuse-suspended',
  'refuse-filter',
  'consent-record',
  'consent-withdraw',
  'request-submit',
  'request-withdraw',
];

// ---------------------------------------------------------------------------------------
// Random source and selection

/** A seeded PRNG (mulberry32): returns numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The key of `weights` that `r` (in [0, 1)) falls on, walking the keys in their order:
 * a key is chosen with probability weight / total. Throws for no positive weight or r
 * outside [0, 1).
 */
export function pickWeighted<K extends string>(weights: Readonly<Record<K, number>>, r: number): K {
  const entries = Object.entries(weights) as [K, number][];
  const total = entries.reduce((sum, [, weight]) => sum + Math.max(0, weight), 0);
  if (!(total > 0)) throw new Error('pickWeighted: no positive weight');
  if (!(r >= 0 && r < 1)) throw new Error(`pickWeighted: r must be in [0, 1), got ${r}`);
  let point = r * total;
  for (const [key, weight] of entries) {
    if (weight <= 0) continue;
    if (point < weight) return key;
    point -= weight;
  }
  // Floating-point rounding at the very top: the last positive weight.
  return entries.filter(([, weight]) => weight > 0).at(-1)![0];
}

/** One element of a non-empty list, by `r` in [0, 1). */
export function pickOne<T>(items: readonly T[], r: number): T {
  if (items.length === 0) throw new Error('pickOne: empty list');
  return items[Math.min(items.length - 1, Math.floor(r * items.length))]!;
}

// ---------------------------------------------------------------------------------------
// Expectations and their classification

/** What a request expects: a success whose data passes `check`, or a refusal with a code. */
export type Expectation =
  | { readonly kind: 'data'; readonly check: (data: Record<string, unknown>) => string | null }
  | { readonly kind: 'refusal'; readonly status: number; readonly code: string };

export type Outcome = { readonly expected: true } | { readonly expected: false; readonly reason: string };

const EXPECTED: Outcome = { expected: true };

function unexpected(reason: string): Outcome {
  return { expected: false, reason };
}

interface GraphqlBody {
  data?: unknown;
  errors?: unknown;
}

/**
 * Whether a response is what `expectation` says. A success is HTTP 200, a JSON object
 * without `errors` and with an object `data` that passes the check; a refusal is the
 * expected HTTP status with a non-empty `errors` list in which every error carries the
 * expected `extensions.code`, and no data (`data` absent or null).
 */
export function classify(expectation: Expectation, status: number, text: string): Outcome {
  let body: GraphqlBody;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return unexpected(`HTTP ${status}: body is not a JSON object`);
    body = parsed as GraphqlBody;
  } catch {
    return unexpected(`HTTP ${status}: body is not JSON (${text.slice(0, 60).replace(/\s+/g, ' ')})`);
  }
  const codes = errorCodes(body.errors);
  if (expectation.kind === 'data') {
    if (codes !== null && codes.length > 0) return unexpected(`HTTP ${status}: errors ${codes.join(',')} where data was expected`);
    if (body.errors !== undefined) return unexpected(`HTTP ${status}: malformed errors`);
    if (status !== 200) return unexpected(`HTTP ${status} where 200 was expected`);
    if (typeof body.data !== 'object' || body.data === null || Array.isArray(body.data)) return unexpected('HTTP 200: no data');
    const problem = expectation.check(body.data as Record<string, unknown>);
    return problem === null ? EXPECTED : unexpected(`HTTP 200: ${problem}`);
  }
  if (codes === null || codes.length === 0) return unexpected(`HTTP ${status}: no errors where ${expectation.code} was expected`);
  const wrong = codes.filter((code) => code !== expectation.code);
  if (wrong.length > 0) return unexpected(`HTTP ${status}: ${wrong.join(',')} where ${expectation.code} was expected`);
  if (status !== expectation.status) return unexpected(`HTTP ${status} with ${expectation.code} where HTTP ${expectation.status} was expected`);
  if (body.data !== undefined && body.data !== null) return unexpected(`HTTP ${status}: data beside the refusal ${expectation.code}`);
  return EXPECTED;
}

/** The `extensions.code` of each error (`<none>` where missing); null when `errors` is not a list. */
function errorCodes(errors: unknown): string[] | null {
  if (!Array.isArray(errors)) return null;
  return errors.map((error: unknown) => {
    const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
    return typeof code === 'string' ? code : '<none>';
  });
}

// ---------------------------------------------------------------------------------------
// The requests

/** A caller of the mix: a token per `sub`, several per persona so that no one `sub` carries the load. */
export type Caller = 'itaCaseworker' | 'itaController' | 'ngaCaseworker' | 'iomAnalyst';

export const CALLERS: Readonly<Record<Caller, { party: string; clearance: 'STANDARD' | 'ELEVATED'; roles: string[] }>> = {
  itaCaseworker: { party: 'ITA', clearance: 'ELEVATED', roles: ['CASEWORKER'] },
  itaController: { party: 'ITA', clearance: 'STANDARD', roles: ['DATA_CONTROLLER'] },
  ngaCaseworker: { party: 'NGA', clearance: 'STANDARD', roles: ['CASEWORKER'] },
  iomAnalyst: { party: 'IOM', clearance: 'STANDARD', roles: ['ANALYST'] },
};

export const AGREEMENT_MED = 'AGR-MED-TIP-2024';
export const AGREEMENT_NGA = 'AGR-ITA-NGA-READMISSION-2023';
export const AGREEMENT_SUSPENDED = 'AGR-AEGEAN-BORDER-2019';

/** Purposes with no consent in the generated world: a recorded consent is always new. */
export const CONSENT_PURPOSES = ['FAMILY_REUNIFICATION', 'BORDER_CONTROL', 'RETURN_AND_READMISSION', 'LAW_ENFORCEMENT', 'STATISTICS'] as const;

/** Records of each page query. */
export const PAGE_SIZE = 20;

/** What the load generator discovered before the run (pseudonyms are per agreement). */
export interface Discovered {
  /** Pseudonyms under AGR-MED-TIP-2024 of the records ITA holds, in page order. */
  readonly itaIds: readonly string[];
  /** Pseudonyms under AGR-ITA-NGA-READMISSION-2023 of ITA-held records NGA may ask about. */
  readonly ngaSubjectIds: readonly string[];
  /** Records NGA sees under LAW_ENFORCEMENT (requested only), for the page check. */
  readonly ngaLawEnforcementCount: number;
  /** Records NGA sees under RETURN_AND_READMISSION, for the page check. */
  readonly ngaReadmissionCount: number;
}

export interface SoakRequest {
  readonly label: OperationLabel;
  /** `null`: no Authorization header. */
  readonly caller: Caller | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly expectation: Expectation;
  /** For mutations: called with the response's data once it was as expected. */
  readonly onExpected?: (data: Record<string, unknown>) => void;
  /** For mutations: called when the response was not as expected (the state is released). */
  readonly onUnexpected?: () => void;
}

function treaty(agreementId: string, purpose: string): Record<string, string> {
  return { 'x-agreement-id': agreementId, 'x-purpose': purpose };
}

function graphql(query: string, variables: Record<string, unknown> = {}): string {
  return JSON.stringify({ query, variables });
}

function path(data: Record<string, unknown>, ...keys: string[]): unknown {
  let value: unknown = data;
  for (const key of keys) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A check that `data.<field>.edges` has exactly `count` entries. */
function edgesExactly(field: string, count: number): (data: Record<string, unknown>) => string | null {
  return (data) => {
    const edges = path(data, field, 'edges');
    if (!Array.isArray(edges)) return `${field}.edges missing`;
    return edges.length === count ? null : `${field}.edges has ${edges.length} records, expected ${count}`;
  };
}

const ITA_PAGE = `query SoakItaPage($after: String, $filter: MigrantFilter) {
  migrants(first: ${PAGE_SIZE}, after: $after, filter: $filter) {
    edges { cursor node { id holder { code } givenName familyName dateOfBirth sex nationality legalStatus arrivalDate
      address { city country } documents { type number expiresOn } victimStatus { status } health { vulnerabilities } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const ITA_MIGRANT = `query SoakItaMigrant($id: ID!) {
  migrant(id: $id) { id givenName familyName dateOfBirth nationality legalStatus family { id givenName }
    victimStatus { status exploitationType } health { conditions vulnerabilities } religion }
}`;

const NGA_PAGE = `query SoakNgaPage {
  migrants(first: ${PAGE_SIZE}) {
    totalCount
    edges { node { id givenName familyName nationality documents { type number issuingCountry } legalStatus criminalRecord { convictions { offence year } } } }
  }
}`;

const ENTITLEMENTS = `query SoakEntitlements { entitlements { agreementId purpose subjectScope fields { coordinate action reason } filters { argument permitted } statistics { dimension permitted } } }`;

const ME = `query SoakMe { me { sub party clearance roles } }`;

export const STATISTICS = `query SoakStatistics($groupBy: [StatDimension!]!, $filter: StatisticsFilter) {
  statistics(groupBy: $groupBy, filter: $filter) { groupBy cells { key count suppressed } total suppressedCells minCellSize }
}`;

/** The statistics tables of the mix (those of `npm run bench:stats`). */
export const STATISTICS_TABLES: readonly { groupBy: string[]; filter: Record<string, unknown> | null }[] = [
  { groupBy: ['NATIONALITY'], filter: null },
  { groupBy: ['AGE_BAND', 'SEX'], filter: null },
  { groupBy: ['NATIONALITY', 'AGE_BAND', 'LEGAL_STATUS'], filter: null },
  { groupBy: ['VICTIM_STATUS', 'HOLDER'], filter: { sex: 'F' } },
  { groupBy: ['ARRIVAL_YEAR', 'LEGAL_STATUS'], filter: null },
];

const FILTER_REFUSED = `query SoakFilterRefused($familyName: String) { migrants(first: 5, filter: { familyName: $familyName }) { edges { node { id } } } }`;

const RECORD_CONSENT = `mutation SoakRecordConsent($migrantId: ID!, $purpose: Purpose!, $evidence: String!) {
  recordConsent(migrantId: $migrantId, purpose: $purpose, evidence: $evidence) { migrantId purpose active withdrawnAt }
}`;

const WITHDRAW_CONSENT = `mutation SoakWithdrawConsent($migrantId: ID!, $purpose: Purpose!) {
  withdrawConsent(migrantId: $migrantId, purpose: $purpose) { migrantId purpose active withdrawnAt }
}`;

const SUBMIT_REQUEST = `mutation SoakSubmitRequest($input: SubmitDataRequestInput!) { submitDataRequest(input: $input) { id status } }`;

const WITHDRAW_REQUEST = `mutation SoakWithdrawRequest($id: ID!) { withdrawDataRequest(id: $id) { id status } }`;

/**
 * The mutations' state: consents recorded and not yet withdrawn, requests submitted and
 * not yet withdrawn. A mutation slot withdraws what an earlier one created when there
 * is something to withdraw, and creates otherwise; what is still open at the end is
 * withdrawn by `cleanupRequests()`.
 */
export class MutationCycles {
  /** Next unused (subject, purpose) pair, as an index over subjects × CONSENT_PURPOSES. */
  private nextPair: number;
  private readonly recorded: { migrantId: string; purpose: string }[] = [];
  private readonly submitted: string[] = [];
  private requestCounter = 0;
  /** Consent slots that found no unused pair (sent as data-request cycles instead). */
  exhausted = 0;

  /** `firstPair`: the first unused pair (an earlier run against the same database used those before it). */
  constructor(
    private readonly discovered: Discovered,
    firstPair = 0,
  ) {
    this.nextPair = firstPair;
  }

  /** The first pair no consent slot has used: where a later run against the same database starts. */
  nextConsentPair(): number {
    return this.nextPair;
  }

  /** Consents recorded and requests submitted that have not been withdrawn yet. */
  open(): { consents: number; requests: number } {
    return { consents: this.recorded.length, requests: this.submitted.length };
  }

  consent(token: (caller: Caller) => string | null, r: () => number): SoakRequest {
    const headers = withToken(token('itaController'), treaty(AGREEMENT_MED, 'ANTI_TRAFFICKING'));
    const open = this.recorded.shift();
    if (open) {
      return {
        label: 'consent-withdraw',
        caller: 'itaController',
        headers,
        body: graphql(WITHDRAW_CONSENT, open),
        expectation: {
          kind: 'data',
          check: (data) =>
            path(data, 'withdrawConsent', 'active') === false && typeof path(data, 'withdrawConsent', 'withdrawnAt') === 'string'
              ? null
              : 'withdrawConsent did not return a withdrawn consent',
        },
      };
    }
    const subjects = this.discovered.itaIds;
    if (this.nextPair >= subjects.length * CONSENT_PURPOSES.length) {
      this.exhausted++;
      return this.dataRequest(token, r);
    }
    const pair = {
      migrantId: subjects[this.nextPair % subjects.length]!,
      purpose: CONSENT_PURPOSES[Math.floor(this.nextPair / subjects.length)]!,
    };
    this.nextPair++;
    return {
      label: 'consent-record',
      caller: 'itaController',
      headers,
      body: graphql(RECORD_CONSENT, { ...pair, evidence: `soak:form-${this.nextPair}` }),
      expectation: {
        kind: 'data',
        check: (data) => (path(data, 'recordConsent', 'active') === true ? null : 'recordConsent did not return an active consent'),
      },
      onExpected: () => void this.recorded.push(pair),
    };
  }

  dataRequest(token: (caller: Caller) => string | null, r: () => number): SoakRequest {
    const headers = withToken(token('ngaCaseworker'), treaty(AGREEMENT_NGA, 'LAW_ENFORCEMENT'));
    const open = this.submitted.shift();
    if (open !== undefined) return this.withdrawRequest(open, headers);
    this.requestCounter++;
    const input = {
      agreementId: AGREEMENT_NGA,
      requestedParty: 'ITA',
      purpose: 'LAW_ENFORCEMENT',
      subjectIds: [pickOne(this.discovered.ngaSubjectIds, r())],
      categories: ['IDENTITY'],
      justification: `Soak case NG-SOAK-${this.requestCounter}`,
      validDays: 30,
    };
    return {
      label: 'request-submit',
      caller: 'ngaCaseworker',
      headers,
      body: graphql(SUBMIT_REQUEST, { input }),
      expectation: {
        kind: 'data',
        check: (data) =>
          typeof path(data, 'submitDataRequest', 'id') === 'string' && path(data, 'submitDataRequest', 'status') === 'PENDING'
            ? null
            : 'submitDataRequest did not return a PENDING request',
      },
      onExpected: (data) => void this.submitted.push(path(data, 'submitDataRequest', 'id') as string),
    };
  }

  /** Withdrawals of everything still open, emptying the state. */
  cleanupRequests(token: (caller: Caller) => string | null): SoakRequest[] {
    const requests: SoakRequest[] = [];
    const r = (): number => 0;
    while (this.recorded.length > 0) requests.push(this.consent(token, r));
    const headers = withToken(token('ngaCaseworker'), treaty(AGREEMENT_NGA, 'LAW_ENFORCEMENT'));
    for (const id of this.submitted.splice(0)) requests.push(this.withdrawRequest(id, headers));
    return requests;
  }

  private withdrawRequest(id: string, headers: Record<string, string>): SoakRequest {
    return {
      label: 'request-withdraw',
      caller: 'ngaCaseworker',
      headers,
      body: graphql(WITHDRAW_REQUEST, { id }),
      expectation: {
        kind: 'data',
        check: (data) => (path(data, 'withdrawDataRequest', 'status') === 'WITHDRAWN' ? null : 'withdrawDataRequest did not return WITHDRAWN'),
      },
    };
  }
}

function withToken(token: string | null, headers: Record<string, string>): Record<string, string> {
  return token === null ? headers : { authorization: `Bearer ${token}`, ...headers };
}

/**
 * The request for one slot of kind `kind`. `token(caller)` gives a token of one of the
 * caller's `sub`s; `r` is the random source.
 */
export function buildRequest(kind: MixKind, discovered: Discovered, cycles: MutationCycles, token: (caller: Caller) => string | null, r: () => number): SoakRequest {
  const as = (caller: Caller, headers: Record<string, string>): Record<string, string> => withToken(token(caller), headers);
  switch (kind) {
    case 'ita-page': {
      // A quarter from the start without a filter; the rest from a random ITA record onwards.
      const ids = discovered.itaIds;
      const fromStart = r() < 0.25 || ids.length <= PAGE_SIZE;
      const after = fromStart ? null : pickOne(ids.slice(0, ids.length - PAGE_SIZE), r());
      return {
        label: kind,
        caller: 'itaCaseworker',
        headers: as('itaCaseworker', treaty(AGREEMENT_MED, 'ANTI_TRAFFICKING')),
        body: graphql(ITA_PAGE, fromStart ? {} : { after, filter: { holder: 'ITA' } }),
        expectation: { kind: 'data', check: edgesExactly('migrants', PAGE_SIZE) },
      };
    }
    case 'ita-migrant': {
      const id = pickOne(discovered.itaIds, r());
      return {
        label: kind,
        caller: 'itaCaseworker',
        headers: as('itaCaseworker', treaty(AGREEMENT_MED, 'ANTI_TRAFFICKING')),
        body: graphql(ITA_MIGRANT, { id }),
        expectation: { kind: 'data', check: (data) => (path(data, 'migrant', 'id') === id ? null : 'migrant(id:) did not return the record') },
      };
    }
    case 'nga-law-enforcement':
    case 'nga-readmission': {
      const lawEnforcement = kind === 'nga-law-enforcement';
      const count = lawEnforcement ? discovered.ngaLawEnforcementCount : discovered.ngaReadmissionCount;
      return {
        label: kind,
        caller: 'ngaCaseworker',
        headers: as('ngaCaseworker', treaty(AGREEMENT_NGA, lawEnforcement ? 'LAW_ENFORCEMENT' : 'RETURN_AND_READMISSION')),
        body: graphql(NGA_PAGE),
        // LAW_ENFORCEMENT sees only subjects of approved requests: the soak's own requests are withdrawn, never approved.
        expectation: { kind: 'data', check: edgesExactly('migrants', Math.min(PAGE_SIZE, count)) },
      };
    }
    case 'entitlements': {
      const [caller, agreement, purpose] = pickOne(
        [
          ['itaCaseworker', AGREEMENT_MED, 'ANTI_TRAFFICKING'],
          ['ngaCaseworker', AGREEMENT_NGA, 'LAW_ENFORCEMENT'],
          ['iomAnalyst', AGREEMENT_MED, 'STATISTICS'],
        ] as const,
        r(),
      );
      return {
        label: kind,
        caller,
        headers: as(caller, treaty(agreement, purpose)),
        body: graphql(ENTITLEMENTS),
        expectation: {
          kind: 'data',
          check: (data) => {
            const fields = path(data, 'entitlements', 'fields');
            if (path(data, 'entitlements', 'purpose') !== purpose) return 'entitlements for another purpose';
            return Array.isArray(fields) && fields.length > 0 ? null : 'entitlements without fields';
          },
        },
      };
    }
    case 'me': {
      const caller = pickOne(Object.keys(CALLERS) as Caller[], r());
      return {
        label: kind,
        caller,
        headers: as(caller, {}),
        body: graphql(ME),
        expectation: { kind: 'data', check: (data) => (path(data, 'me', 'party') === CALLERS[caller].party ? null : 'me: another party') },
      };
    }
    case 'statistics': {
      const table = pickOne(STATISTICS_TABLES, r());
      return {
        label: kind,
        caller: 'iomAnalyst',
        headers: as('iomAnalyst', treaty(AGREEMENT_MED, 'STATISTICS')),
        body: graphql(STATISTICS, { groupBy: table.groupBy, filter: table.filter }),
        expectation: {
          kind: 'data',
          check: (data) => {
            const cells = path(data, 'statistics', 'cells');
            return Array.isArray(cells) && cells.length > 0 ? null : 'statistics without cells';
          },
        },
      };
    }
    case 'refuse-purpose':
      return {
        label: kind,
        caller: 'itaCaseworker',
        headers: as('itaCaseworker', treaty(AGREEMENT_MED, 'BORDER_CONTROL')),
        body: graphql(ITA_PAGE),
        expectation: { kind: 'refusal', status: 403, code: 'PURPOSE_NOT_GRANTED' },
      };
    case 'refuse-token':
      return {
        label: kind,
        caller: null,
        headers: treaty(AGREEMENT_MED, 'ANTI_TRAFFICKING'),
        body: graphql(ITA_PAGE),
        expectation: { kind: 'refusal', status: 401, code: 'UNAUTHENTICATED' },
      };
    case 'refuse-suspended':
      return {
        label: kind,
        caller: 'itaCaseworker',
        headers: as('itaCaseworker', treaty(AGREEMENT_SUSPENDED, 'BORDER_CONTROL')),
        body: graphql(ITA_PAGE),
        expectation: { kind: 'refusal', status: 403, code: 'AGREEMENT_NOT_IN_FORCE' },
      };
    case 'refuse-filter':
      // Names are MINIMISED for NGA under LAW_ENFORCEMENT: filtering on them would reveal them.
      return {
        label: kind,
        caller: 'ngaCaseworker',
        headers: as('ngaCaseworker', treaty(AGREEMENT_NGA, 'LAW_ENFORCEMENT')),
        body: graphql(FILTER_REFUSED, { familyName: pickOne(['Okafor', 'Adeyemi', 'Bello', 'Eze'], r()) }),
        expectation: { kind: 'refusal', status: 200, code: 'FILTER_NOT_PERMITTED' },
      };
    case 'consent':
      return cycles.consent(token, r);
    case 'data-request':
      return cycles.dataRequest(token, r);
  }
}
