import type { Admin, ITopicConfig } from 'kafkajs';
import type { Logger } from '../observability/logger.js';

/**
 * Creates the topics the router depends on (the dead-letter topic, the
 * destinations table) that are missing: they must exist before anything is
 * written to them, and clusters often disable auto-creation. One listing and
 * one create request for all of them, however many there are.
 */
export async function createTopicsIfMissing(admin: Admin, specs: readonly ITopicConfig[], logger: Logger): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.topic));
  if (missing.length === 0) return;
  await admin.createTopics({ topics: missing, waitForLeaders: true });
  for (const spec of missing) logger.info(`created topic ${spec.topic}`);
}

export function createTopicIfMissing(admin: Admin, spec: ITopicConfig, logger: Logger): Promise<void> {
  return createTopicsIfMissing(admin, [spec], logger);
}
