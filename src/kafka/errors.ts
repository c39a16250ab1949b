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

/** Broker answers that say "these records will never be accepted", whatever we retry. */
const REJECTING_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'INVALID_TOPIC_EXCEPTION']);

/** Why a write failed, as a sink needs to know it. */
export interface WriteFailure {
  /** The records will never be accepted as they are: retrying cannot help. */
  rejected: boolean;
  /** The innermost reason, for the message. */
  reason: string;
}

/**
 * Judges a failed write by its innermost error: kafkajs wraps a refused
 * connection in "retries exceeded" (retriable: false), which says nothing
 * about whether the next attempt can succeed. Credentials and ACLs are the
 * operator's problem, not the records': those are never "rejected".
 * Anything that is not a client error (a bug in our own code) is rejected.
 */
export function judgeWriteFailure(err: unknown): WriteFailure {
  const chain = errorChain(err) as (ErrorLike & { type?: unknown; retriable?: unknown })[];
  const root = chain.at(-1);
  const reason = typeof root?.message === 'string' ? root.message : String(err);
  const isClientError = chain.some((e) => typeof e.name === 'string' && e.name.startsWith('KafkaJS'));
  const authProblem = root?.name === 'KafkaJSSASLAuthenticationError' || (typeof root?.type === 'string' && root.type.endsWith('AUTHORIZATION_FAILED'));
  const rejected = !authProblem && ((typeof root?.type === 'string' && REJECTING_TYPES.has(root.type)) || root?.retriable === false || !isClientError);
  return { rejected, reason };
}

/**
 * Maps whatever the Kafka client threw to one of our codes with a one-line message an
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
