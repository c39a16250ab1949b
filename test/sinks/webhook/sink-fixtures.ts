import { setMaxListeners } from 'node:events';
import { canonicalJson, type AuditEvent } from '../../../src/event/index.js';
import { webhookSinkConfigSchema, type WebhookSinkConfig } from '../../../src/sinks/webhook/config.js';
import type { SinkEvent } from '../../../src/sinks/types.js';
import { WebhookSink } from '../../../src/sinks/webhook/webhook-sink.js';
import { HttpReceiver, type Responder } from '../../helpers/http-receiver.js';

/** An event as the runner hands it to a sink: canonical JSON computed once, coordinates from a fake partition. */
export function sinkEvent(event: AuditEvent, offset = 0): SinkEvent {
  return { event, json: canonicalJson(event), key: null, source: { topic: 'audit', partition: 0, offset: String(offset) } };
}

/** A parsed webhook sink config (defaults applied, template compiled) for the given URL. */
export function webhookConfig(url: string, overrides: Record<string, unknown> = {}): WebhookSinkConfig {
  return webhookSinkConfigSchema.parse({ name: 'hook', type: 'webhook', url, ...overrides });
}

/**
 * A signal that is never aborted, for sends the test does not cancel. Each
 * send in flight listens on it, so concurrent sends pass Node's default
 * warning threshold of 10, as a runner sharing one signal would.
 */
export const NO_ABORT: AbortSignal = new AbortController().signal;
setMaxListeners(0, NO_ABORT);

/** A started receiver, closed when the test ends. */
export async function startReceiver(t: { after(fn: () => Promise<void>): void }, responder?: Responder): Promise<HttpReceiver> {
  const receiver = new HttpReceiver(responder);
  await receiver.start();
  t.after(() => receiver.close());
  return receiver;
}

/** A sink for the config, closed when the test ends. */
export function startSink(t: { after(fn: () => Promise<void>): void }, config: WebhookSinkConfig): WebhookSink {
  const sink = new WebhookSink(config);
  t.after(() => sink.close());
  return sink;
}
