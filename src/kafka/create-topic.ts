import type { Logger } from '../observability/logger.js';
import type { KafkaAdmin, NewTopic } from './admin.js';

/**
 * Creates a topic the router depends on (the dead-letter topic, the
 * destinations table) when it is missing: it must exist before anything is
 * written to it, and clusters often disable auto-creation.
 */
export async function createTopicIfMissing(admin: KafkaAdmin, spec: NewTopic, logger: Logger): Promise<void> {
  if ((await admin.listTopics()).includes(spec.topic)) return;
  if (await admin.createTopic(spec)) logger.info(`created topic ${spec.topic}`);
}
