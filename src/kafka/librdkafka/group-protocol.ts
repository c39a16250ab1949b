import type { KafkaConfig } from '../config.js';
import type { GroupConsumerOptions } from '../group-consumer.js';

/**
 * The group-membership settings of a librdkafka consumer. With the classic
 * protocol the client picks the assignor and its own session timeout and
 * heartbeat interval. With consumer (KIP-848) the broker owns all three
 * (group.consumer.* broker settings) and librdkafka refuses the client-side
 * ones, so they are left out; the broker's default assignor is kept.
 */
export function groupProtocolConfig(config: KafkaConfig, options: GroupConsumerOptions): Record<string, string | number> {
  if (options.groupProtocol === 'consumer') return { 'group.protocol': 'consumer' };
  return {
    'partition.assignment.strategy': config.assignor ?? 'cooperative-sticky',
    ...(options.sessionTimeoutMs !== undefined && { 'session.timeout.ms': options.sessionTimeoutMs }),
    ...(options.heartbeatIntervalMs !== undefined && { 'heartbeat.interval.ms': options.heartbeatIntervalMs }),
  };
}
