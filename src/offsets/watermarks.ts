import { AuditRouterError } from '../errors/index.js';
import type { KafkaAdmin, PartitionMarks } from '../kafka/index.js';

export type { PartitionMarks } from '../kafka/index.js';

/** Every partition of the topic, in partition order; a missing topic is named rather than retried. */
export async function topicWatermarks(admin: KafkaAdmin, topic: string): Promise<PartitionMarks[]> {
  if (!(await admin.listTopics()).includes(topic)) {
    throw new AuditRouterError('AR_ERR_KAFKA', `topic ${topic} does not exist`);
  }
  return admin.watermarks(topic);
}
