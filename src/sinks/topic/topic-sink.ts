import { AuditRouterError } from '../../errors/index.js';
import { describeKafkaError, judgeWriteFailure, type OutgoingRecord, type RecordWriter } from '../../kafka/index.js';
import type { Sink, SinkContext, SinkEvent } from '../types.js';
import { encodeAvroFrame, registerAuditEventSchema } from '../../schema-registry/index.js';
import type { TopicSinkConfig } from './config.js';
import { messageKey } from './key.js';

/** A failed send as the runner needs it: rejected records are dead-lettered at once, the rest retried. */
function sendError(err: unknown, sink: string, topic: string): AuditRouterError {
  const { rejected, reason } = judgeWriteFailure(err);
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
  /** Settled once the writer is connected; unset while it is not (yet). */
  private connecting: Promise<void> | undefined;

  private constructor(
    private readonly config: TopicSinkConfig,
    private readonly writer: RecordWriter,
    /** Set for avro: the registry id every frame carries. */
    private readonly schemaId: number | undefined,
    connected: boolean,
  ) {
    this.name = config.name;
    if (connected) this.connecting = Promise.resolve();
  }

  /**
   * An exactly-once sink starts unconnected: inside the router its records go
   * through the input's transactions and this writer would idle. replay and
   * redrive do send through it, so the first send connects it.
   */
  private connected(): Promise<void> {
    this.connecting ??= this.writer.connect().catch((err: unknown) => {
      this.connecting = undefined;
      throw err;
    });
    return this.connecting;
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
    const writer = context.kafkaEngine.recordWriter({ clientIdSuffix: `sink-${config.name}`, compression: config.compression });
    // Exactly-once writes this sink's records through the per-partition transactional writers; this one would idle.
    if (config.exactlyOnce) return new TopicSink(config, writer, schemaId, false);
    try {
      await writer.connect();
    } catch (err) {
      await writer.close().catch(() => undefined);
      throw describeKafkaError(err, context.kafka);
    }
    return new TopicSink(config, writer, schemaId, true);
  }

  async send(batch: readonly SinkEvent[], signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw abortError(this.name, signal);
    if (batch.length === 0) return;
    const messages = batch.map((item) => this.toRecord(item));
    // A Kafka client cannot cancel a request: the runner stops waiting on abort (abortable()), and if the
    // broker takes the batch after all, the retry is a duplicate, which at-least-once allows.
    try {
      await this.connected();
      await this.writer.send([{ topic: this.config.topic, records: messages }]);
    } catch (err) {
      throw sendError(err, this.name, this.config.topic);
    }
  }

  /** Exactly-once: the record goes into the input's transaction, through the source's transactional producer. */
  transactionalRecord(item: SinkEvent): { topic: string; record: OutgoingRecord } {
    return { topic: this.config.topic, record: this.toRecord(item) };
  }

  /** The Kafka record for an event: key, value (json or Avro frame), headers. */
  private toRecord(item: SinkEvent): OutgoingRecord {
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
      throw new AuditRouterError(
        'AR_ERR_SINK_REJECTED',
        `sink ${this.name}: event ${item.event.id ?? '?'} cannot be Avro-encoded: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }

  async close(): Promise<void> {
    await this.writer.close();
  }
}
