import type { SinkEvent } from '../types.js';
import { eventId } from './request-headers.js';

/** CloudEvents 1.0 HTTP binding, structured mode: the whole event, attributes and data, in the body. */
export const CLOUDEVENT_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';
export const CLOUDEVENT_BATCH_CONTENT_TYPE = 'application/cloudevents-batch+json; charset=utf-8';

/** Reverse-DNS prefixed, as the specification recommends, so routers can filter on noun and verb. */
function cloudEventType(item: SinkEvent): string {
  return `dev.auditrouter.${item.event.type}.${item.event.action}`;
}

/**
 * One event as a CloudEvent. `data` is the JSON already rendered for it (its
 * canonical JSON or the template's output), spliced in rather than parsed and
 * serialised again. `id` is the event id, so source + id is the same on every
 * retry and replay, which is what CloudEvents consumers deduplicate on.
 */
export function cloudEvent(item: SinkEvent, data: string, source: string | undefined): string {
  const attributes = {
    specversion: '1.0',
    id: eventId(item),
    source: source ?? `/audit-router/${item.source.topic}`,
    type: cloudEventType(item),
    time: item.event.timestamp,
    datacontenttype: 'application/json',
  };
  return `${JSON.stringify(attributes).slice(0, -1)},"data":${data}}`;
}
