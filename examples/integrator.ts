/**
 * An integrator's typed client for Treatygate: what a border, asylum or anti-trafficking
 * application needs to call the gateway with the typed documents that GraphQL Code
 * Generator makes from examples/operations/ (`npm run codegen`, see codegen.yml).
 *
 *   TREATYGATE_TOKEN=$(npm run --silent token -- --party ITA --clearance ELEVATED) \
 *   AGREEMENT_ID=AGR-MED-TIP-2024 PURPOSE=ANTI_TRAFFICKING npm run example:integrator
 *
 * Settings (environment): GATEWAY_URL (default http://127.0.0.1:4000/graphql),
 * TREATYGATE_TOKEN, AGREEMENT_ID, PURPOSE, DATA_REQUEST_ID (optional),
 * TREATYGATE_SEND=hash-only (optional, for a gateway that enforces trusted documents).
 *
 * Why no client library: a typed document and Node 20's global `fetch` are all it takes
 * to POST an operation. graphql-request 7 is ESM-only and this project is CommonJS, and
 * a caching client (Apollo Client, urql) would keep personal data that was disclosed for
 * one purpose in a cache that the next screen, under another purpose, reads from.
 *
 * Every operation is sent as a persisted document: its sha256 hash in
 * `extensions.persistedQuery` together with the exact text that the hash was taken of
 * (from examples/generated/persisted-documents.json). Apollo Server checks that the pair
 * matches, so this works with any Treatygate today; `send: 'hash-only'` leaves the text
 * out, as a gateway that runs only trusted documents (TRUSTED_DOCUMENTS) accepts.
 *
 * This file imports nothing from the gateway's sources: an integrator has only the
 * SDL (GET /schema.graphql) and the contract.
 */
import { Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  EntitlementsDocument,
  MeDocument,
  MigrantsPageDocument,
  type DisclosureAction,
  type MigrantsPageQuery,
  type MinimiseStrategy,
  type Purpose,
  type RedactionReason,
} from './generated/graphql';
import persistedDocuments from './generated/persisted-documents.json';

// ---------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------

/** The error codes of the contract (section 5), in `errors[].extensions.code`. */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'AGREEMENT_NOT_FOUND',
  'AGREEMENT_NOT_IN_FORCE',
  'NOT_A_PARTY',
  'PURPOSE_NOT_GRANTED',
  'PURPOSE_MISSING',
  'DATA_REQUEST_INVALID',
  'FILTER_NOT_PERMITTED',
  'BAD_USER_INPUT',
  'QUERY_TOO_COMPLEX',
  'AUDIT_UNAVAILABLE',
  'OPERATION_NOT_TRUSTED',
  'RATE_LIMITED',
  'RECORD_ACCESS_NOT_GRANTED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** How an operation's document travels: see the file comment. */
export type SendMode = 'hash-and-document' | 'hash-only';

/** Where to send an operation, as whom, and under which treaty context (contract section 1). */
export interface CallContext {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  url: string;
  /** The bearer token (JWT). Without one the gateway answers 401 UNAUTHENTICATED. */
  token?: string;
  /** `X-Agreement-Id`: needed by every operation that reads records. */
  agreementId?: string;
  /** `X-Purpose`: the purpose of this use. */
  purpose?: Purpose;
  /** `X-Data-Request-Id`: an approved data request that widens access for its subjects. */
  dataRequestId?: string;
  /** Default `hash-and-document`. */
  send?: SendMode;
}

/** One GraphQL error as the gateway reports it. */
export interface GatewayError {
  message: string;
  code: ErrorCode;
  /** Where in `data` a field-level error belongs. */
  path?: readonly (string | number)[];
}

/**
 * What the gateway did with a field: the schema's `DisclosureAction` for records and,
 * for `statistics`, AGGREGATED (a field the table counts by) and SUPPRESSED (withheld
 * cells of `Query.statistics`, or a withheld `Statistics.total`).
 */
export type PrivacyAction = DisclosureAction | 'AGGREGATED' | 'SUPPRESSED';

/** Why something was withheld: the schema's `RedactionReason`, and disclosure control in statistics. */
export type WithholdingReason = RedactionReason | 'BELOW_MIN_CELL_SIZE' | 'COMPLEMENTARY_SUPPRESSION';

/** One line of `extensions.privacy.fields`: what was done with a field, and how often. */
export interface PrivacyEntry {
  /** Schema coordinate, e.g. `Migrant.religion`. */
  coordinate: string;
  action: PrivacyAction;
  /** Why it was withheld (`REDACTED`, `SUPPRESSED`). */
  reason?: WithholdingReason;
  /** Its reduced form (`MINIMISED`). */
  strategy?: MinimiseStrategy;
  /** How many values of this field the response holds with this outcome (AGGREGATED: cells of the table). */
  count: number;
}

/** `extensions.privacy`: present on every response that resolved personal data. */
export interface PrivacyReport {
  agreement: string;
  purpose: Purpose;
  fields: PrivacyEntry[];
  /** The audit trail's event for this disclosure; quote it when asked who saw what. */
  auditId: string | null;
  /** Entries with an action this client does not know (a newer gateway): not in `fields`. */
  unrecognised: number;
}

/** A response that carries data (field-level errors, if any, alongside). */
export interface Result<TResult> {
  status: number;
  data: TResult;
  errors: GatewayError[];
  privacy: PrivacyReport | null;
}

/**
 * A request the gateway refused as a whole: no data. `code` is the first error's code
 * (or, for a reply that is not GraphQL JSON, the one its HTTP status stands for).
 */
export class TreatygateError extends Error {
  override readonly name = 'TreatygateError';

  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly errors: readonly GatewayError[],
    /** From `Retry-After` (HTTP 429, 503), in seconds. */
    readonly retryAfterSeconds: number | null,
  ) {
    super(`${code} (HTTP ${status}): ${errors[0]?.message ?? 'no message'}`);
  }
}

/** No HTTP reply arrived (connection refused, DNS, TLS): `cause` is fetch's error. */
export class GatewayUnreachableError extends Error {
  override readonly name = 'GatewayUnreachableError';

  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    const reason = (cause as { cause?: { message?: unknown } } | undefined)?.cause?.message ?? (cause as Error | undefined)?.message;
    super(`Cannot reach the gateway at ${url}: ${String(reason ?? 'no reply')}`, { cause });
  }
}

/**
 * Runs one generated operation. Resolves with its data when the gateway returned any
 * (partial data keeps its field errors in `errors`). Rejects with a `TreatygateError`
 * when the request was refused, a `GatewayUnreachableError` when no reply arrived, and a
 * `TypeError` for a document that was not generated with its persisted-document hash.
 */
export async function execute<TResult, TVariables>(
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  context: CallContext,
): Promise<Result<TResult>> {
  const { hash, text, operationName } = persistedDocumentOf(document);
  const body = {
    operationName,
    variables,
    extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
    ...(context.send === 'hash-only' ? {} : { query: text }),
  };
  let response: Response;
  try {
    response = await fetch(context.url, { method: 'POST', headers: headersFor(context), body: JSON.stringify(body) });
  } catch (error) {
    throw new GatewayUnreachableError(context.url, error);
  }
  const reply = await readReply(response);
  const errors = reply.errors.map(toGatewayError);
  if (reply.data === null || reply.data === undefined) {
    const code = errors[0]?.code ?? codeForStatus(response.status);
    throw new TreatygateError(response.status, code, errors.length > 0 ? errors : [{ message: response.statusText, code }], retryAfter(response));
  }
  return { status: response.status, data: reply.data as TResult, errors, privacy: readPrivacy(reply.extensions?.['privacy']) };
}

/** What an integrator should do about each error code. */
export function adviceFor(code: ErrorCode): string {
  switch (code) {
    case 'UNAUTHENTICATED':
      return 'get a fresh token from your identity provider';
    case 'FORBIDDEN':
      return 'your role or party may not perform this operation';
    case 'AGREEMENT_NOT_FOUND':
      return 'send X-Agreement-Id with an agreement your party is party to (see the Agreements operation)';
    case 'AGREEMENT_NOT_IN_FORCE':
      return 'the agreement is suspended, terminated, not yet effective or expired: no data flows under it';
    case 'NOT_A_PARTY':
      return "your party is not a party to this agreement";
    case 'PURPOSE_NOT_GRANTED':
      return 'the agreement grants nothing for this purpose; use a purpose it grants';
    case 'PURPOSE_MISSING':
      return 'send X-Purpose with the purpose of this use';
    case 'DATA_REQUEST_INVALID':
      return 'the data request is unknown, not approved, expired, or not for this agreement, purpose and party';
    case 'FILTER_NOT_PERMITTED':
      return 'this filter would reveal a field this context may not see in full; check Entitlements.filters';
    case 'BAD_USER_INPUT':
      return 'fix the variables (or the request body, if it is too large)';
    case 'QUERY_TOO_COMPLEX':
      return 'ask for fewer levels, aliases or records per page';
    case 'AUDIT_UNAVAILABLE':
      return 'the audit trail cannot be written, so nothing is disclosed; retry later';
    case 'OPERATION_NOT_TRUSTED':
      return 'this gateway runs only trusted documents: register persisted-documents.json with its operator';
    case 'RATE_LIMITED':
      return 'slow down and retry after the Retry-After delay';
    case 'RECORD_ACCESS_NOT_GRANTED':
      return 'the grant for this purpose is aggregate-only: ask for statistics (the Statistics operation), not records';
    case 'SERVICE_UNAVAILABLE':
      return 'the gateway cannot reach its database; retry later';
    case 'INTERNAL_SERVER_ERROR':
      return 'report it to the gateway operator with the time of the request';
    default:
      return assertNever(code);
  }
}

/**
 * The privacy report as text for a person: what was withheld (and why), what was
 * minimised (and how), what statistics counted by and suppressed, how much was
 * disclosed, and the audit id.
 */
export function summarisePrivacy(report: PrivacyReport | null): string {
  if (report === null) return 'Privacy: no personal data was read.';
  const lines = [`Privacy: agreement ${report.agreement}, purpose ${report.purpose}, audit id ${report.auditId ?? '(none)'}`];
  const width = Math.max(0, ...report.fields.map((f) => f.coordinate.length));
  const section = (title: string, action: PrivacyAction, detail: (f: PrivacyEntry) => string) => {
    const entries = report.fields.filter((f) => f.action === action);
    if (entries.length === 0) return;
    lines.push(`  ${title}:`);
    for (const f of entries) lines.push(`    ${f.coordinate.padEnd(width)}  ${detail(f).padEnd(29)} x${f.count}`);
  };
  section('withheld (null in the data)', 'REDACTED', (f) => f.reason ?? 'REDACTED');
  section('minimised (reduced precision)', 'MINIMISED', (f) => f.strategy ?? 'MINIMISED');
  section('counted by, in statistics (cells)', 'AGGREGATED', () => 'AGGREGATED');
  section('suppressed in statistics (null counts)', 'SUPPRESSED', (f) => f.reason ?? 'SUPPRESSED');
  const disclosed = report.fields.filter((f) => f.action === 'DISCLOSED');
  if (disclosed.length > 0) {
    lines.push(`  disclosed in full: ${disclosed.length} field(s), ${disclosed.reduce((sum, f) => sum + f.count, 0)} value(s)`);
  }
  if (report.unrecognised > 0) lines.push(`  ${report.unrecognised} entry(ies) of a kind this client does not know: update it`);
  return lines.join('\n');
}

/** Why a field came back `null`. */
export type NullExplanation =
  /** Every value of the field in this response was withheld. */
  | { kind: 'WITHHELD'; reasons: WithholdingReason[] }
  /** The field was disclosed (or is not governed by a privacy rule): no value is on record. */
  | { kind: 'ABSENT' }
  /**
   * Withheld for some records and disclosed for others (a per-record condition: the
   * subject's consent, or a data request naming the subject): this null may be either.
   */
  | { kind: 'WITHHELD_OR_ABSENT'; reasons: WithholdingReason[]; withheld: number; disclosed: number };

/**
 * Tells a withheld `null` from an absent value, for the field at `coordinate` (e.g.
 * `Migrant.religion`, `Address.city`, `Statistics.total`), from the response's privacy
 * report. (A suppressed statistics cell says so itself: `suppressed: true`.)
 */
export function explainNull(report: PrivacyReport | null, coordinate: string): NullExplanation {
  const entries = report?.fields.filter((f) => f.coordinate === coordinate) ?? [];
  const redacted = entries.filter((f) => f.action === 'REDACTED' || f.action === 'SUPPRESSED');
  if (redacted.length === 0) return { kind: 'ABSENT' };
  const reasons = [...new Set(redacted.flatMap((f) => (f.reason ? [f.reason] : [])))];
  const disclosed = entries.filter((f) => !redacted.includes(f)).reduce((sum, f) => sum + f.count, 0);
  if (disclosed === 0) return { kind: 'WITHHELD', reasons };
  return { kind: 'WITHHELD_OR_ABSENT', reasons, withheld: redacted.reduce((sum, f) => sum + f.count, 0), disclosed };
}

/** `explainNull` as a phrase. */
export function describeNull(explanation: NullExplanation): string {
  switch (explanation.kind) {
    case 'WITHHELD':
      return `withheld (${explanation.reasons.join(', ')})`;
    case 'ABSENT':
      return 'no value on record';
    case 'WITHHELD_OR_ABSENT':
      return `withheld for ${explanation.withheld} value(s) (${explanation.reasons.join(', ')}) and disclosed for ${explanation.disclosed}: this null may be either`;
    default:
      return assertNever(explanation);
  }
}

/** The settings `main` reads from the environment. */
export interface IntegratorSettings {
  context: CallContext;
  pageSize: number;
}

/** Reads GATEWAY_URL, TREATYGATE_TOKEN, AGREEMENT_ID, PURPOSE, DATA_REQUEST_ID, TREATYGATE_SEND. */
export function settingsFrom(env: NodeJS.ProcessEnv): IntegratorSettings {
  const purpose = env['PURPOSE'];
  if (purpose !== undefined && !isPurpose(purpose)) {
    throw new TypeError(`PURPOSE must be one of ${Object.keys(PURPOSES).join(', ')}; got ${JSON.stringify(purpose)}`);
  }
  const send = env['TREATYGATE_SEND'];
  if (send !== undefined && send !== 'hash-and-document' && send !== 'hash-only') {
    throw new TypeError(`TREATYGATE_SEND must be hash-and-document or hash-only; got ${JSON.stringify(send)}`);
  }
  const context: CallContext = {
    url: env['GATEWAY_URL'] ?? 'http://127.0.0.1:4000/graphql',
    ...(env['TREATYGATE_TOKEN'] ? { token: env['TREATYGATE_TOKEN'] } : {}),
    ...(env['AGREEMENT_ID'] ? { agreementId: env['AGREEMENT_ID'] } : {}),
    ...(purpose ? { purpose } : {}),
    ...(env['DATA_REQUEST_ID'] ? { dataRequestId: env['DATA_REQUEST_ID'] } : {}),
    ...(send ? { send } : {}),
  };
  return { context, pageSize: 5 };
}

/**
 * A short scenario: who am I, what may this context see, and one page of records with
 * its privacy report and an explanation of every null. Returns the exit code.
 */
export async function main(env: NodeJS.ProcessEnv = process.env, print: (line: string) => void = console.log): Promise<number> {
  let settings: IntegratorSettings;
  try {
    settings = settingsFrom(env);
  } catch (error) {
    print((error as Error).message);
    return 2;
  }
  const { context, pageSize } = settings;
  if (!context.token) {
    print('Set TREATYGATE_TOKEN (e.g. `npm run --silent token -- --party ITA --clearance ELEVATED`).');
    return 2;
  }
  try {
    const { data: me } = await execute(MeDocument, {}, context);
    print(`Caller: ${me.me.sub} of ${me.me.agency} (${me.me.party}), clearance ${me.me.clearance}, roles ${me.me.roles.join(', ') || '(none)'}`);
    if (!context.agreementId || !context.purpose) {
      print('Set AGREEMENT_ID and PURPOSE to read records.');
      return 2;
    }

    const { data: ent } = await execute(EntitlementsDocument, {}, context);
    const byAction = (action: DisclosureAction) => ent.entitlements.fields.filter((f) => f.action === action).length;
    print(
      `Entitlements under ${ent.entitlements.agreementId} for ${ent.entitlements.purpose} (${ent.entitlements.subjectScope}): ` +
        `${byAction('DISCLOSED')} field(s) disclosed, ${byAction('MINIMISED')} minimised, ${byAction('REDACTED')} withheld; ` +
        `filters permitted: ${ent.entitlements.filters.filter((f) => f.permitted).map((f) => f.argument).join(', ') || '(none)'}`,
    );

    if (!ent.entitlements.recordAccess) {
      // An aggregate-only grant: records would be refused (RECORD_ACCESS_NOT_GRANTED).
      print(`Records: not granted in this context. ${ent.entitlements.recordAccessReason ?? ''}`.trimEnd());
      return 0;
    }

    const page = await execute(MigrantsPageDocument, { first: pageSize }, context);
    const { migrants } = page.data;
    print(`Records: ${migrants.edges.length} of ${migrants.totalCount}${migrants.pageInfo.hasNextPage ? ` (next page after ${migrants.pageInfo.endCursor})` : ''}`);
    for (const { node } of migrants.edges) print(`  ${describeMigrant(node)}`);
    print(summarisePrivacy(page.privacy));
    const first = migrants.edges[0]?.node;
    if (first) {
      const nulls = Object.entries(first).filter(([, value]) => value === null);
      if (nulls.length > 0) print(`Nulls in ${first.id}:`);
      for (const [field] of nulls) print(`  ${field}: ${describeNull(explainNull(page.privacy, `Migrant.${field}`))}`);
    }
    for (const error of page.errors) print(`Field error at ${error.path?.join('.') ?? '?'}: ${error.code}: ${error.message}`);
    return 0;
  } catch (error) {
    if (error instanceof GatewayUnreachableError) {
      print(error.message);
      return 1;
    }
    if (!(error instanceof TreatygateError)) throw error;
    print(`Refused: ${error.message}`);
    print(`  what to do: ${adviceFor(error.code)}${error.retryAfterSeconds !== null ? ` (retry after ${error.retryAfterSeconds} s)` : ''}`);
    return 1;
  }
}

// ---------------------------------------------------------------------------------
// Private helpers
// ---------------------------------------------------------------------------------

type Node = MigrantsPageQuery['migrants']['edges'][number]['node'];

/** Shown, minimised or withheld values side by side; `-` for null. */
function describeMigrant(node: Node): string {
  const show = (value: string | null | undefined) => value ?? '-';
  const documents = node.documents && (node.documents.map((d) => `${show(d.type)} ${show(d.number)} exp. ${show(d.expiresOn)}`).join('; ') || '(none)');
  return [
    node.id,
    `${show(node.givenName)} ${show(node.familyName)}`,
    `born ${show(node.dateOfBirth)}`,
    show(node.nationality),
    show(node.legalStatus),
    `arrived ${show(node.arrivalDate)}`,
    `documents: ${documents ?? '-'}`,
    `victim status: ${show(node.victimStatus?.status)}`,
  ].join(' | ');
}

/**
 * The manifest: sha256 hex of each document's normalised print -> that print. The hash
 * is of this exact text (not of `print(document)`), so the text sent is taken from here.
 */
const MANIFEST: Readonly<Record<string, string>> = persistedDocuments;

/** The hash the codegen embedded in a document (`__meta__.hash`), its manifest text and operation name. */
function persistedDocumentOf(document: DocumentNode): { hash: string; text: string; operationName: string | null } {
  const hash = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  const text = typeof hash === 'string' ? MANIFEST[hash] : undefined;
  if (typeof hash !== 'string' || text === undefined) {
    throw new TypeError('execute: the document has no persisted-document hash in the manifest; run `npm run codegen`');
  }
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return { hash, text, operationName: operation?.name?.value ?? null };
}

function headersFor(context: CallContext): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json',
    ...(context.token ? { authorization: `Bearer ${context.token}` } : {}),
    ...(context.agreementId ? { 'x-agreement-id': context.agreementId } : {}),
    ...(context.purpose ? { 'x-purpose': context.purpose } : {}),
    ...(context.dataRequestId ? { 'x-data-request-id': context.dataRequestId } : {}),
  };
}

interface Reply {
  data?: unknown;
  errors: unknown[];
  extensions?: Record<string, unknown>;
}

/** The GraphQL JSON of a reply, or an empty one when the body is not JSON (a proxy's error page). */
async function readReply(response: Response): Promise<Reply> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { errors: [] };
  }
  if (typeof body !== 'object' || body === null) return { errors: [] };
  const { data, errors, extensions } = body as { data?: unknown; errors?: unknown; extensions?: unknown };
  return {
    data,
    errors: Array.isArray(errors) ? errors : [],
    ...(typeof extensions === 'object' && extensions !== null ? { extensions: extensions as Record<string, unknown> } : {}),
  };
}

function toGatewayError(value: unknown): GatewayError {
  const error = (typeof value === 'object' && value !== null ? value : {}) as { message?: unknown; path?: unknown; extensions?: { code?: unknown } };
  const code = error.extensions?.code;
  return {
    message: typeof error.message === 'string' ? error.message : 'no message',
    // A code this client does not know (a newer gateway) is treated as an internal error.
    code: isErrorCode(code) ? code : 'INTERNAL_SERVER_ERROR',
    ...(Array.isArray(error.path) ? { path: error.path as (string | number)[] } : {}),
  };
}

function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 400:
    case 413:
      return 'BAD_USER_INPUT';
    case 429:
      return 'RATE_LIMITED';
    case 502:
    case 503:
    case 504:
      return 'SERVICE_UNAVAILABLE';
    default:
      return 'INTERNAL_SERVER_ERROR';
  }
}

function retryAfter(response: Response): number | null {
  const value = response.headers.get('retry-after');
  if (value === null) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

const ACTIONS: Record<PrivacyAction, true> = { DISCLOSED: true, MINIMISED: true, REDACTED: true, AGGREGATED: true, SUPPRESSED: true };

/** `extensions.privacy`, checked field by field; null when absent or not in the contract's shape. */
function readPrivacy(value: unknown): PrivacyReport | null {
  if (typeof value !== 'object' || value === null) return null;
  const report = value as { agreement?: unknown; purpose?: unknown; fields?: unknown; auditId?: unknown };
  if (typeof report.agreement !== 'string' || !isPurpose(report.purpose) || !Array.isArray(report.fields)) return null;
  const fields: PrivacyEntry[] = [];
  let unrecognised = 0;
  for (const item of report.fields as unknown[]) {
    const f = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const { coordinate, action, reason, strategy, count } = f;
    if (typeof coordinate !== 'string' || typeof action !== 'string' || !Object.hasOwn(ACTIONS, action) || typeof count !== 'number') {
      unrecognised += 1;
      continue;
    }
    fields.push({
      coordinate,
      action: action as PrivacyAction,
      ...(typeof reason === 'string' ? { reason: reason as WithholdingReason } : {}),
      ...(typeof strategy === 'string' ? { strategy: strategy as MinimiseStrategy } : {}),
      count,
    });
  }
  return { agreement: report.agreement, purpose: report.purpose, fields, auditId: typeof report.auditId === 'string' ? report.auditId : null, unrecognised };
}

const PURPOSES: Record<Purpose, true> = {
  BORDER_CONTROL: true,
  LAW_ENFORCEMENT: true,
  ANTI_TRAFFICKING: true,
  ASYLUM_PROCESSING: true,
  FAMILY_REUNIFICATION: true,
  SERVICE_DELIVERY: true,
  RETURN_AND_READMISSION: true,
  STATISTICS: true,
};

function isPurpose(value: unknown): value is Purpose {
  return typeof value === 'string' && Object.hasOwn(PURPOSES, value);
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

function assertNever(value: never): never {
  throw new TypeError(`unexpected value ${JSON.stringify(value)}`);
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
