/**
 * GraphiQL's fetcher: POSTs each operation to the gateway (same origin) with the headers
 * of the Headers tab, and hands every exchange (status, errors, `extensions.privacy`) to
 * the privacy panel before GraphiQL shows the response.
 */
import type { ComponentProps } from 'react';
import type { GraphiQL } from 'graphiql';
import type { Exchange, GraphQLErrorLike, PrivacyReport } from './api';

export type Fetcher = ComponentProps<typeof GraphiQL>['fetcher'];

interface ResponseBody {
  data?: unknown;
  errors?: GraphQLErrorLike[];
  extensions?: { privacy?: PrivacyReport } & Record<string, unknown>;
}

export function createTreatyFetcher(endpoint: string, onExchange: (exchange: Exchange) => void): Fetcher {
  return async (params, options) => {
    const headers = new Headers({ 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json;q=0.9' });
    for (const [name, value] of Object.entries(options?.headers ?? {})) {
      if (value !== undefined && value !== null) headers.set(name, String(value));
    }
    const started = performance.now();
    const operationName = params.operationName ?? null;
    let response: Response;
    try {
      response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(params), credentials: 'same-origin' });
    } catch (error) {
      onExchange({
        at: new Date(),
        operationName,
        status: 0,
        durationMs: performance.now() - started,
        errors: [{ message: `The gateway did not answer: ${(error as Error).message}` }],
        privacy: null,
        hasData: false,
      });
      throw error;
    }
    const text = await response.text();
    let body: ResponseBody;
    try {
      body = JSON.parse(text) as ResponseBody;
    } catch {
      body = { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 300)}` }] };
    }
    onExchange({
      at: new Date(),
      operationName,
      status: response.status,
      durationMs: performance.now() - started,
      errors: Array.isArray(body.errors) ? body.errors : [],
      privacy: body.extensions?.privacy ?? null,
      hasData: body.data !== undefined && body.data !== null,
    });
    return body as Awaited<ReturnType<Fetcher>>;
  };
}
