/**
 * Structured logs (pino). Logs carry ids, codes and timings, never personal data: no
 * variables, no response data, no headers except the treaty context ids, and the
 * Authorization header is redacted wherever it could appear.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'treatygate' },
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', 'authorization', '*.token', 'token', 'variables', '*.variables'],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
