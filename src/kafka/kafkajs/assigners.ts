import { PartitionAssigners, type PartitionAssigner } from 'kafkajs';

/**
 * kafkajs's round-robin assigner under the protocol name librdkafka's
 * `roundrobin` uses. A group picks a protocol every member offers: kafkajs
 * routers offer both names, so they share a group with librdkafka routers set
 * to `kafka.assignor: roundrobin` (rolling upgrade) and with older kafkajs
 * routers, which offer only `RoundRobinAssigner`.
 */
const roundrobin: PartitionAssigner = (config) => ({ ...PartitionAssigners.roundRobin(config), name: 'roundrobin' });

export const ROUND_ROBIN_ASSIGNERS: PartitionAssigner[] = [roundrobin, PartitionAssigners.roundRobin];
