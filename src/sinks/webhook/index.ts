import type { SinkDefinition } from '../types.js';
import { webhookSinkConfigSchema, type WebhookSinkConfig } from './config.js';
import { WebhookSink } from './webhook-sink.js';

export const webhookSink: SinkDefinition<typeof webhookSinkConfigSchema> = {
  type: 'webhook',
  configSchema: webhookSinkConfigSchema,
  create: async (config) => new WebhookSink(config),
};
export type { WebhookSinkConfig };
export { webhookSinkConfigSchema };
export { signBody } from './signature.js';
export { isInlinePem } from './load-tls.js';
