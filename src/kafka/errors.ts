import type { KafkaConfig } from '../config/types.js';
import { AuditRouterError } from '../errors/index.js';

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
  originalError?: unknown;
}

/** The error and everything it wraps: kafkajs nests the real reason in `cause` (retries exceeded, non-retriable wrappers). */
export function errorChain(err: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = err;
  while (current !== null && typeof current === 'object' && !chain.includes(current as ErrorLike) && chain.length < 10) {
    chain.push(current as ErrorLike);
    const e = current as ErrorLike;
    current = e.cause ?? e.originalError;
  }
  return chain;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const CONNECTION_NAMES = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError']);
/** Node's TLS failures: wrong CA, expired or mismatched certificate, protocol mismatch. */
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET|VERIFY)_|HOSTNAME_MISMATCH)/;

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

function isSaslFailure(e: ErrorLike): boolean {
  return e.name === 'KafkaJSSASLAuthenticationError' || /\bSASL\b/.test(text(e.message));
}

function isConnectionFailure(e: ErrorLike): boolean {
  return CONNECTION_NAMES.has(text(e.name)) || CONNECTION_CODES.has(text(e.code)) || /\bECONNREFUSED\b/.test(text(e.message));
}

function withoutSecret(message: string, config: Partial<KafkaConfig> | undefined): string {
  const password = config?.sasl?.password;
  return password ? message.split(password).join('[redacted]') : message;
}

/**
 * Maps whatever kafkajs threw to one of our codes with a one-line message an
 * operator can act on. Pass the config to name the brokers and SASL user;
 * the password never appears (kafkajs does not put it in messages, and any
 * occurrence is blanked all the same).
 */
export function describeKafkaError(err: unknown, config?: Partial<KafkaConfig>): AuditRouterError {
  if (err instanceof AuditRouterError) return err;
  const chain = errorChain(err);
  const brokers = config?.brokers?.join(',');
  const detail = withoutSecret(text(chain.at(-1)?.message) || String(err), config);

  if (chain.some(isSaslFailure)) {
    const who = config?.sasl ? ` for user ${config.sasl.username} (${config.sasl.mechanism})` : '';
    const where = brokers ? ` at ${brokers}` : '';
    return new AuditRouterError('AR_ERR_KAFKA_AUTH', `Kafka refused the SASL credentials${who}${where}`, { cause: err });
  }
  const tls = chain.find((e) => TLS_CODE.test(text(e.code)));
  if (tls) {
    return new AuditRouterError('AR_ERR_KAFKA_AUTH', `TLS handshake with Kafka${brokers ? ` at ${brokers}` : ''} failed (${text(tls.code)}): ${detail}`, {
      cause: err,
    });
  }
  if (chain.some(isConnectionFailure)) {
    return new AuditRouterError('AR_ERR_KAFKA_CONNECTION', `cannot reach Kafka${brokers ? ` at ${brokers}` : ''}: ${detail}`, { cause: err });
  }
  return new AuditRouterError('AR_ERR_KAFKA', `Kafka error: ${withoutSecret(text(chain[0]?.message) || String(err), config)}`, { cause: err });
}
