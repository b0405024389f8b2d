/**
 * Bench alternative D: bare `node:http` and graphql-jit over the resolvers of C
 * (`plainSchema.ts`): the practical limit of a Node GraphQL server reading these records.
 * `tsx bench/alternatives/jit.ts [port]`, database from MONGODB_URI and MONGODB_DB
 * (default `bench`). Never part of the product.
 *
 * Contracts:
 * - graphql-jit is loaded at run time with `require`; when it is not installed, the
 *   process writes `graphql-jit is not installed: npm i -D graphql-jit` on standard
 *   error and exits with code 2 before anything else.
 * - `POST /graphql` with a JSON body `{ query, operationName?, variables? }`: the document
 *   is parsed, validated and compiled once per (document text, operation name) and the
 *   compiled query kept (at most JIT_CACHE_SIZE, oldest dropped first); each request runs
 *   it with a fresh `createPlainContext`. 200 with the execution result; 400 for a body,
 *   syntax or validation error (as Apollo answers those); 500 when execution throws.
 *   Every header (Authorization, X-Agreement-Id, X-Purpose) is ignored.
 * - `GET /bench/cpu` and `GET /bench/memory` answer the bench's probes; anything else is 404.
 * - The MongoClient has the gateway's options (src/data/database.ts).
 * - Port 0 (the default) takes a free port on 127.0.0.1. Once listening, prints exactly
 *   one line `treatygate-bench ready mode=jit port=<port>` on standard output.
 * - Exits when its standard input closes (the bench went away), or on SIGTERM/SIGINT.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { GraphQLError, parse, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Db } from 'mongodb';
import { connectDatabase } from '../../src/data/database';
import { serveBench } from '../processes';
import { benchProbe, buildPlainSchema, createPlainContext, readPlainServerSettings } from './plainSchema';

/** This server's mode in the ready line. */
export const JIT_MODE = 'jit';

/** The one line written when graphql-jit is missing (exit code 2). */
export const JIT_MISSING = 'graphql-jit is not installed: npm i -D graphql-jit';

/** Compiled documents kept; past this, the oldest is dropped. */
export const JIT_CACHE_SIZE = 1_000;

/** Largest request body, as Apollo's standalone server allows. */
const BODY_LIMIT = 50 * 1024 * 1024;

/** What this file uses of graphql-jit (its types are not installed). */
interface CompiledQuery {
  query(root: unknown, context: unknown, variables: Record<string, unknown> | null | undefined): Promise<ExecutionResult> | ExecutionResult;
}

interface GraphqlJit {
  compileQuery(schema: GraphQLSchema, document: DocumentNode, operationName?: string): CompiledQuery | ExecutionResult;
  isCompiledQuery(value: CompiledQuery | ExecutionResult): value is CompiledQuery;
}

/** graphql-jit, or null when it is not installed (any other load error is thrown). */
export function loadGraphqlJit(): GraphqlJit | null {
  try {
    return require('graphql-jit') as GraphqlJit;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'MODULE_NOT_FOUND' && message.includes("'graphql-jit'")) return null;
    throw error;
  }
}

/** A document ready to run, or the errors that stop it (kept like a compiled one). */
type Prepared = { readonly compiled: CompiledQuery } | { readonly refused: ExecutionResult };

/** Parses, validates and compiles documents, once per (text, operation name). */
export class JitCache {
  private readonly entries = new Map<string, Prepared>();

  constructor(
    private readonly jit: GraphqlJit,
    private readonly schema: GraphQLSchema,
    private readonly limit: number = JIT_CACHE_SIZE,
  ) {}

  prepare(query: string, operationName: string | undefined): Prepared {
    const key = `${operationName ?? ''}\u0000${query}`;
    const cached = this.entries.get(key);
    if (cached) return cached;
    const prepared = this.compile(query, operationName);
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, prepared);
    return prepared;
  }

  private compile(query: string, operationName: string | undefined): Prepared {
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      return { refused: { errors: [error as GraphQLError] } };
    }
    const errors = validate(this.schema, document);
    if (errors.length > 0) return { refused: { errors } };
    const compiled = this.jit.compileQuery(this.schema, document, operationName);
    return this.jit.isCompiledQuery(compiled) ? { compiled } : { refused: compiled };
  }
}

/** A GraphQL request body, checked; or the problem with it. */
function requestOf(body: string): { query: string; operationName?: string; variables: Record<string, unknown> | null } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { problem: 'The body is not JSON.' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'The body must be a JSON object.' };
  const { query, operationName, variables } = value as Record<string, unknown>;
  if (typeof query !== 'string') return { problem: '`query` must be a string.' };
  if (operationName != null && typeof operationName !== 'string') return { problem: '`operationName` must be a string.' };
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return { problem: '`variables` must be an object.' };
  return { query, ...(operationName != null ? { operationName } : {}), variables: (variables as Record<string, unknown> | null) ?? null };
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function answerGraphql(req: IncomingMessage, res: ServerResponse, cache: JitCache, db: Db): Promise<void> {
  const body = await readBody(req);
  if (body === null) return send(res, 413, { errors: [{ message: 'The body is too large.' }] });
  const request = requestOf(body);
  if ('problem' in request) return send(res, 400, { errors: [{ message: request.problem }] });
  const prepared = cache.prepare(request.query, request.operationName);
  if ('refused' in prepared) return send(res, 400, prepared.refused);
  const result = await prepared.compiled.query(undefined, createPlainContext(db), request.variables);
  send(res, 200, result);
}

/** The request handler of D. */
export function jitHandler(cache: JitCache, db: Db): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET') {
      const probe = benchProbe(path);
      if (probe) return send(res, 200, probe);
    }
    if (req.method === 'POST' && path === '/graphql') {
      answerGraphql(req, res, cache, db).catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, { errors: [{ message: (error as Error).message }] });
        else res.destroy();
      });
      return;
    }
    send(res, 404, { errors: [{ message: 'Not found.' }] });
  };
}

async function main(): Promise<void> {
  const jit = loadGraphqlJit();
  if (!jit) {
    process.stderr.write(`${JIT_MISSING}\n`);
    process.exitCode = 2;
    return;
  }
  const settings = readPlainServerSettings();
  const client = await connectDatabase(settings.mongodbUri);
  const cache = new JitCache(jit, buildPlainSchema());
  const server = createServer(jitHandler(cache, client.db(settings.mongodbDb)));
  await serveBench(server, { host: '127.0.0.1', port: settings.port, mode: JIT_MODE, stop: () => client.close() });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`graphql-jit bench server failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
