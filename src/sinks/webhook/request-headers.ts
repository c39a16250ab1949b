import { createHash } from 'node:crypto';
import { AuditRouterError } from '../../errors/index.js';
import { derivedEventId } from '../../event/index.js';
import type { SinkEvent } from '../types.js';
import { SAFE_HEADER_VALUE } from './header-rules.js';

export const VERIFICATION_TOKEN_HEADER = 'x-audit-verification-token';

/** The event's id; derived from its offset when the producer set none, so replays keep it. */
export function eventId(item: SinkEvent): string {
  return item.event.id ?? derivedEventId(item.source);
}

/**
 * The same events always get the same key, across retries and replays, so a
 * receiver can drop deliveries it has already processed. One event: its id.
 * Several: a digest of their ids in order.
 */
function idempotencyKey(batch: readonly SinkEvent[]): string {
  if (batch.length === 1) return eventId(batch[0]!);
  const digest = createHash('sha256').update(batch.map(eventId).join('\n')).digest('hex');
  return `batch-${digest.slice(0, 32)}`;
}

/** Event text may go into a header only if it cannot end the header (CR/LF) or be refused by undici. */
function eventHeaderValue(item: SinkEvent, field: string, value: string): string {
  if (SAFE_HEADER_VALUE.test(value)) return value;
  throw new AuditRouterError(
    'AR_ERR_SINK_REJECTED',
    `event ${JSON.stringify(eventId(item))}: its ${field} has characters that cannot be sent in an HTTP header`,
    { retriable: false },
  );
}

/** Headers that describe the batch: idempotency key, event count, and for one event its noun and verb. */
export function batchHeaders(batch: readonly SinkEvent[]): Record<string, string> {
  const headers: Record<string, string> = {
    'x-audit-event-count': String(batch.length),
  };
  if (batch.length === 1) {
    const item = batch[0]!;
    headers['idempotency-key'] = eventHeaderValue(item, 'id', idempotencyKey(batch));
    headers['x-audit-event-type'] = eventHeaderValue(item, 'type', item.event.type);
    headers['x-audit-event-action'] = eventHeaderValue(item, 'action', item.event.action);
  } else {
    headers['idempotency-key'] = idempotencyKey(batch);
  }
  return headers;
}
