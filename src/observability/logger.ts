import pino from 'pino';
import { maskUrlCredentials } from './mask-url.js';

export type Logger = pino.Logger;

/**
 * Paths that may hold a secret wherever they appear in a log object. Errors
 * and config objects are logged by reference, so redaction is the guard that
 * does not depend on every call site remembering.
 */
const REDACT = [
  'password',
  '*.password',
  '*.*.password',
  'signingSecret',
  '*.signingSecret',
  'verificationToken',
  '*.verificationToken',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'sasl',
  '*.sasl',
  // A webhook sink's OAuth2 client secret and TLS private key (auth.clientSecret, tls.key).
  'clientSecret',
  '*.clientSecret',
  '*.*.clientSecret',
  '*.tls.key',
  '*.*.tls.key',
  // A log sink's evidence signing key.
  'signingKey',
  '*.signingKey',
  '*.*.signingKey',
];

/** pino's error serializer, with URL credentials masked in the message and stack (a library's text may quote a URL). */
function maskedError(err: Error): pino.SerializedError {
  const out = pino.stdSerializers.err(err);
  if (typeof out.message === 'string') out.message = maskUrlCredentials(out.message);
  if (typeof out.stack === 'string') out.stack = maskUrlCredentials(out.stack);
  return out;
}

/**
 * Operational logs go to stderr as JSON lines: stdout belongs to the log sink
 * (and to CLI output) so the audit trail is never interleaved with chatter.
 */
export function createLogger(level: string = process.env.AR_LOG_LEVEL ?? 'info', destination: number | pino.DestinationStream = 2): Logger {
  return pino(
    {
      name: 'audit-router',
      level,
      redact: { paths: REDACT, censor: '[redacted]' },
      base: { pid: process.pid },
      serializers: { err: maskedError },
      // URL credentials are masked in every message, whichever call site built it.
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? maskUrlCredentials(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    typeof destination === 'number' ? pino.destination({ dest: destination, sync: true }) : destination,
  );
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
