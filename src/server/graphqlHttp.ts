/**
 * The HTTP side of `/graphql`, in the order a request meets it. Every refusal here
 * happens before Apollo Server, so before any treaty resolution or database read, and is
 * a JSON GraphQL error with a contract code (section 5):
 *
 *  0. overload: past MAX_IN_FLIGHT requests in progress, 503 SERVICE_UNAVAILABLE at once
 *     (with Retry-After), rather than a queue that grows until every request times out;
 *  1. CORS: only `CORS_ORIGINS` may call from a browser (no CORS headers otherwise);
 *  2. method: GET (queries only) and POST; anything else 405;
 *  3. body: a POST must be `application/json` (a `text/plain` or form POST never runs:
 *     CSRF), at most BODY_LIMIT (413); a batch (JSON array) is refused;
 *  4. authentication: a verified bearer token (401 UNAUTHENTICATED);
 *  5. rate limit per caller `sub` (429 RATE_LIMITED with Retry-After);
 *  6. trusted documents when TRUSTED_DOCUMENTS is set (OPERATION_NOT_TRUSTED);
 *     otherwise automatic persisted queries, resolved here so that every document that
 *     runs has passed the limits with the variables it runs with;
 *  7. operation limits (QUERY_TOO_COMPLEX) and `first` (BAD_USER_INPUT);
 *  8. mutations over GET: 405.
 * A GET that passes is handed on as the equivalent JSON POST, so Apollo Server sees one
 * request shape.
 */
import cors from 'cors';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { Caller } from '../context/authenticate';
import type { GatewayConfig } from './config';
import type { ErrorCode } from './errors';
import type { Logger } from './logger';
import type { GatewayMetrics } from './metrics';
import type { createOperationLimits } from './operationLimits';
import { sha256, trustedOperation, type TrustedDocuments } from './trustedDocuments';

export type Authenticator = (authorizationHeader: string | undefined) => Promise<Caller>;

/** The operation of one request, whatever its method. */
interface Operation {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
  extensions?: unknown;
  documentId?: unknown;
}

export interface GraphqlHttpDependencies {
  readonly config: GatewayConfig;
  readonly authenticate: Authenticator;
  readonly limits: ReturnType<typeof createOperationLimits>;
  readonly trusted: TrustedDocuments | null;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
}

/** Headers a browser may send to `/graphql` from an allowed origin. */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'x-agreement-id', 'x-purpose', 'x-data-request-id', 'apollo-require-preflight', 'x-apollo-operation-name'];

/** Persisted queries remembered for hash-only requests (without trusted documents). */
const PERSISTED_QUERY_CACHE_SIZE = 1_000;

/** The caller verified for this request (set by the authentication step). */
export function callerOf(res: Response): Caller {
  const caller = res.locals['caller'] as Caller | undefined;
  if (!caller) throw new Error('no authenticated caller on this request');
  return caller;
}

export function graphqlHttpGuards(deps: GraphqlHttpDependencies): RequestHandler[] {
  const { config, metrics, logger } = deps;
  const refuse = (res: Response, status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}): void => {
    metrics.errors.inc({ code });
    res.status(status).set(headers).json({ errors: [{ message, extensions: { code } }] });
  };

  const corsHandler = cors({
    origin: config.corsOrigins.length > 0 ? [...config.corsOrigins] : false,
    methods: ['GET', 'POST'],
    allowedHeaders: ALLOWED_HEADERS,
    maxAge: 600,
  });

  let inFlight = 0;
  const overload: RequestHandler = (_req, res, next) => {
    if (config.maxInFlight > 0 && inFlight >= config.maxInFlight) {
      metrics.shed.inc();
      refuse(res, 503, 'SERVICE_UNAVAILABLE', 'The gateway is at capacity; retry shortly.', { 'Retry-After': '1' });
      return;
    }
    inFlight++;
    res.once('close', () => {
      inFlight--;
    });
    next();
  };

  const method: RequestHandler = (req, res, next) => {
    if (req.method === 'GET' || req.method === 'POST') return next();
    refuse(res, 405, 'BAD_USER_INPUT', 'Use POST (or GET for queries).', { Allow: 'GET, POST' });
  };

  const json = express.json({ limit: config.bodyLimit, type: () => true, strict: false });
  const body: RequestHandler = (req, res, next) => {
    if (req.method !== 'POST') return next();
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      // CSRF: a browser sends text/plain, form and multipart bodies cross-origin without a
      // preflight; none of them is ever parsed, let alone executed.
      refuse(res, 415, 'BAD_USER_INPUT', 'The request body must be JSON (Content-Type: application/json).');
      return;
    }
    json(req, res, next);
  };

  const shape: RequestHandler = (req, res, next) => {
    let operation: Operation;
    if (req.method === 'GET') {
      const params = new URL(req.originalUrl, 'http://gateway').searchParams;
      try {
        operation = {
          ...(params.has('query') ? { query: params.get('query') } : {}),
          ...(params.has('operationName') ? { operationName: params.get('operationName') } : {}),
          ...(params.has('documentId') ? { documentId: params.get('documentId') } : {}),
          ...(params.has('variables') ? { variables: JSON.parse(params.get('variables')!) } : {}),
          ...(params.has('extensions') ? { extensions: JSON.parse(params.get('extensions')!) } : {}),
        };
      } catch {
        refuse(res, 400, 'BAD_USER_INPUT', '`variables` and `extensions` must be JSON.');
        return;
      }
    } else {
      const parsed: unknown = req.body;
      if (Array.isArray(parsed)) {
        refuse(res, 400, 'BAD_USER_INPUT', 'Batched requests are not supported: send one operation per request.');
        return;
      }
      if (typeof parsed !== 'object' || parsed === null) {
        refuse(res, 400, 'BAD_USER_INPUT', 'The request body must be a JSON object with a `query`.');
        return;
      }
      operation = { ...(parsed as Operation) };
    }
    for (const [name, value, kind] of [
      ['query', operation.query, 'string'],
      ['operationName', operation.operationName, 'string'],
      ['variables', operation.variables, 'object'],
      ['extensions', operation.extensions, 'object'],
    ] as const) {
      if (value === undefined || value === null) continue;
      if (typeof value !== kind || (kind === 'object' && Array.isArray(value))) {
        refuse(res, 400, 'BAD_USER_INPUT', `\`${name}\` must be ${kind === 'string' ? 'a string' : 'a JSON object'}.`);
        return;
      }
    }
    res.locals['operation'] = operation;
    next();
  };

  const authenticate: RequestHandler = (req, res, next) => {
    deps.authenticate(req.headers.authorization).then(
      (caller) => {
        res.locals['caller'] = caller;
        next();
      },
      (error: unknown) => {
        logger.info({ reason: (error as { reason?: string }).reason ?? (error as Error).name }, 'authentication refused');
        refuse(res, 401, 'UNAUTHENTICATED', 'A valid bearer token is required.', { 'WWW-Authenticate': 'Bearer' });
      },
    );
  };

  const perCaller: RequestHandler =
    config.rateLimitPerMinute > 0
      ? rateLimit({
          windowMs: 60_000,
          limit: config.rateLimitPerMinute,
          keyGenerator: (_req, res) => callerOf(res).sub,
          standardHeaders: 'draft-7',
          legacyHeaders: false,
          handler: (req, res) => {
            const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
            const seconds = Math.max(1, Math.ceil(((reset?.getTime() ?? Date.now() + 60_000) - Date.now()) / 1000));
            metrics.rateLimited.inc();
            logger.warn({ sub: callerOf(res).sub }, 'rate limited');
            refuse(res, 429, 'RATE_LIMITED', `Too many requests: at most ${config.rateLimitPerMinute} per minute per caller.`, { 'Retry-After': String(seconds) });
          },
          // The key is the verified `sub`, never the address, so the address checks do not apply.
          validate: { keyGeneratorIpFallback: false, ip: false, trustProxy: false, xForwardedForHeader: false },
        })
      : (_req, _res, next) => next();

  const recent = new Map<string, string>();
  const remember = (hash: string, query: string): void => {
    recent.delete(hash);
    recent.set(hash, query);
    if (recent.size > PERSISTED_QUERY_CACHE_SIZE) recent.delete(recent.keys().next().value!);
  };
  const documents: RequestHandler = (_req, res, next) => {
    const operation = res.locals['operation'] as Operation;
    if (deps.trusted) {
      const verdict = trustedOperation(operation, deps.trusted);
      if (!verdict.ok) {
        refuse(res, verdict.code === 'OPERATION_NOT_TRUSTED' ? 403 : 400, verdict.code, verdict.message);
        return;
      }
      operation.query = verdict.query;
    } else {
      if (operation.documentId !== undefined) {
        refuse(res, 400, 'BAD_USER_INPUT', '`documentId` needs a gateway with trusted documents (TRUSTED_DOCUMENTS).');
        return;
      }
      const persisted = (operation.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined)?.persistedQuery;
      if (persisted !== undefined) {
        const hash = typeof persisted?.sha256Hash === 'string' ? persisted.sha256Hash.toLowerCase() : null;
        if (persisted?.version !== 1 || hash === null || !/^[0-9a-f]{64}$/.test(hash)) {
          refuse(res, 400, 'BAD_USER_INPUT', '`extensions.persistedQuery` must be { version: 1, sha256Hash: <64 hex digits> }.');
          return;
        }
        if (typeof operation.query === 'string') {
          if (sha256(operation.query) !== hash) {
            refuse(res, 400, 'BAD_USER_INPUT', 'provided sha does not match query');
            return;
          }
          remember(hash, operation.query);
        } else {
          const known = recent.get(hash);
          // The automatic-persisted-queries signal to resend the hash with the document.
          if (known === undefined) {
            refuse(res, 200, 'BAD_USER_INPUT', 'PersistedQueryNotFound');
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

  const limits: RequestHandler = (req, res, next) => {
    const operation = res.locals['operation'] as Operation;
    if (typeof operation.query !== 'string') {
      refuse(res, 400, 'BAD_USER_INPUT', 'The request has no `query`.');
      return;
    }
    const verdict = deps.limits.check(
      operation.query,
      (operation.variables as Record<string, unknown> | undefined) ?? undefined,
      typeof operation.operationName === 'string' ? operation.operationName : undefined,
    );
    if (!verdict.ok) {
      refuse(res, 400, verdict.code, verdict.message);
      return;
    }
    const selected = verdict.document ? selectedOperation(verdict.document, operation.operationName) : undefined;
    if (req.method === 'GET' && selected && selected.operation !== 'query') {
      refuse(res, 405, 'BAD_USER_INPUT', 'Only queries may be sent with GET; send mutations with POST.', { Allow: 'POST' });
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

  return [overload, corsHandler, method, body, shape, authenticate, perCaller, documents, limits];
}

/** The operation a request runs: the named one, or the only one. */
function selectedOperation(document: DocumentNode, name: unknown): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (typeof name === 'string') return operations.find((o) => o.name?.value === name);
  return operations.length === 1 ? operations[0] : undefined;
}

/** Body-parser and other HTTP-level errors as GraphQL-shaped JSON with a public code. */
export function jsonErrorHandler(logger: Logger) {
  return (error: { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction): void => {
    const status = typeof error.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) logger.error({ err: { name: (error as Error).name } }, 'unhandled HTTP error');
    const message =
      status === 413 ? 'The request body is larger than the body limit.' : status === 500 ? 'Internal server error.' : 'The request is not valid.';
    res.status(status).json({ errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_USER_INPUT' } }] });
  };
}
