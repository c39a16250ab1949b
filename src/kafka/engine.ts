import type { KafkaAdmin } from './admin.js';
import type { ClientOptions } from './client-options.js';
import type { GroupConsumer, GroupConsumerOptions } from './group-consumer.js';
import type { RecordWriter, RecordWriterOptions, TransactionalWriter, TransactionalWriterOptions } from './record-writer.js';

export type EngineName = 'kafkajs' | 'librdkafka';

/**
 * One Kafka client library behind the project's interfaces, configured once
 * from `kafka` (brokers, TLS, SASL, timeouts, assignor). Creating a client
 * does not connect it: connect() does.
 */
export interface KafkaEngine {
  readonly name: EngineName;
  /** The client library's version (librdkafka's own version for librdkafka). */
  readonly version: string;
  groupConsumer(options: GroupConsumerOptions): GroupConsumer;
  recordWriter(options?: RecordWriterOptions): RecordWriter;
  transactionalWriter(options: TransactionalWriterOptions): TransactionalWriter;
  admin(options?: ClientOptions): KafkaAdmin;
}
