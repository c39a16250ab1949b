import { CompressionTypes, type Message, type Producer } from 'kafkajs';
import { AuditRouterError } from '../../errors/index.js';
import { createKafka, describeKafkaError, errorChain } from '../../kafka/index.js';
import type { Sink, SinkContext, SinkEvent } from '../types.js';
import { encodeAvroFrame, registerAuditEventSchema } from '../../schema-registry/index.js';
import type { TopicSinkConfig } from './config.js';
import { messageKey } from './key.js';
import { CoalescingSender } from './coalescing-sender.js';

/** Broker answers that say "these records will never be accepted", whatever we retry. */
const REJECTING_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'INVALID_TOPIC_EXCEPTION']);

/**
 * Why a send failed, judged by the innermost error: kafkajs wraps a refused
 * connection in "retries exceeded" (retriable: false), which says nothing
 * about whether the next attempt can succeed.
 */
function sendError(err: unknown, sink: string, topic: string): AuditRouterError {
  const chain = errorChain(err);
  const root = chain.at(-1) as { name?: unknown; type?: unknown; message?: unknown; retriable?: unknown } | undefined;
  const reason = typeof root?.message === 'string' ? root.message : String(err);
  const isKafkaJs = chain.some((e) => typeof e.name === 'string' && e.name.startsWith('KafkaJS'));
  // Credentials and ACLs are the sink's problem, not the events': wait for the operator, do not dead-letter at once.
  const authProblem = root?.name === 'KafkaJSSASLAuthenticationError' || (typeof root?.type === 'string' && root.type.endsWith('AUTHORIZATION_FAILED'));
  const rejected =
    !authProblem && ((typeof root?.type === 'string' && REJECTING_TYPES.has(root.type)) || root?.retriable === false || !isKafkaJs);
  return new AuditRouterError(
    rejected ? 'AR_ERR_SINK_REJECTED' : 'AR_ERR_SINK_UNAVAILABLE',
    `sink ${sink}: Kafka ${rejected ? 'rejected' : 'did not accept'} the batch for topic ${topic}: ${reason}`,
    { retriable: !rejected, cause: err },
  );
}

function abortError(sink: string, signal: AbortSignal): AuditRouterError {
  return new AuditRouterError('AR_ERR_SINK_CLOSED', `sink ${sink}: delivery aborted`, { cause: signal.reason });
}

/**
 * Writes events to a Kafka topic with one idempotent producer: a retried
 * request cannot duplicate or reorder records within a partition, and acks
 * from all in-sync replicas mean an acknowledged batch survives a broker loss.
 * One send() is one attempt; the sink runner owns retries and dead-lettering.
 */
export class TopicSink implements Sink {
  readonly name: string;
  private readonly sender: CoalescingSender;

  private constructor(
    private readonly config: TopicSinkConfig,
    private readonly producer: Producer,
    /** Set for avro: the registry id every frame carries. */
    private readonly schemaId: number | undefined,
  ) {
    this.name = config.name;
    const compression = config.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
    this.sender = new CoalescingSender((messages) => producer.send({ topic: config.topic, acks: -1, compression, messages }));
  }

  static async create(config: TopicSinkConfig, context: SinkContext): Promise<TopicSink> {
    let schemaId: number | undefined;
    if (config.encoding === 'avro') {
      if (!context.schemaRegistry) {
        throw new AuditRouterError('AR_ERR_CONFIG_INVALID', `sinks[${config.name}]: encoding avro needs schemaRegistry.url`, {
          path: 'encoding',
        });
      }
      // Registered before the producer connects: no connection to undo when the registry refuses.
      schemaId = await registerAuditEventSchema(context.schemaRegistry, `${config.topic}-value`);
    }
    const kafka = createKafka(context.kafka, context.logger, `sink-${config.name}`);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    // Exactly-once writes this sink's records through the per-partition transactional producers; this one would idle.
    if (config.exactlyOnce) return new TopicSink(config, producer, schemaId);
    try {
      await producer.connect();
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw describeKafkaError(err, context.kafka);
    }
    return new TopicSink(config, producer, schemaId);
  }

  async send(batch: readonly SinkEvent[], signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw abortError(this.name, signal);
    if (batch.length === 0) return;
    const messages = batch.map((item) => this.toMessage(item));
    // kafkajs cannot cancel a request: the runner stops waiting on abort (abortable()), and if the
    // broker takes the batch after all, the retry is a duplicate, which at-least-once allows.
    try {
      await this.sender.send(messages);
    } catch (err) {
      throw sendError(err, this.name, this.config.topic);
    }
  }

  /** The output topic (the exactly-once path writes through its own transactional producer). */
  get topic(): string {
    return this.config.topic;
  }

  /** The Kafka record for an event: key, value (json or Avro frame), headers. */
  toMessage(item: SinkEvent): Message {
    const { event } = item;
    const headers: Record<string, string> = {};
    if (event.id !== null) headers['ar.event.id'] = event.id;
    headers['ar.event.type'] = event.type;
    headers['ar.event.action'] = event.action;
    headers['ar.event.status'] = event.status;
    return { key: messageKey(item), value: this.value(item), headers };
  }

  private value(item: SinkEvent): string | Buffer {
    if (this.schemaId === undefined) return item.json; // serialised once upstream; never again here
    try {
      return encodeAvroFrame(this.schemaId, item.event);
    } catch (err) {
      // Decoding validated the event against this schema, so this is a bug, but not one to retry.
      throw new AuditRouterError('AR_ERR_SINK_REJECTED', `sink ${this.name}: event ${item.event.id ?? '?'} cannot be Avro-encoded: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
