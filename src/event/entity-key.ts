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
