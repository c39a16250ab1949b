import type { Logger } from '../observability/logger.js';
import type { KafkaAdmin, NewTopic } from './admin.js';

/**
 * Creates the topics the router depends on (the dead-letter topic, the
 * destinations table) that are missing: they must exist before anything is
 * written to them, and clusters often disable auto-creation. One listing for
 * all of them, however many there are.
 */
export async function createTopicsIfMissing(admin: KafkaAdmin, specs: readonly NewTopic[], logger: Logger): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.topic));
  await Promise.all(
    missing.map(async (spec) => {
      if (await admin.createTopic(spec)) logger.info(`created topic ${spec.topic}`);
    }),
  );
}

export function createTopicIfMissing(admin: KafkaAdmin, spec: NewTopic, logger: Logger): Promise<void> {
  return createTopicsIfMissing(admin, [spec], logger);
}
