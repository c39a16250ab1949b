/**
 * The project's own Kafka record types. Only src/kafka/ imports a Kafka
 * client; everything else reads and writes these, so the client (kafkajs or
 * librdkafka) is a replaceable part. Offsets are numbers: JavaScript numbers
 * are exact up to 2^53, far beyond any partition's offsets, and number
 * arithmetic per record is cheaper than kafkajs's strings or bigint.
 */

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A position in a partition: for commits, the next offset to read. */
export interface TopicPartitionOffset extends TopicPartition {
  offset: number;
}

/**
 * Record headers as read: a header sent more than once arrives as an array.
 * Values are bytes (kafkajs) or bytes/strings (librdkafka); read them with
 * headerText().
 */
export type RecordHeaders = Readonly<Record<string, string | Buffer | readonly (string | Buffer)[] | undefined>>;

/** One record read from Kafka. */
export interface KafkaRecord {
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Undefined when the record has none. */
  readonly headers: RecordHeaders | undefined;
  /** Milliseconds since the epoch (create or log-append time, as the topic says). */
  readonly timestamp: number;
}

/**
 * The records of one partition handed over in one call, in offset order.
 * `records` may be empty when everything fetched was hidden from consumers
 * (transaction markers, aborted records): `nextOffset` still moves past them.
 */
export interface RecordBatch extends TopicPartition {
  readonly records: readonly KafkaRecord[];
  /** The offset after the last one this fetch covered, hidden records included. */
  readonly nextOffset: number;
  /** The partition's high watermark when fetched (the next offset to be written); -1 when the client does not know it. */
  readonly highWatermark: number;
}

/** One record to write. `partition` unset: the client's partitioner picks it from the key. */
export interface OutgoingRecord {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string | Buffer>;
  partition?: number;
}

/** Records for one topic, as writers take them. */
export interface TopicRecords {
  topic: string;
  records: readonly OutgoingRecord[];
}

/** The first value of a header as text (undefined when absent). */
export function headerText(headers: RecordHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? (value as readonly (string | Buffer)[])[0] : (value as string | Buffer);
  return first === undefined ? undefined : first.toString();
}
