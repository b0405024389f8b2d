/** Prometheus metrics (prom-client), on a registry of our own per gateway instance. */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface GatewayMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'outcome'>;
  readonly errors: Counter<'code'>;
  readonly duration: Histogram<'operation_type'>;
  readonly rateLimited: Counter;
  readonly shed: Counter;
}

export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'treatygate_' });
  return {
    registry,
    requests: new Counter({
      name: 'treatygate_graphql_requests_total',
      help: 'GraphQL requests by outcome (ok, error).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'treatygate_graphql_errors_total',
      help: 'GraphQL errors by public error code.',
      labelNames: ['code'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'treatygate_rate_limited_total',
      help: 'Requests refused with RATE_LIMITED (per-caller limit, RATE_LIMIT_PER_MINUTE).',
      registers: [registry],
    }),
    shed: new Counter({
      name: 'treatygate_shed_total',
      help: 'Requests refused with SERVICE_UNAVAILABLE because MAX_IN_FLIGHT requests were in progress.',
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'treatygate_graphql_request_duration_seconds',
      help: 'Duration of GraphQL requests.',
      labelNames: ['operation_type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}
