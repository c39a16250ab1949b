import type { Admin, ITopicConfig } from 'kafkajs';
import type { Logger } from '../observability/logger.js';

/**
 * Creates a topic the router depends on (the dead-letter topic, the
 * destinations table) when it is missing: it must exist before anything is
 * written to it, and clusters often disable auto-creation.
 */
export async function createTopicIfMissing(admin: Admin, spec: ITopicConfig, logger: Logger): Promise<void> {
  if ((await admin.listTopics()).includes(spec.topic)) return;
  await admin.createTopics({ topics: [spec], waitForLeaders: true });
  logger.info(`created topic ${spec.topic}`);
}
