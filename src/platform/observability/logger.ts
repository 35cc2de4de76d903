import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';
import { maskPans } from './pan.js';

export type { Logger };

/**
 * Paths that must never reach a log line. pino replaces them before serialising, so a
 * secret passed by mistake in a log object is masked rather than written.
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'newPassword',
  '*.newPassword',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'totpCode',
  '*.totpCode',
  'masterKey',
  '*.masterKey',
  'databaseUrl',
  '*.databaseUrl',
];

/**
 * JSON lines for machines; on a terminal (stdout a TTY and no other destination given)
 * one readable line per entry instead, since a person is reading. Redaction happens
 * before either is written, and card numbers (Luhn-valid runs of 13–19 digits) are masked
 * in every line.
 */
export function createLogger(options: {
  level: string;
  name?: string;
  destination?: DestinationStream;
  pretty?: boolean;
}): Logger {
  const human = options.pretty ?? (options.destination === undefined && process.stdout.isTTY);
  return pino(
    {
      level: options.level,
      name: options.name ?? 'vaultwire',
      base: { pid: process.pid },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
      // The last line of defence for card numbers: whatever put one in a log entry (a
      // message, an error, a value nobody thought of), the written line holds a mask.
      hooks: { streamWrite: maskPans },
    },
    human
      ? pretty({
          colorize: options.destination === undefined,
          singleLine: true,
          translateTime: 'SYS:HH:MM:ss',
          ignore: 'pid,hostname,name',
          destination: options.destination ?? 1,
          sync: true,
        })
      : options.destination,
  );
}
