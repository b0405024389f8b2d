/**
 * The HTTP side of `/graphql`, in the order a request meets it. Every refusal here
 * happens before Apollo Server, so before any treaty resolution or database read, and is
 * a JSON GraphQL error with a contract code (section 5) and a message that names its
 * cause (what was wrong, what is accepted instead):
 *
 *  0. overload: past MAX_IN_FLIGHT requests in progress, 503 SERVICE_UNAVAILABLE at once
 *     (with Retry-After), rather than a queue that grows until every request times out;
 *  1. CORS: only `CORS_ORIGINS` may call from a browser (no CORS headers otherwise);
 *  2. method: GET (queries only) and POST; anything else 405;
 *  3. media type of the response (GraphQL over HTTP): `application/graphql-response+json`
 *     or `application/json`, as the Accept header prefers (no Accept, or `*` / `*`:
 *     `application/json`); an Accept header that allows neither is 406, as the last
 *     refusal before execution (step 10);
 *  4. body: a POST must be `application/json` (a `text/plain` or form POST never runs:
 *     CSRF), at most BODY_LIMIT (413), valid JSON (400, naming where the parser
 *     stopped); a batch (JSON array) is refused;
 *  5. authentication: a verified bearer token (401 UNAUTHENTICATED);
 *  6. rate limit per caller `sub` (429 RATE_LIMITED with Retry-After);
 *  7. trusted documents when TRUSTED_DOCUMENTS is set (OPERATION_NOT_TRUSTED);
 *     otherwise automatic persisted queries, resolved here so that every document that
 *     runs has passed the limits with the variables it runs with;
 *  8. operation limits (QUERY_TOO_COMPLEX) and `first` (BAD_USER_INPUT), and an operation
 *     that cannot be determined (several operations, no or an unknown `operationName`);
 *  9. mutations over GET: 405;
 * 10. an Accept header that allows neither media type: 406.
 * A GET that passes is handed on as the equivalent JSON POST, so Apollo Server sees one
 * request shape.
 *
 * Status codes follow GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/):
 * a request that is not a well-formed GraphQL-over-HTTP request (not JSON, a batch, a
 * parameter of the wrong type, no `query`) is 400 whatever the media type. A well-formed
 * request whose document fails to parse or validate (the operation limits are validation
 * rules), whose operation cannot be determined or whose variables fail to coerce is 200
 * when the response is `application/json`, and 400 when it is
 * `application/graphql-response+json` (the refusal has no `data`, which that media type
 * requires to be 4xx). Refusals the contract gives a status of their own keep it under
 * both media types: 401 UNAUTHENTICATED, 403 for the treaty context and trusted documents,
 * 405, 413, 415, 429 RATE_LIMITED, 503 SERVICE_UNAVAILABLE (the specification allows 401,
 * 403 and similar for a request the client may not issue). `graphqlOverHttpPlugin` gives
 * Apollo Server's own answers the same statuses.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import cors from 'cors';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import { Kind, type DocumentNode, type GraphQLError, type OperationDefinitionNode } from 'graphql';
import type { Authenticate, Caller } from '../context/authenticate';
import { isDatabaseUnavailable } from '../data/database';
import type { GatewayConfig } from './config';
import { defaultMessage, describeJsonSyntaxError, errorBody, escapeForMessage, jsonKind, quoteForMessage, type ErrorCode } from '../context/errors';
import type { Logger } from './logger';
import type { GatewayMetrics } from './metrics';
import type { DocumentAnalysis } from './documentAnalysis';
import { sha256, trustedOperation, type TrustedDocuments } from './trustedDocuments';


/** The operation of one request, whatever its method. */
interface Operation {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
  extensions?: unknown;
  documentId?: unknown;
}

/** The request parameters of GraphQL over HTTP (and of its persisted documents). */
const PARAMETERS: ReadonlySet<string> = new Set(['query', 'operationName', 'variables', 'extensions', 'documentId']);

export interface GraphqlHttpDependencies {
  readonly config: GatewayConfig;
  readonly authenticate: Authenticate;
  readonly limits: Pick<DocumentAnalysis, 'check'>;
  readonly trusted: TrustedDocuments | null;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  /** Where the rate limit counts (src/data/rateLimits.ts); express-rate-limit's per-process memory without one. */
  readonly rateLimitStore?: Store;
}

/** Headers a browser may send to `/graphql` from an allowed origin. */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'x-agreement-id', 'x-purpose', 'x-data-request-id', 'apollo-require-preflight', 'x-apollo-operation-name'];

/** Persisted queries remembered for hash-only requests (without trusted documents). */
const PERSISTED_QUERY_CACHE_SIZE = 1_000;

// ---------------------------------------------------------------------------------
// Media types and statuses (GraphQL over HTTP)
// ---------------------------------------------------------------------------------

export const APPLICATION_JSON = 'application/json';
export const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';
export type ResponseMediaType = typeof APPLICATION_JSON | typeof GRAPHQL_RESPONSE_JSON;

/**
 * The media type a request's Accept header asks for: the one it prefers of the two a
 * GraphQL response may use (equal preference: the one it lists first); no Accept header
 * (or an empty one) is `application/json`, as is `*` / `*`. Null: it allows neither.
 */
export function negotiateMediaType(req: Request): ResponseMediaType | null {
  const accept = req.headers.accept;
  if (accept === undefined || accept.trim() === '') return APPLICATION_JSON;
  const chosen = req.accepts([APPLICATION_JSON, GRAPHQL_RESPONSE_JSON]);
  return chosen === false ? null : (chosen as ResponseMediaType);
}

/** The media type of this request's response (negotiated once by the Accept step). */
function mediaTypeOf(req: Request, res: Response): ResponseMediaType {
  return (res.locals['mediaType'] as ResponseMediaType | undefined) ?? negotiateMediaType(req) ?? APPLICATION_JSON;
}

/**
 * The status of a refusal of the document of a well-formed request (parse, validation and
 * the operation limits, an operation that cannot be determined, variable coercion): 200
 * for `application/json`, 400 for `application/graphql-response+json`.
 */
export function documentErrorStatus(mediaType: ResponseMediaType): number {
  return mediaType === GRAPHQL_RESPONSE_JSON ? 400 : 200;
}

/** Answers a GraphQL error (no `data`) in the request's media type. */
export function sendGraphqlError(req: Request, res: Response, status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}): void {
  res
    .status(status)
    .set(headers)
    .type(`${mediaTypeOf(req, res)}; charset=utf-8`)
    .send(JSON.stringify(errorBody(code, message)));
}

/** The caller verified for this request (set by the authentication step). */
export function callerOf(res: Response): Caller {
  const caller = res.locals['caller'] as Caller | undefined;
  if (!caller) throw new Error('no authenticated caller on this request');
  return caller;
}

export function graphqlHttpGuards(deps: GraphqlHttpDependencies): RequestHandler[] {
  const refuse: Refuse = (req, res, status, code, message, headers = {}) => {
    deps.metrics.errors.inc({ code });
    sendGraphqlError(req, res, status, code, message, headers);
  };
  const kit: GuardKit = { deps, refuse };
  return [overloadGuard, corsGuard, methodGuard, acceptGuard, bodyGuard, shapeGuard, authenticateGuard, perCallerGuard, documentsGuard, limitsGuard].map((guard) => guard(kit));
}

type Refuse = (req: Request, res: Response, status: number, code: ErrorCode, message: string, headers?: Record<string, string>) => void;

/** What every guard is made from: the dependencies, and the one way to refuse (counted, in the request's media type). */
interface GuardKit {
  readonly deps: GraphqlHttpDependencies;
  readonly refuse: Refuse;
}

/** CORS: only the configured origins, GET and POST, the contract's headers. */
function corsGuard({ deps: { config } }: GuardKit): RequestHandler {
  return cors({
    origin: config.corsOrigins.length > 0 ? [...config.corsOrigins] : false,
    methods: ['GET', 'POST'],
    allowedHeaders: ALLOWED_HEADERS,
    maxAge: 600,
  });
}

/** Overload: past MAX_IN_FLIGHT requests in progress, 503 at once. */
function overloadGuard({ deps, refuse }: GuardKit): RequestHandler {
  const { config, metrics } = deps;
  let inFlight = 0;
  return (req, res, next) => {
    if (config.maxInFlight > 0 && inFlight >= config.maxInFlight) {
      metrics.shed.inc();
      refuse(req, res, 503, 'SERVICE_UNAVAILABLE', `The gateway is at capacity: ${config.maxInFlight} ${config.maxInFlight === 1 ? 'request is' : 'requests are'} in progress (MAX_IN_FLIGHT); retry in a second.`, { 'Retry-After': '1' });
      return;
    }
    inFlight++;
    res.once('close', () => {
      inFlight--;
    });
    next();
  };
}

/** Only GET and POST. */
function methodGuard({ refuse }: GuardKit): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'POST') return next();
    refuse(req, res, 405, 'BAD_USER_INPUT', `The method ${quoteForMessage(req.method, 20)} is not allowed on /graphql: send operations with POST, or queries with GET.`, { Allow: 'GET, POST' });
  };
}

/** The media type of the answer, chosen once. */
function acceptGuard(_kit: GuardKit): RequestHandler {
  // The media type is chosen once, here; refusals use it. An Accept header that allows
  // neither is refused (406) as the last step before execution, so that every other
  // refusal (401, a GET mutation's 405, ...) stays what it is; those are application/json.
  return (req, res, next) => {
    const mediaType = negotiateMediaType(req);
    if (mediaType !== null) {
      res.locals['mediaType'] = mediaType;
      // Apollo Server negotiates from the same header: it gets the choice made here.
      req.headers.accept = mediaType;
    }
    next();
  };
}

/** A POST body must be JSON (CSRF: no other type is ever parsed). */
function bodyGuard({ deps, refuse }: GuardKit): RequestHandler {
  const { config } = deps;
  const json = express.json({ limit: config.bodyLimit, type: () => true, strict: false });
  return (req, res, next) => {
    if (req.method !== 'POST') return next();
    const header = req.headers['content-type'];
    const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      // CSRF: a browser sends text/plain, form and multipart bodies cross-origin without a
      // preflight; none of them is ever parsed, let alone executed.
      const sent = header === undefined ? 'no Content-Type' : `Content-Type ${quoteForMessage(header, 80)}`;
      refuse(
        req,
        res,
        415,
        'BAD_USER_INPUT',
        `A POST body must be JSON sent with Content-Type: application/json; this request has ${sent}. ` +
          'No other type is accepted: a browser sends text/plain, form and multipart bodies to another site without a CORS preflight, so accepting them would allow cross-site request forgery (CSRF).',
      );
      return;
    }
    json(req, res, next);
  };
}

/** The operation's members, from the URL (GET) or the JSON body (POST), each of its type. */
function shapeGuard({ refuse }: GuardKit): RequestHandler {
  return (req, res, next) => {
    let operation: Operation;
    if (req.method === 'GET') {
      const params = new URL(req.originalUrl, 'http://gateway').searchParams;
      for (const name of PARAMETERS) {
        const count = params.getAll(name).length;
        if (count > 1) {
          refuse(req, res, 400, 'BAD_USER_INPUT', `The \`${name}\` URL parameter is given ${count} times: give it once.`);
          return;
        }
      }
      operation = {
        ...(params.has('query') ? { query: params.get('query') } : {}),
        ...(params.has('operationName') ? { operationName: params.get('operationName') } : {}),
        ...(params.has('documentId') ? { documentId: params.get('documentId') } : {}),
      };
      for (const name of ['variables', 'extensions'] as const) {
        if (!params.has(name)) continue;
        const text = params.get(name)!;
        try {
          operation[name] = JSON.parse(text);
        } catch (error) {
          refuse(req, res, 400, 'BAD_USER_INPUT', `The \`${name}\` URL parameter must be a JSON object, and it is not valid JSON: ${describeJsonSyntaxError(error, text)}.`);
          return;
        }
      }
      res.locals['unknownParameters'] = [...new Set(params.keys())].filter((key) => !PARAMETERS.has(key));
    } else {
      const parsed: unknown = req.body;
      // No body at all, or an empty one (which the JSON parser reads as {}).
      if (parsed === undefined || req.headers['content-length'] === '0') {
        refuse(req, res, 400, 'BAD_USER_INPUT', 'The POST has no body: send the operation as a JSON object, e.g. {"query": "{ __typename }"}.');
        return;
      }
      if (Array.isArray(parsed)) {
        refuse(req, res, 400, 'BAD_USER_INPUT', `Batched requests (a JSON array of ${parsed.length} operations) are not supported: send one operation per request, as a JSON object.`);
        return;
      }
      if (typeof parsed !== 'object' || parsed === null) {
        refuse(req, res, 400, 'BAD_USER_INPUT', `The request body must be a JSON object, e.g. {"query": "{ __typename }"}; it is ${jsonKind(parsed)}.`);
        return;
      }
      operation = { ...(parsed as Operation) };
      res.locals['unknownParameters'] = Object.keys(parsed).filter((key) => !PARAMETERS.has(key));
    }
    for (const [name, value, kind] of [
      ['query', operation.query, 'string'],
      ['operationName', operation.operationName, 'string'],
      ['variables', operation.variables, 'object'],
      ['extensions', operation.extensions, 'object'],
    ] as const) {
      if (value === undefined || value === null) continue;
      if (typeof value !== kind || (kind === 'object' && Array.isArray(value))) {
        refuse(req, res, 400, 'BAD_USER_INPUT', wrongType(name, kind, value));
        return;
      }
    }
    res.locals['operation'] = operation;
    next();
  };
}

/** Who the caller is: 401 otherwise (503 when the trust registry cannot be read). */
function authenticateGuard({ deps, refuse }: GuardKit): RequestHandler {
  const { config, logger } = deps;
  return (req, res, next) => {
    const path = req.originalUrl.split('?')[0] ?? req.path;
    const origin = config.dpop.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    const facts = { method: req.method, url: `${origin}${path}`, ...(req.headers.dpop !== undefined ? { dpop: req.headers.dpop } : {}) };
    deps.authenticate(req.headers.authorization, facts).then(
      (caller) => {
        res.locals['caller'] = caller;
        next();
      },
      (error: unknown) => {
        if (isDatabaseUnavailable(error)) {
          // The trust registry could not be read: not the caller's fault, and never a guess.
          logger.error({ err: { name: (error as Error).name } }, 'trust registry unavailable: request refused');
          refuse(req, res, 503, 'SERVICE_UNAVAILABLE', 'The gateway cannot reach its database; retry shortly.', { 'Retry-After': '1' });
          return;
        }
        logger.info({ reason: (error as { reason?: string }).reason ?? (error as Error).name }, 'authentication refused');
        refuse(req, res, 401, 'UNAUTHENTICATED', unauthenticated(req.headers.authorization), { 'WWW-Authenticate': 'Bearer' });
      },
    );
  };
}

/** The rate limit per caller (`sub`). */
function perCallerGuard({ deps, refuse }: GuardKit): RequestHandler {
  const { config, metrics, logger } = deps;
  if (config.rateLimitPerMinute <= 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: 60_000,
    limit: config.rateLimitPerMinute,
    keyGenerator: (_req, res) => callerOf(res).sub,
    ...(deps.rateLimitStore ? { store: deps.rateLimitStore } : {}),
    // The store cannot be reached (the database is down): refused, never waved through.
    passOnStoreError: false,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (req, res) => {
      const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = Math.max(1, Math.ceil(((reset?.getTime() ?? Date.now() + 60_000) - Date.now()) / 1000));
      metrics.rateLimited.inc();
      logger.warn({ sub: callerOf(res).sub }, 'rate limited');
      refuse(req, res, 429, 'RATE_LIMITED', `Too many requests: at most ${config.rateLimitPerMinute} per minute per caller (RATE_LIMIT_PER_MINUTE); retry in ${seconds} s.`, { 'Retry-After': String(seconds) });
    },
    // The key is the verified `sub`, never the address, so the address checks do not apply.
    validate: { keyGeneratorIpFallback: false, ip: false, trustProxy: false, xForwardedForHeader: false },
  });
}

/** Trusted documents and automatic persisted queries: the operation becomes its document text. */
function documentsGuard({ deps, refuse }: GuardKit): RequestHandler {
  const recent = new Map<string, string>();
  const remember = (hash: string, query: string): void => {
    recent.delete(hash);
    recent.set(hash, query);
    if (recent.size > PERSISTED_QUERY_CACHE_SIZE) recent.delete(recent.keys().next().value!);
  };
  return (req, res, next) => {
    const operation = res.locals['operation'] as Operation;
    if (deps.trusted) {
      const verdict = trustedOperation(operation, deps.trusted);
      if (!verdict.ok) {
        refuse(req, res, verdict.code === 'OPERATION_NOT_TRUSTED' ? 403 : 400, verdict.code, verdict.message);
        return;
      }
      operation.query = verdict.query;
    } else {
      if (operation.documentId !== undefined) {
        refuse(req, res, 400, 'BAD_USER_INPUT', '`documentId` needs a gateway with trusted documents (TRUSTED_DOCUMENTS), and this one has none: send the document as `query`.');
        return;
      }
      const persisted = (operation.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined)?.persistedQuery;
      if (persisted !== undefined) {
        const hash = typeof persisted?.sha256Hash === 'string' ? persisted.sha256Hash.toLowerCase() : null;
        if (persisted?.version !== 1 || hash === null || !/^[0-9a-f]{64}$/.test(hash)) {
          refuse(req, res, 400, 'BAD_USER_INPUT', '`extensions.persistedQuery` must be { version: 1, sha256Hash: <64 hex digits> }.');
          return;
        }
        if (typeof operation.query === 'string') {
          if (sha256(operation.query) !== hash) {
            refuse(req, res, 400, 'BAD_USER_INPUT', '`extensions.persistedQuery.sha256Hash` is not the SHA-256 of the `query` sent with it: hash the exact text of the query (UTF-8), in hex.');
            return;
          }
          remember(hash, operation.query);
        } else {
          const known = recent.get(hash);
          // The automatic-persisted-queries signal to resend the hash with the document: the
          // protocol's own message, which clients look for. Under application/json it is a
          // 200 (as Apollo Server answers it); a response without `data` in
          // application/graphql-response+json must be 4xx: the document is not found.
          if (known === undefined) {
            refuse(req, res, mediaTypeOf(req, res) === GRAPHQL_RESPONSE_JSON ? 404 : 200, 'BAD_USER_INPUT', 'PersistedQueryNotFound', { 'Cache-Control': 'private, no-cache, must-revalidate' });
            return;
          }
          operation.query = known;
        }
      }
    }
    // From here on the operation is its document text; the hash has done its work.
    if (operation.extensions !== undefined && operation.extensions !== null) {
      const { persistedQuery: _hash, ...others } = operation.extensions as Record<string, unknown>;
      operation.extensions = others;
    }
    delete operation.documentId;
    next();
  };
}

/** The operation limits, the operation chosen, GET only for queries, and the media type accepted. */
function limitsGuard({ deps, refuse }: GuardKit): RequestHandler {
  return (req, res, next) => {
    const operation = res.locals['operation'] as Operation;
    if (typeof operation.query !== 'string') {
      refuse(req, res, 400, 'BAD_USER_INPUT', noQuery(req.method, res.locals['unknownParameters'] as string[] | undefined));
      return;
    }
    if (operation.query === '') {
      refuse(req, res, 400, 'BAD_USER_INPUT', 'The `query` is empty: send the text of a GraphQL document, e.g. "{ __typename }".');
      return;
    }
    const verdict = deps.limits.check(
      operation.query,
      (operation.variables as Record<string, unknown> | undefined) ?? undefined,
      typeof operation.operationName === 'string' ? operation.operationName : undefined,
    );
    // A document over a limit is refused as a validation failure (GraphQL over HTTP).
    if (!verdict.ok) {
      refuse(req, res, documentErrorStatus(mediaTypeOf(req, res)), verdict.code, verdict.message);
      return;
    }
    const selected = verdict.document ? selectedOperation(verdict.document, operation.operationName) : undefined;
    if (verdict.document && !selected) {
      const undetermined = undeterminedOperation(verdict.document, operation.operationName);
      if (undetermined) {
        refuse(req, res, documentErrorStatus(mediaTypeOf(req, res)), 'BAD_USER_INPUT', undetermined);
        return;
      }
    }
    if (req.method === 'GET' && selected && selected.operation !== 'query') {
      refuse(req, res, 405, 'BAD_USER_INPUT', `Only queries may be sent with GET, and this operation is a ${selected.operation}: send it with POST.`, { Allow: 'POST' });
      return;
    }
    if (res.locals['mediaType'] === undefined) {
      refuse(
        req,
        res,
        406,
        'BAD_USER_INPUT',
        `The Accept header ${quoteForMessage(req.headers.accept ?? '', 100)} allows neither ${GRAPHQL_RESPONSE_JSON} nor ${APPLICATION_JSON}, the media types of a GraphQL response: accept one of them (or send no Accept header).`,
      );
      return;
    }
    // Apollo Server gets the operation as the JSON POST it is equivalent to.
    req.body = operation;
    if (req.method === 'GET') {
      req.method = 'POST';
      req.headers['content-type'] = 'application/json';
    }
    next();
  };
}

/** `name` has the wrong type: say which, and the usual mistake behind it. */
function wrongType(name: string, kind: 'string' | 'object', value: unknown): string {
  const it = jsonKind(value);
  if (kind === 'string') {
    const ast = name === 'query' && typeof value === 'object' && (value as { kind?: unknown }).kind === Kind.DOCUMENT;
    if (ast) return '`query` must be a string: the text of the GraphQL document; it is a parsed document (AST): send its text (graphql-js: print(document)).';
    return `\`${name}\` must be a string${name === 'query' ? ': the text of the GraphQL document' : ''}; it is ${it}.`;
  }
  if (typeof value === 'string') return `\`${name}\` must be a JSON object; it is a string: send the object itself, not JSON text inside a string.`;
  return `\`${name}\` must be a JSON object (a map of names to values); it is ${it}.`;
}

/** The message of a request without a `query`. */
function noQuery(method: string, unknown: readonly string[] = []): string {
  const where = method === 'GET' ? 'as the `query` URL parameter, e.g. /graphql?query={__typename}' : 'as the `query` member of the JSON body, e.g. {"query": "{ __typename }"}';
  const others =
    unknown.length === 0
      ? ''
      : ` It has ${unknown.slice(0, 3).map((key) => `\`${escapeForMessage(key.slice(0, 40))}\``).join(', ')}${unknown.length > 3 ? ` and ${unknown.length - 3} more` : ''}, which ${unknown.length === 1 ? 'is not a request parameter' : 'are not request parameters'} (those are query, operationName, variables and extensions).`;
  return `The request has no \`query\`: send the GraphQL document ${where}.${others}`;
}

/** The message of a 401: what is wrong with the Authorization header, as far as the header itself tells (the verifier's reason is for the log only). */
function unauthenticated(header: string | undefined): string {
  const value = header?.trim() ?? '';
  if (value === '') return 'No Authorization header: send the caller\'s token as "Authorization: Bearer <JWT>".';
  const [scheme, ...rest] = value.split(/\s+/);
  if (scheme!.toLowerCase() !== 'bearer') return 'The Authorization header is not a bearer token: send "Authorization: Bearer <JWT>".';
  if (rest.length === 0) return 'The Authorization header has the Bearer scheme but no token: send "Authorization: Bearer <JWT>".';
  if (rest.length > 1 || !/^[A-Za-z0-9._~+/=-]+$/.test(rest[0]!)) return 'The bearer token is not a JWT: after "Bearer " comes one token of base64url parts separated by dots.';
  return 'The bearer token is not valid here: its signature, issuer, audience, validity period and claims (sub, agency, party, clearance, roles) must all check out for this gateway.';
}

/** The operation a request runs: the named one, or the only one. */
function selectedOperation(document: DocumentNode, name: unknown): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (typeof name === 'string') return operations.find((o) => o.name?.value === name);
  return operations.length === 1 ? operations[0] : undefined;
}

/**
 * Why the operation to run cannot be determined: several operations and no
 * `operationName`, or no operation of that name. Null where validation has more to say
 * (no operation at all, an anonymous operation among others, two of one name).
 */
function undeterminedOperation(document: DocumentNode, name: unknown): string | null {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const names = operations.map((o) => o.name?.value);
  if (operations.length === 0 || names.some((n) => n === undefined) || new Set(names).size !== names.length) return null;
  const listed = `${names.slice(0, 10).join(', ')}${names.length > 10 ? `, … (${names.length} in all)` : ''}`;
  if (typeof name === 'string') return `The document has no operation named ${quoteForMessage(name, 60)}; its operations are ${listed}: set \`operationName\` to one of them.`;
  if (operations.length > 1) return `The document has ${operations.length} operations (${listed}): set \`operationName\` to the one to run.`;
  return null;
}

/**
 * Body-parser and other HTTP-level errors as GraphQL errors with a public code and a
 * message naming the cause (the body's JSON syntax error and where the parser stopped, the
 * body limit, the charset or content coding it does not support, ...).
 */
export function jsonErrorHandler(logger: Logger) {
  return (error: HttpLayerError, req: Request, res: Response, _next: NextFunction): void => {
    // A guard that needs the database (the shared rate limit) could not reach it: 503, as any read would.
    if (isDatabaseUnavailable(error)) {
      logger.warn({ err: { name: (error as Error).name } }, 'database unavailable before Apollo Server');
      sendGraphqlError(req, res, 503, 'SERVICE_UNAVAILABLE', defaultMessage('SERVICE_UNAVAILABLE'));
      return;
    }
    const status = typeof error.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) {
      logger.error({ err: { name: (error as Error).name, type: error.type } }, 'unhandled HTTP error');
      sendGraphqlError(req, res, 500, 'INTERNAL_SERVER_ERROR', defaultMessage('INTERNAL_SERVER_ERROR'));
      return;
    }
    sendGraphqlError(req, res, status, 'BAD_USER_INPUT', httpErrorMessage(error, status));
  };
}

/** What body-parser (and raw-body, http-errors) put on the errors they raise. */
interface HttpLayerError {
  status?: number;
  type?: string;
  body?: unknown;
  limit?: number;
  length?: number;
  expected?: number;
  received?: number;
  charset?: string;
  encoding?: string;
  code?: string;
  message?: string;
}

function httpErrorMessage(error: HttpLayerError, status: number): string {
  switch (error.type) {
    case 'entity.parse.failed':
      return `The request body is not valid JSON: ${describeJsonSyntaxError(error, typeof error.body === 'string' ? error.body : undefined)}.`;
    case 'entity.too.large': {
      const size = typeof error.length === 'number' && Number.isFinite(error.length) ? ` (${error.length} bytes)` : '';
      const limit = typeof error.limit === 'number' ? `the limit of ${formatBytes(error.limit)}` : 'the body limit';
      return `The request body${size} is larger than ${limit} set by BODY_LIMIT: send a smaller body.`;
    }
    case 'charset.unsupported':
      return `The request body's charset ${quoteForMessage(error.charset ?? '', 40)} is not supported: send the JSON in UTF-8 (Content-Type: application/json; charset=utf-8, or no charset).`;
    case 'encoding.unsupported':
      return `The request body's Content-Encoding ${quoteForMessage(error.encoding ?? '', 40)} is not supported: send it uncompressed, or compressed with gzip, deflate or br.`;
    case 'request.size.invalid':
      return `The request body's length does not match its Content-Length header${typeof error.expected === 'number' && typeof error.received === 'number' ? ` (${error.expected} bytes declared, ${error.received} received)` : ''}.`;
    case 'request.aborted':
      return 'The request body was not received in full: the client closed the request before its end.';
    default:
      break;
  }
  if (typeof error.code === 'string' && /^Z_/.test(error.code)) return 'The request body could not be decompressed as its Content-Encoding header says: it is corrupt or not compressed that way.';
  if (status === 413) return 'The request is too large.';
  return `The request could not be read${typeof error.type === 'string' && /^[a-z.]{1,40}$/.test(error.type) ? ` (${error.type})` : ''}: it is not a well-formed HTTP request to this endpoint.`;
}

/** 20480 -> "20 KB (20480 bytes)". */
function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB (${bytes} bytes)`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB (${bytes} bytes)`;
  return `${bytes} bytes`;
}

/** Anything outside the gateway's endpoints: 404, naming the path asked for and the endpoints there are. */
export function notFoundHandler(): RequestHandler {
  return (req, res) => {
    const path = req.originalUrl.split('?')[0] ?? '';
    sendGraphqlError(
      req,
      res,
      404,
      'BAD_USER_INPUT',
      `There is nothing at ${quoteForMessage(`${req.method} ${path}`, 80)}: the API is POST /graphql (GET for queries); the other endpoints are GET /explorer, /schema.graphql, /healthz, /readyz and /metrics.`,
    );
  };
}

// ---------------------------------------------------------------------------------
// Apollo Server's answers, with the statuses of GraphQL over HTTP
// ---------------------------------------------------------------------------------

/**
 * Gives Apollo Server's request errors about the document the status of GraphQL over
 * HTTP for the negotiated media type (`documentErrorStatus`): a document that does not
 * parse or validate, an operation that cannot be determined, variables that do not
 * coerce. Apollo Server answers these 400 whatever the Accept header; under
 * `application/json` the specification asks for 200. The Accept step has reduced the
 * header to the negotiated media type. Every other status (a treaty refusal's 403, a 503,
 * a response with `data`) is left as it is.
 */
export function graphqlOverHttpPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      let documentFailed = false;
      return {
        async parsingDidStart() {
          return async (error?: Error) => {
            if (error) documentFailed = true;
          };
        },
        async validationDidStart() {
          return async (errors?: ReadonlyArray<Error>) => {
            if (errors && errors.length > 0) documentFailed = true;
          };
        },
        async willSendResponse({ request, response, document, operation, errors }) {
          if (response.body.kind !== 'single' || response.body.singleResult.data !== undefined) return;
          if (!errors || errors.length === 0 || response.http.status !== 400) return;
          // Parsed and validated, yet no operation: it could not be determined.
          const undetermined = document !== undefined && operation === undefined;
          if (!documentFailed && !undetermined && !errors.every(isVariableCoercionError)) return;
          const mediaType = request.http?.headers.get('accept') === GRAPHQL_RESPONSE_JSON ? GRAPHQL_RESPONSE_JSON : APPLICATION_JSON;
          response.http.status = documentErrorStatus(mediaType);
        },
      };
    },
  };
}

/** A variable that does not coerce: graphql-js reports it at the variable's definition. */
function isVariableCoercionError(error: GraphQLError): boolean {
  return error.extensions['code'] === 'BAD_USER_INPUT' && error.nodes?.length === 1 && error.nodes[0]!.kind === Kind.VARIABLE_DEFINITION;
}
