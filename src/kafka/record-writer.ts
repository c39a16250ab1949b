import type { ClientOptions } from './client-options.js';
import type { GroupConsumer } from './group-consumer.js';
import type { TopicPartitionOffset, TopicRecords } from './types.js';

/** Settings fixed per writer (librdkafka takes them per producer, not per send). */
export interface RecordWriterOptions extends ClientOptions {
  compression?: 'none' | 'gzip';
  /**
   * Let the broker create a missing topic on first write, when the cluster
   * allows it (auto.create.topics.enable). Default true, as both clients do:
   * `dev` and `produce` write to topics nobody created yet.
   */
  allowAutoTopicCreation?: boolean;
}

/**
 * An idempotent producer with acks from all in-sync replicas: a retried
 * request cannot duplicate or reorder records within a partition, and an
 * acknowledged record survives a broker loss.
 */
export interface RecordWriter {
  connect(): Promise<void>;
  /**
   * Writes every record; resolves once all of them are durably acknowledged,
   * rejects when any was not (some may have been written: at least once).
   * Pass the records of many callers in one call rather than awaiting one
   * send per record.
   */
  send(batches: readonly TopicRecords[]): Promise<void>;
  /** Flushes what is in flight and disconnects; safe when never connected. */
  close(): Promise<void>;
}

export interface TransactionalWriterOptions extends ClientOptions {
  /**
   * Stable across restarts for the same input partition: whichever process
   * starts a writer with this id next fences this one and aborts its open
   * transaction.
   */
  transactionalId: string;
  /** The group consumer whose offsets the transactions commit (librdkafka needs its group metadata). */
  consumer: GroupConsumer;
}

/** Exactly-once: records and consumer offsets committed together, or not at all. */
export interface TransactionalWriter {
  connect(): Promise<void>;
  /**
   * One transaction: writes the records, commits `offsets` (each the next
   * offset to read) for the consumer's group, commits. Aborts and rejects on
   * any failure; nothing of it is then visible to read_committed readers.
   */
  sendWithOffsets(batches: readonly TopicRecords[], offsets: readonly TopicPartitionOffset[]): Promise<void>;
  close(): Promise<void>;
}
