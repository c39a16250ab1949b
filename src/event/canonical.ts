import { AuditRouterError } from '../errors/index.js';
import type { AuditEvent, SourceCoordinates } from './types.js';

/**
 * The id an event gets when its producer set none: where it was read from.
 * Replaying the same offsets yields the same ids, so receivers can de-duplicate.
 */
export function derivedEventId(source: SourceCoordinates): string {
  return `${source.topic}/${source.partition}/${source.offset}`;
}

/**
 * The event with its stable id. One that has its own is returned as it is
 * (validation already built it fresh, fields in the reference docs' order):
 * no second object per event on the hot path.
 */
export function withStableId(event: AuditEvent, source: SourceCoordinates): AuditEvent {
  if (event.id !== null) return event;
  return {
    id: derivedEventId(source),
    version: event.version,
    type: event.type,
    action: event.action,
    status: event.status,
    metadata: event.metadata,
    payload: event.payload,
    timestamp: event.timestamp,
  };
}

/**
 * Serialises once per event; every JSON sink reuses the text. Also the last
 * line of defence against payloads JSON.parse accepted but that cannot be
 * written back (nesting deep enough to exhaust the stack).
 */
export function canonicalJson(event: AuditEvent): string {
  try {
    return JSON.stringify(event);
  } catch (err) {
    throw new AuditRouterError('AR_ERR_DECODE_SCHEMA', `payload: cannot be serialised (${(err as Error).message})`, {
      path: 'payload',
    });
  }
}
