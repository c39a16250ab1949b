import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '../../observability/logger.js';
import type { BatchControl, GroupConsumer, GroupConsumerOptions, GroupConsumerRun } from '../group-consumer.js';
import type { KafkaRecord, RecordBatch, TopicPartition, TopicPartitionOffset } from '../types.js';
import { describeKafkaError } from '../errors.js';
import { ROUND_ROBIN_ASSIGNERS } from './assigners.js';

/** The control handed with a batch kafkajs only reports afterwards (every record hidden): nothing left to do. */
const IDLE_CONTROL: BatchControl = { heartbeat: async () => undefined, isRunning: () => true, isStale: () => false };

/** How long a consumer that kafkajs gave up on waits before it runs again, as kafkajs's own restarts do. */
const RESTART_AFTER_MS = 1_000;

/**
 * A kafkajs consumer behind the GroupConsumer contract. kafkajs rebalances
 * eagerly: every join reports the whole previous assignment revoked and the
 * whole new one assigned, and kafkajs seeks each partition back to its
 * committed offset.
 */
export class KafkajsGroupConsumer implements GroupConsumer {
  readonly groupId: string;
  private readonly consumer: Consumer;
  private assigned: TopicPartition[] = [];
  private closing: Promise<void> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    kafka: Kafka,
    options: GroupConsumerOptions,
    private readonly logger: Logger,
  ) {
    this.groupId = options.groupId;
    const fetch = options.fetch ?? {};
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      partitionAssigners: ROUND_ROBIN_ASSIGNERS,
      ...(options.sessionTimeoutMs !== undefined && { sessionTimeout: options.sessionTimeoutMs }),
      ...(options.heartbeatIntervalMs !== undefined && { heartbeatInterval: options.heartbeatIntervalMs }),
      ...(fetch.maxWaitMs !== undefined && { maxWaitTimeInMs: fetch.maxWaitMs }),
      ...(fetch.maxBytesPerPartition !== undefined && { maxBytesPerPartition: fetch.maxBytesPerPartition }),
      ...(fetch.maxBytes !== undefined && { maxBytes: fetch.maxBytes }),
    });
  }

  connect(): Promise<void> {
    return this.consumer.connect();
  }

  async run(topic: string, options: GroupConsumerRun): Promise<void> {
    const { consumer } = this;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      if (this.assigned.length > 0) options.onRevoked?.(this.assigned);
      this.assigned = (payload.memberAssignment[topic] ?? []).map((partition) => ({ topic, partition }));
      options.onAssigned?.(this.assigned);
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      // A fetch whose records were all hidden (e.g. the marker ending a transaction): eachBatch never saw it.
      if (payload.batchSize !== 0) return;
      const batch: RecordBatch = {
        topic: payload.topic,
        partition: payload.partition,
        records: [],
        nextOffset: Number(payload.lastOffset) + 1,
        highWatermark: Number(payload.highWatermark),
      };
      options
        .eachBatch(batch, IDLE_CONTROL)
        .catch((err: unknown) => this.logger.warn({ err: { message: (err as Error).message } }, 'handling an empty batch failed'));
    });
    const runConfig = {
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.concurrency ?? 1,
      eachBatch: (payload: EachBatchPayload) => this.handBatch(payload, options),
    };
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      const err = { name: payload.error.name, message: payload.error.message };
      if (payload.restart) {
        this.logger.warn({ err }, 'consumer restarting after error');
        return;
      }
      // kafkajs restarts only after errors it judges retriable, and some paths of a long broker outage reach it as
      // final. A lost broker is never final for a router that promises to wait an outage out: run again, as kafkajs would.
      if (this.closing === undefined && describeKafkaError(payload.error).code === 'AR_ERR_KAFKA_CONNECTION') {
        this.logger.warn({ err, restartInMs: RESTART_AFTER_MS }, 'consumer restarting after error');
        this.restartTimer = setTimeout(() => void consumer.run(runConfig).catch((e: unknown) => options.onFatal?.(e)), RESTART_AFTER_MS);
        return;
      }
      options.onFatal?.(payload.error);
    });
    await consumer.subscribe({ topic, fromBeginning: options.fromBeginning });
    await consumer.run(runConfig);
  }

  private async handBatch(payload: EachBatchPayload, options: GroupConsumerRun): Promise<void> {
    const { batch } = payload;
    const messages = batch.messages;
    // One plain object per message: kafkajs's offsets and timestamps are strings, ours numbers.
    const records = new Array<KafkaRecord>(messages.length);
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      records[i] = { offset: Number(m.offset), key: m.key ?? null, value: m.value, headers: m.headers, timestamp: Number(m.timestamp) };
    }
    const recordBatch: RecordBatch = {
      topic: batch.topic,
      partition: batch.partition,
      records,
      nextOffset: Number(batch.lastOffset()) + 1,
      highWatermark: Number(batch.highWatermark),
    };
    const last = await options.eachBatch(recordBatch, payload);
    // kafkajs fetches on from the resolved offset: what was not handled is read again.
    if (last !== undefined) payload.resolveOffset(String(last));
  }

  pause(topic: string, partitions?: readonly number[]): void {
    this.consumer.pause([partitions ? { topic, partitions: [...partitions] } : { topic }]);
  }

  resume(topic: string, partitions?: readonly number[]): void {
    this.consumer.resume([partitions ? { topic, partitions: [...partitions] } : { topic }]);
  }

  seek({ topic, partition, offset }: TopicPartitionOffset): void {
    this.consumer.seek({ topic, partition, offset: String(offset) });
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    await this.consumer.commitOffsets(offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset: String(offset) })));
  }

  close(): Promise<void> {
    clearTimeout(this.restartTimer);
    this.closing ??= this.consumer.disconnect();
    return this.closing;
  }
}
