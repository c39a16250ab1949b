import type { SinkEvent } from '../types.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/**
 * The entity an event is about, as `<namespace>/<type>/<entity key>`, or
 * undefined when the payload does not say. Rules, distributions and the like
 * have no `key` of their own: they are keyed by the flag (or segment) they
 * belong to, so a flag and everything under it stay in order. A namespace is
 * its own namespace.
 */
export function entityKey(type: string, payload: unknown): string | undefined {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const p = payload as Record<string, unknown>;
  const entity = str(p.key) ?? str(p.flag_key) ?? str(p.segment_key);
  if (entity === undefined) return undefined;
  const namespace = str(p.namespace_key) ?? (type === 'namespace' ? entity : undefined);
  return namespace === undefined ? undefined : `${namespace}/${type}/${entity}`;
}

/**
 * The Kafka key of the output message. Kafka orders per key, so keying by
 * entity keeps every change to one flag in order across partitions; without
 * an entity the input's key keeps whatever order its producer chose.
 */
export function messageKey(item: SinkEvent): string | Buffer | null {
  return entityKey(item.event.type, item.event.payload) ?? item.key;
}
