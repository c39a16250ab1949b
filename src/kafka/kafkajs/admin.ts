import type { Admin, Kafka } from 'kafkajs';
import type { GroupDescription, KafkaAdmin, NewTopic, PartitionMarks } from '../admin.js';
import type { TopicPartitionOffset } from '../types.js';

/** kafkajs's admin client behind the KafkaAdmin contract. */
export class KafkajsAdmin implements KafkaAdmin {
  private readonly admin: Admin;

  constructor(kafka: Kafka) {
    this.admin = kafka.admin();
  }

  connect(): Promise<void> {
    return this.admin.connect();
  }

  listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }

  createTopic({ topic, numPartitions, replicationFactor, config }: NewTopic): Promise<boolean> {
    return this.admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          ...(numPartitions !== undefined && { numPartitions }),
          ...(replicationFactor !== undefined && { replicationFactor }),
          ...(config && { configEntries: Object.entries(config).map(([name, value]) => ({ name, value })) }),
        },
      ],
    });
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    await this.admin.deleteTopics({ topics: [...topics] });
  }

  async watermarks(topic: string): Promise<PartitionMarks[]> {
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return offsets
      .map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) }))
      .sort((a, b) => a.partition - b.partition);
  }

  async offsetsForTime(topic: string, ms: number): Promise<{ partition: number; offset: number }[]> {
    // kafkajs answers the high watermark for a partition with nothing at or after the time, as the contract says.
    return (await this.admin.fetchTopicOffsetsByTimestamp(topic, ms)).map((p) => ({ partition: p.partition, offset: Number(p.offset) }));
  }

  async groupOffsets(groupId: string, topic: string): Promise<TopicPartitionOffset[]> {
    const [fetched] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    return (fetched?.partitions ?? [])
      .map((p) => ({ topic, partition: p.partition, offset: Number(p.offset) }))
      .filter((p) => p.offset >= 0);
  }

  async describeGroup(groupId: string): Promise<GroupDescription> {
    const { groups } = await this.admin.describeGroups([groupId]);
    const group = groups.find((g) => g.groupId === groupId);
    if (!group) return { groupId, state: 'Dead', members: [] };
    return {
      groupId,
      state: group.state,
      members: group.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost })),
    };
  }

  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    await this.admin.deleteGroups([...groupIds]);
  }

  close(): Promise<void> {
    return this.admin.disconnect();
  }
}
