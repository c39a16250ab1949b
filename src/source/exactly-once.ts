import { undecodableRecord, type DeadLetterWriter, type UndecodableMessage } from '../deadletter/dead-letter-writer.js';
import type { GroupConsumer, KafkaEngine, OutgoingRecord, TopicRecords, TransactionalWriter } from '../kafka/index.js';
import type { Metrics } from '../observability/metrics.js';
import type { Sink } from '../sinks/types.js';
import type { BatchTarget } from './batch-target.js';
import type { PreparedEvent } from './event-pipeline.js';

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

/**
 * One input batch, exactly-once: every sink writes inside the input's
 * transaction (the config check admits no other), so instead of handing
 * events to the runners this collects each sink's records and the
 * undecodable messages' dead-letter records, and writes them with the next
 * offset as one transaction. If that fails, the batch is rejected and the
 * client restarts from the last committed offset.
 */
export class ExactlyOnceBatch implements BatchTarget {
  private readonly records = new Map<string, OutgoingRecord[]>();
  private readonly parked: UndecodableMessage[] = [];

  constructor(
    private readonly writer: ExactlyOnceWriter,
    private readonly partition: number,
    private readonly deadLetter: DeadLetterWriter,
    private readonly metrics: Metrics,
  ) {}

  undecodable(message: UndecodableMessage): void {
    this.parked.push(message);
    this.add(this.deadLetter.topic, undecodableRecord(message));
  }

  event(prepared: PreparedEvent): boolean {
    for (const route of prepared.routes) {
      const { topic, record } = transactional(route.target.target).transactionalRecord(prepared.sinkEvent);
      this.add(topic, record);
    }
    return true;
  }

  /** Writes nothing when the loop failed or read nothing: the client then reads the batch again. */
  async finish(handedOn: number | undefined, completed: boolean): Promise<void> {
    if (!completed || handedOn === undefined) return;
    await this.writer.write(
      this.partition,
      [...this.records].map(([topic, records]) => ({ topic, records })),
      handedOn + 1,
    );
    this.deadLetter.noteParkedUndecodable(this.parked);
    this.metrics.commits.inc();
  }

  private add(topic: string, record: OutgoingRecord): void {
    const list = this.records.get(topic);
    if (list) list.push(record);
    else this.records.set(topic, [record]);
  }
}

function transactional(sink: Sink): Required<Pick<Sink, 'transactionalRecord'>> {
  if (!sink.transactionalRecord) throw new Error(`sink ${sink.name} cannot write inside the input's transaction`);
  return sink as Required<Pick<Sink, 'transactionalRecord'>>;
}
