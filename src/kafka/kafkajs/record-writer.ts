import { CompressionTypes, type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import type { Logger } from '../../observability/logger.js';
import type { RecordWriter, RecordWriterOptions, TransactionalWriter, TransactionalWriterOptions } from '../record-writer.js';
import type { TopicPartitionOffset, TopicRecords } from '../types.js';
import { CoalescingSender } from './coalescing-sender.js';

function topicMessages(batches: readonly TopicRecords[]): TopicMessages[] {
  const out: TopicMessages[] = [];
  // Our records have kafkajs's Message shape already: no copy per record.
  for (const b of batches) if (b.records.length > 0) out.push({ topic: b.topic, messages: b.records as Message[] });
  return out;
}

/**
 * An idempotent kafkajs producer (one request in flight, acks from all in-sync
 * replicas); sends made while a request is in flight join the next one.
 */
export class KafkajsRecordWriter implements RecordWriter {
  private readonly producer: Producer;
  private readonly compression: CompressionTypes;
  private readonly sender = new CoalescingSender((batches) => this.sendNow(batches));

  constructor(kafka: Kafka, options: RecordWriterOptions) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: options.allowAutoTopicCreation ?? true,
    });
    this.compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  send(batches: readonly TopicRecords[]): Promise<void> {
    return this.sender.send(batches);
  }

  private async sendNow(batches: readonly TopicRecords[]): Promise<void> {
    const messages = topicMessages(batches);
    if (messages.length === 0) return;
    if (messages.length === 1) await this.producer.send({ ...messages[0]!, acks: -1, compression: this.compression });
    else await this.producer.sendBatch({ topicMessages: messages, acks: -1, compression: this.compression });
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}

/** A transactional kafkajs producer: records and the group's offsets in one transaction. */
export class KafkajsTransactionalWriter implements TransactionalWriter {
  private readonly producer: Producer;
  private readonly groupId: string;

  constructor(
    kafka: Kafka,
    options: TransactionalWriterOptions,
    private readonly logger: Logger,
  ) {
    this.groupId = options.consumer.groupId;
    this.producer = kafka.producer({ transactionalId: options.transactionalId, idempotent: true, maxInFlightRequests: 1 });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async sendWithOffsets(batches: readonly TopicRecords[], offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const tx = await this.producer.transaction();
    try {
      const messages = topicMessages(batches);
      if (messages.length > 0) await tx.sendBatch({ topicMessages: messages, acks: -1 });
      const byTopic = new Map<string, { partition: number; offset: string }[]>();
      for (const { topic, partition, offset } of offsets)
        (byTopic.get(topic) ?? byTopic.set(topic, []).get(topic)!).push({ partition, offset: String(offset) });
      if (byTopic.size > 0)
        await tx.sendOffsets({ consumerGroupId: this.groupId, topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) });
      await tx.commit();
    } catch (err) {
      await tx
        .abort()
        .catch((abortErr: unknown) => this.logger.warn({ err: { message: (abortErr as Error).message } }, 'transaction abort failed'));
      throw err;
    }
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}
