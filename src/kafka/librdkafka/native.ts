import { createRequire } from 'node:module';

/**
 * The part of @confluentinc/kafka-javascript's native API this engine uses,
 * declared here rather than imported from the package's types: the package
 * is an optionalDependency, and the project must build where its native
 * module failed to install. Only `load()` below touches the package itself.
 */

export type NativeConfig = Record<string, string | number | boolean | ((...args: never[]) => void)>;

export interface NativeError extends Error {
  code: number;
  origin?: string;
  isFatal?: boolean;
  isRetriable?: boolean;
  isTxnRequiresAbort?: boolean;
}

export type NativeCallback<T = void> = (err: NativeError | null | undefined, result: T) => void;

export interface NativeTopicPartition {
  topic: string;
  partition: number;
  offset?: number;
  error?: NativeError;
}

export interface NativeMessage {
  topic: string;
  partition: number;
  offset: number;
  key?: Buffer | string | null;
  value: Buffer | null;
  timestamp?: number;
  headers?: Record<string, Buffer | string>[];
}

export interface NativeMetadata {
  topics: { name: string; partitions: { id: number; leader: number }[] }[];
}

interface NativeClient {
  connect(options: { timeout?: number; topic?: string; allTopics?: boolean }, cb: NativeCallback<NativeMetadata>): unknown;
  disconnect(cb: NativeCallback<unknown>): unknown;
  isConnected(): boolean;
  getMetadata(options: { topic?: string; allTopics?: boolean; timeout?: number }, cb: NativeCallback<NativeMetadata>): unknown;
  on(event: 'event.error', listener: (err: NativeError) => void): unknown;
  on(event: 'event.log', listener: (log: { severity: number; fac: string; message: string }) => void): unknown;
  removeListener(event: 'event.error' | 'event.log', listener: (arg: never) => void): unknown;
}

export interface NativeConsumer extends NativeClient {
  subscribe(topics: string[]): unknown;
  consume(count: number, cb: NativeCallback<NativeMessage[]>): void;
  setDefaultConsumeTimeout(ms: number): void;
  setDefaultIsTimeoutOnlyForFirstMessage(on: boolean): void;
  assign(partitions: NativeTopicPartition[]): unknown;
  unassign(): unknown;
  incrementalAssign(partitions: NativeTopicPartition[]): unknown;
  incrementalUnassign(partitions: NativeTopicPartition[]): unknown;
  rebalanceProtocol(): 'NONE' | 'EAGER' | 'COOPERATIVE';
  assignmentLost(): boolean;
  pause(partitions: NativeTopicPartition[]): unknown;
  resume(partitions: NativeTopicPartition[]): unknown;
  seek(position: NativeTopicPartition, timeoutMs: number, cb: (err?: NativeError) => void): unknown;
  commitCb(offsets: NativeTopicPartition[], cb: (err: NativeError | null) => void): unknown;
  getWatermarkOffsets(topic: string, partition: number): { highOffset: number; lowOffset: number };
  on(event: 'partition.eof', listener: (eof: { topic: string; partition: number; offset: number }) => void): unknown;
  on(event: 'event.error', listener: (err: NativeError) => void): unknown;
  on(event: 'event.log', listener: (log: { severity: number; fac: string; message: string }) => void): unknown;
  unsubscribe(): unknown;
}

export interface NativeProducer extends NativeClient {
  produce(
    topic: string,
    partition: number | null,
    value: Buffer | null,
    key: Buffer | string | null | undefined,
    timestamp: null,
    opaque: unknown,
    headers?: Record<string, Buffer | string>[],
  ): unknown;
  on(event: 'delivery-report', listener: (err: NativeError | null, report: { opaque: unknown }) => void): unknown;
  on(event: 'event.error', listener: (err: NativeError) => void): unknown;
  on(event: 'event.log', listener: (log: { severity: number; fac: string; message: string }) => void): unknown;
  setPollInBackground(on: boolean): unknown;
  flush(timeoutMs: number, cb: (err?: NativeError | null) => void): unknown;
  initTransactions(timeoutMs: number, cb: (err?: NativeError | null) => void): void;
  beginTransaction(cb: (err?: NativeError | null) => void): void;
  commitTransaction(timeoutMs: number, cb: (err?: NativeError | null) => void): void;
  abortTransaction(timeoutMs: number, cb: (err?: NativeError | null) => void): void;
  sendOffsetsToTransaction(
    offsets: NativeTopicPartition[],
    consumer: NativeConsumer,
    timeoutMs: number,
    cb: (err?: NativeError | null) => void,
  ): void;
}

export interface NativeGroupDescription {
  groupId: string;
  error?: NativeError;
  state: number;
  members: { memberId: string; clientId: string; clientHost: string }[];
}

export interface NativeTopicDescription {
  name: string;
  partitions: { partition: number; leader: unknown }[];
  error?: NativeError;
}
export interface NativeListedOffset {
  partition: number;
  offset: number;
  error?: NativeError;
}
export interface NativeGroupOffsets {
  groupId: string;
  error?: NativeError;
  partitions: { topic: string; partition: number; offset: number; error?: NativeError }[];
}

export interface NativeDeletedGroup {
  groupId: string;
  error?: NativeError;
}

export interface NativeAdmin {
  on(event: 'event.error', listener: (err: NativeError) => void): unknown;
  removeListener(event: 'event.error' | 'event.log', listener: (arg: never) => void): unknown;
  on(event: 'event.log', listener: (log: { severity: number; fac: string; message: string }) => void): unknown;
  listTopics(options: { timeout: number }, cb: NativeCallback<string[]>): void;
  createTopic(
    topic: { topic: string; num_partitions: number; replication_factor: number; config?: Record<string, string> },
    timeoutMs: number,
    cb: (err?: NativeError | null) => void,
  ): void;
  deleteTopic(topic: string, timeoutMs: number, cb: (err?: NativeError | null) => void): void;
  describeTopics(topics: string[], options: { timeout: number }, cb: NativeCallback<NativeTopicDescription[]>): void;
  listOffsets(
    partitions: { topic: string; partition: number; offset: unknown }[],
    options: { timeout: number; isolationLevel?: number },
    cb: NativeCallback<NativeListedOffset[]>,
  ): void;
  listConsumerGroupOffsets(
    groups: { groupId: string; partitions?: { topic: string; partition: number }[] }[],
    options: { timeout: number },
    cb: NativeCallback<NativeGroupOffsets[]>,
  ): void;
  describeGroups(groupIds: string[], options: { timeout: number }, cb: NativeCallback<{ groups: NativeGroupDescription[] }>): void;
  deleteGroups(groupIds: string[], options: { timeout: number }, cb: NativeCallback<NativeDeletedGroup[]>): void;
  disconnect(): void;
}

interface OffsetSpecClass {
  new (timestamp: number): unknown;
  EARLIEST: unknown;
  LATEST: unknown;
}

export interface NativeModule {
  librdkafkaVersion: string;
  features: string[];
  KafkaConsumer: new (config: NativeConfig, topicConfig: NativeConfig) => NativeConsumer;
  Producer: new (config: NativeConfig, topicConfig?: NativeConfig) => NativeProducer;
  AdminClient: { create(config: NativeConfig): NativeAdmin };
  OffsetSpec: OffsetSpecClass;
}

const PACKAGE = '@confluentinc/kafka-javascript';

/** Loads the native client; throws (module not found, binding not built) when it cannot. */
export function loadNative(): NativeModule {
  return createRequire(import.meta.url)(PACKAGE) as NativeModule;
}
