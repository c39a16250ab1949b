import type { Kafka, Message, Producer } from 'kafkajs';
import type { Logger } from '../observability/logger.js';

/**
 * Exactly-once into topic sinks: one Kafka transaction per input batch holds
 * the output records (dead-lettered ones included) and the consumer offsets
 * (sendOffsets), so they commit together or not at all. A crash mid-batch
 * leaves an open transaction that read_committed consumers never see.
 *
 * One transactional producer per input partition, with an id derived from
 * the partition: whichever process owns the partition next (this one after a
 * restart, another after a rebalance) starts a producer with the same id,
 * which fences the old one and aborts its open transaction.
 */
export class TransactionalWriter {
  private readonly producers = new Map<number, Promise<Producer>>();

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly sourceTopic: string,
    private readonly logger: Logger,
  ) {}

  private producerFor(partition: number): Promise<Producer> {
    let producer = this.producers.get(partition);
    if (!producer) {
      const created = this.kafka.producer({
        transactionalId: `${this.groupId}.eos.${this.sourceTopic}.${partition}`,
        idempotent: true,
        maxInFlightRequests: 1,
      });
      producer = created.connect().then(() => created);
      producer.catch(() => this.producers.delete(partition));
      this.producers.set(partition, producer);
    }
    return producer;
  }

  /** Writes the batch's records and commits `nextOffset` for the partition, atomically. */
  async write(partition: number, records: { topic: string; messages: Message[] }[], nextOffset: string): Promise<void> {
    const producer = await this.producerFor(partition);
    const tx = await producer.transaction();
    try {
      const topicMessages = records.filter((r) => r.messages.length > 0);
      if (topicMessages.length > 0) await tx.sendBatch({ topicMessages, acks: -1 });
      await tx.sendOffsets({ consumerGroupId: this.groupId, topics: [{ topic: this.sourceTopic, partitions: [{ partition, offset: nextOffset }] }] });
      await tx.commit();
    } catch (err) {
      await tx.abort().catch((abortErr) => this.logger.warn({ err: { message: (abortErr as Error).message } }, 'transaction abort failed'));
      throw err;
    }
  }

  async close(): Promise<void> {
    const producers = await Promise.allSettled(this.producers.values());
    await Promise.allSettled(producers.map((p) => (p.status === 'fulfilled' ? p.value.disconnect() : undefined)));
  }
}
