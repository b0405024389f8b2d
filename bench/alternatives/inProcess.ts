/**
 * C's and D's resolvers as an in-process HTTP handler, for the bench's command
 * measurement (bench/commands.ts): the database commands and reply bytes of one request
 * depend on the resolvers and their DataLoaders, not on the executor, so C (Apollo
 * Server) and D (graphql-jit) share this measurement. Executed with graphql-js.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { graphql } from 'graphql';
import type { Db } from 'mongodb';
import type { InProcessServer } from '../commands';
import { buildPlainSchema, createPlainContext } from './plainSchema';

/** Reads a JSON body `{ query, variables?, operationName? }`. */
async function bodyOf(req: IncomingMessage): Promise<{ query: string; variables?: Record<string, unknown>; operationName?: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown>; operationName?: string };
}

export async function plainServer(db: Db): Promise<InProcessServer> {
  const schema = buildPlainSchema();
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    void (async () => {
      const { query, variables, operationName } = await bodyOf(req);
      const result = await graphql({ schema, source: query, contextValue: createPlainContext(db), variableValues: variables ?? null, operationName: operationName ?? null });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(result));
    })().catch((error: unknown) => {
      res.statusCode = 500;
      res.end(JSON.stringify({ errors: [{ message: (error as Error).message }] }));
    });
  };
  return { handler, stop: async () => undefined };
}
