import { setTimeout as delay } from 'node:timers/promises';
import type { KafkaConfig } from '../config.js';
import type { Logger } from '../../observability/logger.js';
import type { GroupDescription, KafkaAdmin, NewTopic, PartitionMarks } from '../admin.js';
import type { ClientOptions } from '../client-options.js';
import type { TopicPartitionOffset } from '../types.js';
import { baseConfig, connectTimeoutMs } from './client-config.js';
import { bridgeLogs } from './client-log.js';
import { watchHopeless } from './connect.js';
import type {
  NativeAdmin,
  NativeCallback,
  NativeDeletedGroup,
  NativeError,
  NativeGroupDescription,
  NativeGroupOffsets,
  NativeListedOffset,
  NativeModule,
  NativeTopicDescription,
} from './native.js';

const ERR_TOPIC_ALREADY_EXISTS = 36;
const ERR_GROUP_ID_NOT_FOUND = 69;
const LEADER_POLL_MS = 100;
/** librdkafka's ConsumerGroupStates, by number, under Kafka's names (the ones the kafkajs engine reports). */
const GROUP_STATES = ['Unknown', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Empty'];

function call<T>(run: (cb: NativeCallback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => run((err, result) => (err ? reject(err) : resolve(result))));
}

/** librdkafka's admin client behind the KafkaAdmin contract. */
export class LibrdkafkaAdmin implements KafkaAdmin {
  private admin: NativeAdmin | undefined;
  private readonly timeout: number;

  constructor(
    private readonly native: NativeModule,
    private readonly config: KafkaConfig,
    private readonly logger: Logger,
    private readonly options: ClientOptions,
  ) {
    this.timeout = config.requestTimeoutMs;
  }

  private get client(): NativeAdmin {
    if (!this.admin) throw new Error('Kafka admin client is not connected');
    return this.admin;
  }

  /** librdkafka's admin connects lazily: a metadata request proves the cluster answers (see connectNative). */
  async connect(): Promise<void> {
    if (this.admin) return;
    const admin = this.native.AdminClient.create(baseConfig(this.config, this.logger, this.options.clientIdSuffix));
    bridgeLogs(admin, this.logger, this.config, this.options.quiet);
    this.admin = admin;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const stopWatching = watchHopeless(admin, this.config.brokers.length, (err) => {
        settled = true;
        reject(err);
      });
      admin.listTopics({ timeout: connectTimeoutMs(this.config) }, (err) => {
        stopWatching();
        if (settled) return;
        settled = true;
        if (err) reject(err);
        else resolve();
      });
    });
  }

  listTopics(): Promise<string[]> {
    return call<string[]>((cb) => this.client.listTopics({ timeout: this.timeout }, cb));
  }

  async createTopic({ topic, numPartitions, replicationFactor, config }: NewTopic): Promise<boolean> {
    const spec = { topic, num_partitions: numPartitions ?? -1, replication_factor: replicationFactor ?? -1, config: config ?? {} };
    try {
      await call<void>((cb) => this.client.createTopic(spec, this.timeout, (err) => cb(err, undefined)));
    } catch (err) {
      if ((err as NativeError).code === ERR_TOPIC_ALREADY_EXISTS) return false;
      throw err;
    }
    await this.waitForLeaders(topic);
    return true;
  }

  /** CreateTopics returns before the partitions have leaders; writes and fetches before that fail. */
  private async waitForLeaders(topic: string): Promise<void> {
    const deadline = Date.now() + this.timeout;
    for (;;) {
      const partitions = await this.partitions(topic).catch(() => []);
      if (partitions.length > 0 && partitions.every((p) => p.leader !== null && p.leader !== undefined)) return;
      if (Date.now() > deadline) throw new Error(`topic ${topic} has no leader for every partition after ${this.timeout} ms`);
      await delay(LEADER_POLL_MS);
    }
  }

  private async partitions(topic: string): Promise<{ partition: number; leader: unknown }[]> {
    const [description] = await call<NativeTopicDescription[]>((cb) => this.client.describeTopics([topic], { timeout: this.timeout }, cb));
    if (description?.error) throw description.error;
    return [...(description?.partitions ?? [])].sort((a, b) => a.partition - b.partition);
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    await Promise.all(topics.map((topic) => call<void>((cb) => this.client.deleteTopic(topic, this.timeout, (err) => cb(err, undefined)))));
  }

  private async listOffsets(topic: string, partitions: readonly number[], spec: unknown): Promise<Map<number, number>> {
    const request = partitions.map((partition) => ({ topic, partition, offset: spec }));
    const answers = await call<NativeListedOffset[]>((cb) => this.client.listOffsets(request, { timeout: this.timeout }, cb));
    const out = new Map<number, number>();
    for (const a of answers) {
      if (a.error) throw a.error;
      out.set(a.partition, a.offset);
    }
    return out;
  }

  async watermarks(topic: string): Promise<PartitionMarks[]> {
    const partitions = (await this.partitions(topic)).map((p) => p.partition);
    const { OffsetSpec } = this.native;
    const [low, high] = await Promise.all([
      this.listOffsets(topic, partitions, OffsetSpec.EARLIEST),
      this.listOffsets(topic, partitions, OffsetSpec.LATEST),
    ]);
    return partitions.map((partition) => ({ partition, low: low.get(partition) ?? 0, high: high.get(partition) ?? 0 }));
  }

  async offsetsForTime(topic: string, ms: number): Promise<{ partition: number; offset: number }[]> {
    const partitions = (await this.partitions(topic)).map((p) => p.partition);
    const { OffsetSpec } = this.native;
    const [atTime, high] = await Promise.all([
      this.listOffsets(topic, partitions, new OffsetSpec(ms)),
      this.listOffsets(topic, partitions, OffsetSpec.LATEST),
    ]);
    // -1: nothing at or after the time; the contract says the high watermark then.
    return partitions.map((partition) => {
      const offset = atTime.get(partition) ?? -1;
      return { partition, offset: offset >= 0 ? offset : (high.get(partition) ?? 0) };
    });
  }

  async groupOffsets(groupId: string, topic: string): Promise<TopicPartitionOffset[]> {
    const partitions = (await this.partitions(topic)).map(({ partition }) => ({ topic, partition }));
    const [group] = await call<NativeGroupOffsets[]>((cb) =>
      this.client.listConsumerGroupOffsets([{ groupId, partitions }], { timeout: this.timeout }, cb),
    );
    if (group?.error) throw group.error;
    return (group?.partitions ?? [])
      .filter((p) => p.topic === topic && p.offset >= 0)
      .map(({ partition, offset }) => ({ topic, partition, offset }))
      .sort((a, b) => a.partition - b.partition);
  }

  async describeGroup(groupId: string): Promise<GroupDescription> {
    const { groups } = await call<{ groups: NativeGroupDescription[] }>((cb) =>
      this.client.describeGroups([groupId], { timeout: this.timeout }, cb),
    );
    const group = groups.find((g) => g.groupId === groupId);
    if (!group || group.error?.code === ERR_GROUP_ID_NOT_FOUND) return { groupId, state: 'Dead', members: [] };
    if (group.error) throw group.error;
    return {
      groupId,
      state: GROUP_STATES[group.state] ?? 'Unknown',
      members: group.members.map(({ memberId, clientId, clientHost }) => ({ memberId, clientId, clientHost })),
    };
  }

  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    const results = await call<NativeDeletedGroup[]>((cb) => this.client.deleteGroups([...groupIds], { timeout: this.timeout }, cb));
    const failed = results.find((r) => r.error);
    if (failed?.error) throw failed.error;
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    admin?.disconnect();
  }
}
