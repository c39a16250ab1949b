import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, type KafkaConfig as KafkaJsConfig, type SASLOptions } from 'kafkajs';
import type { KafkaConfig } from '../config.js';
import { AuditRouterError } from '../../errors/index.js';
import type { Logger } from '../../observability/logger.js';
import { kafkajsLevelFor, pinoLogCreator } from './log-creator.js';

function readPem(file: string, field: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new AuditRouterError('AR_ERR_CONFIG_FILE', `kafka.ssl.${field}: cannot read ${file} (${code})`, {
      path: `kafka.ssl.${field}`,
      cause: err,
    });
  }
}

/** `ssl: true` uses the system CAs; an object names PEM files, read once here. */
function sslOptions(ssl: KafkaConfig['ssl']): boolean | ConnectionOptions | undefined {
  if (ssl === undefined || typeof ssl === 'boolean') return ssl;
  const options: ConnectionOptions = { rejectUnauthorized: ssl.rejectUnauthorized };
  if (ssl.ca !== undefined) options.ca = [readPem(ssl.ca, 'ca')];
  if (ssl.cert !== undefined) options.cert = readPem(ssl.cert, 'cert');
  if (ssl.key !== undefined) options.key = readPem(ssl.key, 'key');
  return options;
}

function saslOptions(sasl: KafkaConfig['sasl']): SASLOptions | undefined {
  if (sasl === undefined) return undefined;
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

/**
 * The one place a kafkajs client is built from our config, so the consumer,
 * the dead-letter producer and topic sinks share TLS, SASL, timeouts and
 * logging. `clientIdSuffix` tells the clients apart in broker logs and quotas;
 * `quiet` demotes the client's errors to debug while it is true (start-up).
 */
export function createKafka(config: KafkaConfig, logger: Logger, clientIdSuffix?: string, quiet?: () => boolean): Kafka {
  const clientId = clientIdSuffix ? `${config.clientId}-${clientIdSuffix}` : config.clientId;
  const options: KafkaJsConfig = {
    clientId,
    brokers: [...config.brokers],
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    logLevel: kafkajsLevelFor(logger),
    logCreator: pinoLogCreator(logger.child({ component: 'kafkajs', clientId }), config.sasl ? [config.sasl.password] : [], quiet),
  };
  const ssl = sslOptions(config.ssl);
  if (ssl !== undefined) options.ssl = ssl;
  const sasl = saslOptions(config.sasl);
  if (sasl !== undefined) options.sasl = sasl;
  return new Kafka(options);
}
