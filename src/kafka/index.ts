export type {
  TopicPartition,
  TopicPartitionOffset,
  RecordHeaders,
  KafkaRecord,
  RecordBatch,
  OutgoingRecord,
  TopicRecords,
} from './types.js';
export { headerText } from './types.js';
export type { ClientOptions } from './client-options.js';
export type { GroupConsumer, GroupConsumerOptions, GroupConsumerRun, GroupProtocol, BatchControl, BatchHandler } from './group-consumer.js';
export type { RecordWriter, RecordWriterOptions, TransactionalWriter, TransactionalWriterOptions } from './record-writer.js';
export type { KafkaAdmin, NewTopic, PartitionMarks, GroupDescription, GroupMember } from './admin.js';
export type { KafkaEngine, EngineName } from './engine.js';
export { createKafkaEngine, engineChoice, type EngineModule, type EngineChoice } from './create-engine.js';
export { describeKafkaError, errorChain, judgeWriteFailure, type WriteFailure } from './errors.js';
export { createTopicIfMissing, createTopicsIfMissing } from './create-topic.js';
