import { AuditRouterError } from '../../errors/index.js';
import type { SinkEvent } from '../types.js';
import { cloudEvent } from './cloudevents.js';
import { eventId } from './request-headers.js';
import type { CompiledTemplate } from './template.js';

function rejected(item: SinkEvent, message: string): AuditRouterError {
  return new AuditRouterError('AR_ERR_SINK_REJECTED', `event ${JSON.stringify(eventId(item))}: ${message}`, { retriable: false });
}

/** One event through the template; the output is checked, since the sample render at load cannot cover every event. */
function render(item: SinkEvent, template: CompiledTemplate): string {
  let text: string;
  try {
    text = template.render(item.event);
  } catch (err) {
    throw rejected(item, `template ${template.path} failed: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    JSON.parse(text);
  } catch (err) {
    throw rejected(item, `template ${template.path} rendered invalid JSON: ${(err as Error).message}`);
  }
  return text;
}

interface BodyOptions {
  template: CompiledTemplate | undefined;
  /** One event per request (batch.maxEvents 1): a bare object rather than an array. */
  single: boolean;
  /** Wrap each event in a CloudEvent with this `source` (undefined: the default); absent for plain JSON. */
  cloudEvents?: { source: string | undefined } | undefined;
}

/**
 * The request body: one JSON value per event (its canonical JSON, already
 * serialised, or the template's output, optionally inside a CloudEvent), as a
 * bare object when the sink sends one event per request, else as an array.
 */
export function requestBody(batch: readonly SinkEvent[], { template, single, cloudEvents }: BodyOptions): string {
  // Sending the first event as "the" object would acknowledge the others undelivered.
  if (single && batch.length !== 1) {
    throw new AuditRouterError('AR_ERR_INTERNAL', `a batch of ${batch.length} events reached a sink with batch.maxEvents 1`);
  }
  let parts = template ? batch.map((item) => render(item, template)) : batch.map((item) => item.json);
  if (cloudEvents) parts = parts.map((data, i) => cloudEvent(batch[i]!, data, cloudEvents.source));
  return single ? parts[0]! : '[' + parts.join(',') + ']';
}
