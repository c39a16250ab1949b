import type { TopicPartitionOffset } from './types.js';

/** A topic to create; unset fields take the broker's defaults. */
export interface NewTopic {
  topic: string;
  numPartitions?: number;
  replicationFactor?: number;
  /** Topic configs, e.g. { 'cleanup.policy': 'compact' }. */
  config?: Record<string, string>;
}

/** One partition's oldest retained offset and its high watermark (the next offset to be written). */
export interface PartitionMarks {
  partition: number;
  low: number;
  high: number;
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  clientHost: string;
}

/** A group as the coordinator sees it. `state` uses Kafka's names: Empty, Stable, PreparingRebalance, CompletingRebalance, Dead. */
export interface GroupDescription {
  groupId: string;
  state: string;
  members: readonly GroupMember[];
}

/** The cluster-level operations the router and its CLI need. */
export interface KafkaAdmin {
  connect(): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Creates the topic and waits for its partitions' leaders; false when it existed already. */
  createTopic(topic: NewTopic): Promise<boolean>;
  deleteTopics(topics: readonly string[]): Promise<void>;
  /** Every partition of an existing topic, in partition order. */
  watermarks(topic: string): Promise<PartitionMarks[]>;
  /** Per partition, the first offset whose timestamp is at or after `ms` (the high watermark when none is). */
  offsetsForTime(topic: string, ms: number): Promise<{ partition: number; offset: number }[]>;
  /** The group's committed offsets on the topic; partitions it never committed are left out. */
  groupOffsets(groupId: string, topic: string): Promise<TopicPartitionOffset[]>;
  describeGroup(groupId: string): Promise<GroupDescription>;
  /** Deletes groups that have no members; rejects when one cannot be deleted (cleanup callers ignore that). */
  deleteGroups(groupIds: readonly string[]): Promise<void>;
  close(): Promise<void>;
}
