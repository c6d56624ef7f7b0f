import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs on stderr (stdout stays free for command output). Keys that may carry
 * secrets or raw values are redacted by pino before serialisation.
 */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    {
      level,
      base: { service: 'portcullis' },
      redact: {
        paths: ['*.api_key', '*.authorization', '*.password', '*.token', 'req.headers.authorization'],
        censor: '[REDACTED]',
      },
    },
    destination,
  );
}
