import { entityKey } from '../../event/index.js';
import type { SinkEvent } from '../types.js';

/**
 * The Kafka key of the output message. Kafka orders per key, so keying by
 * entity keeps every change to one flag in order across partitions; without
 * an entity the input's key keeps whatever order its producer chose.
 */
export function messageKey(item: SinkEvent): string | Buffer | null {
  return entityKey(item.event.type, item.event.payload) ?? item.key;
}
