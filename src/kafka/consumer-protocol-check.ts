import { readFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { KafkaConfig } from './config.js';
import { AuditRouterError } from '../errors/index.js';

/**
 * Kafka's ApiVersions request (key 18) and the consumer group protocol's
 * heartbeat (KIP-848, key 68). Kafka 3.9 lists the heartbeat at version 0
 * only, its early-access form, which librdkafka does not speak; Kafka 4.0
 * brought version 1 with general availability.
 */
const API_VERSIONS = 18;
const CONSUMER_GROUP_HEARTBEAT = 68;
const CONSUMER_GROUP_HEARTBEAT_GA = 1;

/** ApiVersions v0: header (key, version, correlation id, client id), no body. Every broker answers it before SASL. */
function apiVersionsRequest(clientId: string): Buffer {
  const id = Buffer.from(clientId, 'utf8');
  const out = Buffer.alloc(4 + 10 + id.length);
  out.writeInt32BE(10 + id.length, 0);
  out.writeInt16BE(API_VERSIONS, 4);
  out.writeInt16BE(0, 6);
  out.writeInt32BE(1, 8);
  out.writeInt16BE(id.length, 12);
  id.copy(out, 14);
  return out;
}

/**
 * Each API key's newest version, from an ApiVersions v0 response (a broker
 * that refuses v0 still lists them, with an error code): size, correlation
 * id, error code, then a count of (key, min, max) entries.
 */
function apiKeys(response: Buffer): Map<number, number> {
  const count = response.readInt32BE(10);
  const keys = new Map<number, number>();
  for (let i = 0; i < count; i++) keys.set(response.readInt16BE(14 + i * 6), response.readInt16BE(18 + i * 6));
  return keys;
}

/** A connection to the broker, and the event that says it is ready for the request. */
function open(config: KafkaConfig, host: string, port: number): { socket: Socket; ready: 'connect' | 'secureConnect' } {
  const { ssl } = config;
  if (ssl === undefined || ssl === false) return { socket: tcpConnect({ host, port }), ready: 'connect' };
  const files = typeof ssl === 'object' ? ssl : undefined;
  const socket = tlsConnect({
    host,
    port,
    servername: host,
    rejectUnauthorized: files?.rejectUnauthorized ?? true,
    ...(files?.ca !== undefined && { ca: readFileSync(files.ca) }),
    ...(files?.cert !== undefined && { cert: readFileSync(files.cert) }),
    ...(files?.key !== undefined && { key: readFileSync(files.key) }),
  });
  return { socket, ready: 'secureConnect' };
}

/** The API versions one broker offers, or undefined when it cannot be asked (unreachable, TLS refused, timed out). */
function brokerApiKeys(config: KafkaConfig, broker: string): Promise<Map<number, number> | undefined> {
  const at = broker.lastIndexOf(':');
  return new Promise((resolve) => {
    let socket: Socket;
    let ready: 'connect' | 'secureConnect';
    try {
      ({ socket, ready } = open(config, broker.slice(0, at), Number(broker.slice(at + 1))));
    } catch {
      resolve(undefined);
      return;
    }
    let received = Buffer.alloc(0);
    const done = (keys: Map<number, number> | undefined) => {
      socket.destroy();
      resolve(keys);
    };
    socket.setTimeout(config.connectionTimeoutMs + config.requestTimeoutMs, () => done(undefined));
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
    socket.once(ready, () => socket.write(apiVersionsRequest(config.clientId)));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
      try {
        done(apiKeys(received));
      } catch {
        done(undefined);
      }
    });
  });
}

/**
 * source.groupProtocol consumer needs brokers that offer KIP-848. librdkafka,
 * on a broker that does not (Kafka 3.9 keeps it off), retries its join for
 * ever without an error, and the router would wait unready with no word why;
 * so ask the first broker that answers, and say so in one line. A broker
 * that cannot be asked is the connection's problem, reported by the client.
 */
export async function checkConsumerProtocol(config: KafkaConfig): Promise<void> {
  for (const broker of config.brokers) {
    const keys = await brokerApiKeys(config, broker);
    if (keys === undefined) continue;
    if ((keys.get(CONSUMER_GROUP_HEARTBEAT) ?? -1) >= CONSUMER_GROUP_HEARTBEAT_GA) return;
    throw new AuditRouterError(
      'AR_ERR_CONFIG_INVALID',
      `source.groupProtocol: consumer needs Kafka 4.0 or later (KIP-848); broker ${broker} does not offer it: use classic`,
      { path: 'source.groupProtocol' },
    );
  }
}
