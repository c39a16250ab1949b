import type { GroupConsumer, KafkaEngine, TopicRecords, TransactionalWriter } from '../kafka/index.js';

/**
 * Exactly-once into topic sinks: one Kafka transaction per input batch holds
 * the output records (dead-lettered ones included) and the consumer offsets,
 * so they commit together or not at all. A crash mid-batch leaves an open
 * transaction that read_committed consumers never see.
 *
 * One transactional writer per input partition, with an id derived from the
 * partition: whichever process owns the partition next (this one after a
 * restart, another after a rebalance) starts a writer with the same id,
 * which fences the old one and aborts its open transaction.
 */
export class ExactlyOnceWriter {
  private readonly writers = new Map<number, Promise<TransactionalWriter>>();

  constructor(
    private readonly engine: KafkaEngine,
    private readonly consumer: GroupConsumer,
    private readonly sourceTopic: string,
  ) {}

  private writerFor(partition: number): Promise<TransactionalWriter> {
    let writer = this.writers.get(partition);
    if (!writer) {
      const created = this.engine.transactionalWriter({
        transactionalId: `${this.consumer.groupId}.eos.${this.sourceTopic}.${partition}`,
        consumer: this.consumer,
        clientIdSuffix: `eos-${partition}`,
      });
      writer = created.connect().then(() => created);
      writer.catch(() => {
        // The next batch makes a new writer: this one must not keep a client open.
        this.writers.delete(partition);
        void created.close().catch(() => undefined);
      });
      this.writers.set(partition, writer);
    }
    return writer;
  }

  /** Writes the batch's records and commits `nextOffset` for the partition, atomically. */
  async write(partition: number, records: readonly TopicRecords[], nextOffset: number): Promise<void> {
    const writer = await this.writerFor(partition);
    await writer.sendWithOffsets(records, [{ topic: this.sourceTopic, partition, offset: nextOffset }]);
  }

  async close(): Promise<void> {
    const writers = await Promise.allSettled(this.writers.values());
    await Promise.allSettled(writers.map((w) => (w.status === 'fulfilled' ? w.value.close() : undefined)));
  }
}
