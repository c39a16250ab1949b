import type { KafkaConfig } from './config.js';
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

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
const CONNECTION_NAMES = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError']);
/** Node's TLS failures: wrong CA, expired or mismatched certificate, protocol mismatch. */
const TLS_CODE =
  /^(ERR_SSL_|ERR_TLS_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET|VERIFY)_|HOSTNAME_MISMATCH)/;

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * librdkafka's error codes (rdkafka.h): negative ones are raised by the
 * client itself, positive ones are the broker's. Its errors are told apart
 * by these numbers, where kafkajs's and Node's use names and strings.
 */
const RD = {
  TRANSPORT: -195,
  RESOLVE: -193,
  ALL_BROKERS_DOWN: -187,
  TIMED_OUT: -185,
  SSL: -181,
  AUTHENTICATION: -169,
  MSG_SIZE_TOO_LARGE: 10,
  INVALID_MSG: 2,
  TOPIC_EXCEPTION: 17,
  RECORD_LIST_TOO_LARGE: 18,
  INVALID_RECORD: 87,
  SASL_AUTHENTICATION_FAILED: 58,
  INCONSISTENT_GROUP_PROTOCOL: 23,
} as const;
const RD_CONNECTION = new Set<number>([RD.TRANSPORT, RD.RESOLVE, RD.ALL_BROKERS_DOWN, RD.TIMED_OUT]);
const RD_SASL = new Set<number>([RD.AUTHENTICATION, RD.SASL_AUTHENTICATION_FAILED]);
/** Broker answers that say "these records will never be accepted" (cf. REJECTING_TYPES). */
const RD_REJECTING = new Set<number>([
  RD.MSG_SIZE_TOO_LARGE,
  RD.INVALID_MSG,
  RD.TOPIC_EXCEPTION,
  RD.RECORD_LIST_TOO_LARGE,
  RD.INVALID_RECORD,
]);

/** A librdkafka error's code: a number (Node's system errors have string codes; kafkajs's protocol errors, judged by their type, numbers too). */
const rdCode = (e: ErrorLike | undefined): number | undefined =>
  typeof e?.code === 'number' && !text(e.name).startsWith('KafkaJS') ? e.code : undefined;

function isSaslFailure(e: ErrorLike): boolean {
  return e.name === 'KafkaJSSASLAuthenticationError' || RD_SASL.has(rdCode(e)!) || /\bSASL\b/.test(text(e.message));
}

function isTlsFailure(e: ErrorLike): boolean {
  return TLS_CODE.test(text(e.code)) || rdCode(e) === RD.SSL;
}

function isConnectionFailure(e: ErrorLike): boolean {
  return (
    CONNECTION_NAMES.has(text(e.name)) ||
    CONNECTION_CODES.has(text(e.code)) ||
    RD_CONNECTION.has(rdCode(e)!) ||
    /\bECONNREFUSED\b/.test(text(e.message))
  );
}

/** A group member offered no assignor the others share (kafkajs's eager round-robin beside librdkafka's cooperative-sticky). */
export function isInconsistentGroupProtocol(err: unknown): boolean {
  return errorChain(err).some(
    (e) => rdCode(e) === RD.INCONSISTENT_GROUP_PROTOCOL || (e as { type?: unknown }).type === 'INCONSISTENT_GROUP_PROTOCOL',
  );
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
  const code = rdCode(root);
  // Credentials, ACLs and outages can be fixed while the sink retries; only a refusal of the records themselves is final.
  if (code !== undefined) return { rejected: RD_REJECTING.has(code), reason };
  const isClientError = chain.some((e) => typeof e.name === 'string' && e.name.startsWith('KafkaJS'));
  const authProblem =
    root?.name === 'KafkaJSSASLAuthenticationError' || (typeof root?.type === 'string' && root.type.endsWith('AUTHORIZATION_FAILED'));
  const rejected =
    !authProblem && ((typeof root?.type === 'string' && REJECTING_TYPES.has(root.type)) || root?.retriable === false || !isClientError);
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
  const tls = chain.find(isTlsFailure);
  if (tls) {
    return new AuditRouterError(
      'AR_ERR_KAFKA_AUTH',
      `TLS handshake with Kafka${brokers ? ` at ${brokers}` : ''} failed (${String(tls.code)}): ${detail}`,
      {
        cause: err,
      },
    );
  }
  if (isInconsistentGroupProtocol(err)) {
    return new AuditRouterError(
      'AR_ERR_KAFKA_GROUP_PROTOCOL',
      'the consumer group refused this member: its members share no partition assignor (kafkajs routers rebalance eagerly, librdkafka ones cooperatively unless kafka.assignor is roundrobin); while a group mixes engines set kafka.assignor: roundrobin (README: Rolling upgrade)',
      { cause: err },
    );
  }
  if (chain.some(isConnectionFailure)) {
    return new AuditRouterError('AR_ERR_KAFKA_CONNECTION', `cannot reach Kafka${brokers ? ` at ${brokers}` : ''}: ${detail}`, {
      cause: err,
    });
  }
  return new AuditRouterError('AR_ERR_KAFKA', `Kafka error: ${withoutSecret(text(chain[0]?.message) || String(err), config)}`, {
    cause: err,
  });
}
