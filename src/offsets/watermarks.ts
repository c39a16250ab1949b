import type { Admin } from 'kafkajs';
import { AuditRouterError } from '../errors/index.js';

/** One partition's oldest retained offset and its high watermark (the next offset to be written). */
export interface PartitionMarks {
  partition: number;
  low: number;
  high: number;
}

/** Every partition of the topic, in partition order; a missing topic is named rather than retried. */
export async function topicWatermarks(admin: Admin, topic: string): Promise<PartitionMarks[]> {
  if (!(await admin.listTopics()).includes(topic)) {
    throw new AuditRouterError('AR_ERR_KAFKA', `topic ${topic} does not exist`);
  }
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets
    .map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) }))
    .sort((a, b) => a.partition - b.partition);
}
