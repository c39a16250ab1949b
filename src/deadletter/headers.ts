import type { AuditRouterError } from '../errors/index.js';
import type { SourceCoordinates } from '../event/index.js';

/**
 * Header names on dead-lettered records. Stable: redrive and operators' tools read them.
 * Values are strings; messages are cut to keep headers small and never contain secrets
 * (errors are built without them; see the sinks).
 */
export const DLQ_HEADERS = {
  code: 'ar.error.code',
  message: 'ar.error.message',
  path: 'ar.error.path',
  status: 'ar.error.status',
  cause: 'ar.error.cause',
  stage: 'ar.stage',
  sink: 'ar.sink',
  attempts: 'ar.attempts',
  eventId: 'ar.event.id',
  sourceTopic: 'ar.source.topic',
  sourcePartition: 'ar.source.partition',
  sourceOffset: 'ar.source.offset',
  at: 'ar.dead_lettered_at',
} as const;

type DeadLetterStage = 'decode' | 'deliver';

const MAX_MESSAGE_CHARS = 1024;

export function deadLetterHeaders(
  stage: DeadLetterStage,
  error: AuditRouterError,
  source: SourceCoordinates,
  extra: { sink?: string; attempts?: number; eventId?: string } = {},
): Record<string, string> {
  const headers: Record<string, string> = {
    [DLQ_HEADERS.code]: error.code,
    [DLQ_HEADERS.message]: error.message.slice(0, MAX_MESSAGE_CHARS),
    [DLQ_HEADERS.stage]: stage,
    [DLQ_HEADERS.sourceTopic]: source.topic,
    [DLQ_HEADERS.sourcePartition]: String(source.partition),
    [DLQ_HEADERS.sourceOffset]: source.offset,
    [DLQ_HEADERS.at]: new Date().toISOString(),
  };
  if (error.path !== undefined) headers[DLQ_HEADERS.path] = error.path;
  if (error.status !== undefined) headers[DLQ_HEADERS.status] = String(error.status);
  const cause = (error.cause as { code?: unknown } | undefined)?.code;
  if (typeof cause === 'string') headers[DLQ_HEADERS.cause] = cause;
  if (extra.sink !== undefined) headers[DLQ_HEADERS.sink] = extra.sink;
  if (extra.attempts !== undefined) headers[DLQ_HEADERS.attempts] = String(extra.attempts);
  if (extra.eventId !== undefined) headers[DLQ_HEADERS.eventId] = extra.eventId;
  return headers;
}
