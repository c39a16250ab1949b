import { accessSync, constants } from 'node:fs';
import type { KafkaConfig } from '../config.js';
import { AuditRouterError } from '../../errors/index.js';
import type { Logger } from '../../observability/logger.js';
import type { NativeConfig } from './native.js';

const SASL_MECHANISM = { plain: 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512' } as const;

/** librdkafka reads the PEM files itself, later: say which one is missing now, as the kafkajs engine does. */
function readablePem(file: string, field: string): string {
  try {
    accessSync(file, constants.R_OK);
    return file;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new AuditRouterError('AR_ERR_CONFIG_FILE', `kafka.ssl.${field}: cannot read ${file} (${code})`, {
      path: `kafka.ssl.${field}`,
      cause: err,
    });
  }
}

function securityConfig(config: KafkaConfig): NativeConfig {
  const out: NativeConfig = {};
  const { ssl, sasl } = config;
  const tls = ssl !== undefined && ssl !== false;
  if (sasl) {
    out['security.protocol'] = tls ? 'sasl_ssl' : 'sasl_plaintext';
    out['sasl.mechanisms'] = SASL_MECHANISM[sasl.mechanism];
    out['sasl.username'] = sasl.username;
    out['sasl.password'] = sasl.password;
  } else if (tls) {
    out['security.protocol'] = 'ssl';
  }
  if (typeof ssl === 'object') {
    if (ssl.ca !== undefined) out['ssl.ca.location'] = readablePem(ssl.ca, 'ca');
    if (ssl.cert !== undefined) out['ssl.certificate.location'] = readablePem(ssl.cert, 'cert');
    if (ssl.key !== undefined) out['ssl.key.location'] = readablePem(ssl.key, 'key');
    if (!ssl.rejectUnauthorized) {
      out['enable.ssl.certificate.verification'] = false;
      out['ssl.endpoint.identification.algorithm'] = 'none';
    }
  }
  return out;
}

/** The most verbose librdkafka log level (syslog numbering) our logger would print. */
function logLevelFor(logger: Logger): number {
  if (logger.isLevelEnabled('trace')) return 7;
  if (logger.isLevelEnabled('debug')) return 6;
  return 4;
}

/**
 * Settings every librdkafka client of this router shares: brokers, TLS,
 * SASL, timeouts. Connection set-up (TCP, TLS and SASL handshakes) is
 * bounded by kafka.connectionTimeoutMs, so an unreachable broker is reported
 * in seconds, not after librdkafka's default 30 s.
 */
export function baseConfig(config: KafkaConfig, logger: Logger, clientIdSuffix?: string): NativeConfig {
  return {
    'bootstrap.servers': config.brokers.join(','),
    'client.id': clientIdSuffix ? `${config.clientId}-${clientIdSuffix}` : config.clientId,
    'socket.connection.setup.timeout.ms': Math.max(1000, config.connectionTimeoutMs),
    'socket.timeout.ms': config.requestTimeoutMs,
    // A broker closing an idle connection is routine, not worth a log line each time.
    'log.connection.close': false,
    log_level: logLevelFor(logger),
    ...securityConfig(config),
  };
}

/**
 * How long connect() waits for the cluster's first answer. librdkafka cannot
 * cancel that wait, and the process cannot exit until it ends, even after a
 * refused connection or password was reported (at once, see connect.ts): so
 * it is kept short rather than kafka.requestTimeoutMs.
 */
export function connectTimeoutMs(config: KafkaConfig): number {
  return Math.max(10_000, 2 * config.connectionTimeoutMs);
}
