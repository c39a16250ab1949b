import type { Admin } from 'kafkajs';
import type { Logger } from '../observability/logger.js';

/** Creates the dead-letter topic (broker defaults) when missing: it must exist before anything is parked. */
export async function createDeadLetterTopicIfMissing(admin: Admin, topic: string, logger: Logger): Promise<void> {
  const topics = await admin.listTopics();
  if (topics.includes(topic)) return;
  await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
  logger.info(`created dead-letter topic ${topic}`);
}
