import type { AuditEvent } from '../../event/index.js';

function entityKey(payload: unknown): string | undefined {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const p = payload as Record<string, unknown>;
  const parts = [p.namespace_key, p.flag_key ?? p.segment_key, p.key].filter((v) => typeof v === 'string');
  return parts.length > 0 ? parts.join('/') : undefined;
}

/** One line a person can scan: when, what, to which entity, by whom, the outcome. */
export function formatConsoleLine(event: AuditEvent): string {
  const actor = event.metadata.actor;
  const who = actor.email ?? actor.name ?? actor.authentication ?? 'unknown';
  const where = actor.ip ? ` from ${actor.ip}` : '';
  const entity = entityKey(event.payload);
  const status = event.status === 'success' ? '' : ` [${event.status.toUpperCase()}]`;
  // JSON.stringify quotes and escapes: a payload with CR/LF cannot forge a second log line.
  return `${event.timestamp} ${event.type}:${event.action}${status} ${entity ? JSON.stringify(entity) : '-'} by ${JSON.stringify(who)}${where} id=${JSON.stringify(event.id)}`;
}
