/**
 * Logs and metrics per GraphQL request: operation name and type, duration, error codes.
 * Never variables, arguments or response data.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../../context/GatewayContext';
import type { Logger } from '../logger';
import type { GatewayMetrics } from '../metrics';

export function observabilityPlugin(logger: Logger, metrics: GatewayMetrics): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        // Fires once per request, after the response is ready (also for failed requests).
        async willSendResponse({ response, operation, request, contextValue }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const codes = errors.map((e) => String(e.extensions?.['code'] ?? 'INTERNAL_SERVER_ERROR'));
          for (const code of codes) metrics.errors.inc({ code });
          metrics.requests.inc({ outcome: codes.length > 0 ? 'error' : 'ok' });
          metrics.duration.observe({ operation_type: operation?.operation ?? 'unknown' }, seconds);
          logger.info(
            {
              operationName: request.operationName ?? null,
              operationType: operation?.operation ?? null,
              party: contextValue?.caller?.party,
              agreement: contextValue?.treaty?.ok ? contextValue.treaty.agreement._id : null,
              ms: Math.round(seconds * 1000),
              codes,
            },
            'graphql request',
          );
        },
      };
    },
  };
}
