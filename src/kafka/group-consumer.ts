import type { ClientOptions } from './client-options.js';
import type { RecordBatch, TopicPartition, TopicPartitionOffset } from './types.js';

export type GroupProtocol = 'classic' | 'consumer';

/** How a group consumer joins and fetches; engine-neutral names, each engine maps them to its client's settings. */
export interface GroupConsumerOptions extends ClientOptions {
  groupId: string;
  sessionTimeoutMs?: number;
  /** kafkajs heartbeats at this interval; librdkafka heartbeats in the background at its own. */
  heartbeatIntervalMs?: number;
  /**
   * classic (unset): the client-side rebalance protocol. consumer: KIP-848
   * (Kafka 4.0+), where the broker assigns partitions and sets the session
   * timeout and heartbeat interval, so the two above are not sent. Only the
   * librdkafka engine speaks it; kafkajs refuses it.
   */
  groupProtocol?: GroupProtocol;
  /** Fetch caps: they bound how many bytes of records are decoded and held at once. */
  fetch?: {
    maxWaitMs?: number;
    maxBytesPerPartition?: number;
    maxBytes?: number;
  };
}

/**
 * What a batch handler may ask while it works. librdkafka heartbeats in the
 * background (heartbeat() resolves at once there); kafkajs needs it called
 * when one batch takes longer than the session timeout.
 */
export interface BatchControl {
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping. */
  isRunning(): boolean;
  /** True once the batch's partition was revoked (or, on kafkajs, the group rebalanced): stop handing its records on. */
  isStale(): boolean;
}

/**
 * Handles one partition's batch. Returns the offset of the last record it
 * handled (every record before it handled too), or undefined when it handled
 * none: when that is short of the batch's end, the consumer reads the rest
 * again rather than skipping it. Batches of one partition never overlap.
 */
export type BatchHandler = (batch: RecordBatch, control: BatchControl) => Promise<number | undefined>;

export interface GroupConsumerRun {
  /** Subscribed with no committed offset: true starts at the oldest record, false at the end. */
  fromBeginning: boolean;
  /** How many partitions' batches may be handled at once. */
  concurrency?: number;
  eachBatch: BatchHandler;
  /**
   * Partitions this member now owns, before any batch of them is handed
   * over; seek() and pause() called here apply to the first fetch. Called at
   * least once per join, with an empty list when nothing was assigned. On a
   * cooperative rebalance it lists only the partitions added.
   */
  onAssigned?: (partitions: readonly TopicPartition[]) => void;
  /**
   * Partitions this member no longer owns; their batches in flight turn
   * stale. An eager rebalance (kafkajs) revokes everything, then assigns the
   * new set; a cooperative one revokes only what moves.
   */
  onRevoked?: (partitions: readonly TopicPartition[]) => void;
  /** The client gave up for good (it does not restart): the caller should stop. */
  onFatal?: (err: unknown) => void;
}

/**
 * A member of a consumer group on one topic. It never commits by itself:
 * the caller commits explicit offsets when the records before them settled.
 */
export interface GroupConsumer {
  readonly groupId: string;
  connect(): Promise<void>;
  /** Subscribes to `topic` and starts handing batches over; resolves once running (not when joined). */
  run(topic: string, options: GroupConsumerRun): Promise<void>;
  /** Stops fetching these partitions (all of the topic's assigned partitions when `partitions` is absent); stays in the group. */
  pause(topic: string, partitions?: readonly number[]): void;
  resume(topic: string, partitions?: readonly number[]): void;
  /** The next fetch of this partition starts at `offset`. */
  seek(position: TopicPartitionOffset): void;
  /** Commits these offsets (each the next offset to read) for the group; rejects when the group no longer lets this member commit them. */
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** Leaves the group and disconnects; safe to call when never connected, and more than once. */
  close(): Promise<void>;
}
