import { z } from 'zod';
import { topicNameSchema } from '../../kafka/names.js';
import { commonSinkFields } from '../common-config.js';

export const topicSinkConfigSchema = z.strictObject({
  type: z.literal('topic'),
  ...commonSinkFields({
    // A broker takes large batches cheaply; a short wait keeps latency low while batches fill.
    batch: { maxEvents: 1000, maxBytes: 1024 * 1024, maxWaitMs: 5 },
    retry: { initialBackoffMs: 100, maxBackoffMs: 10_000, maxElapsedMs: 300_000 },
    concurrency: 4,
  }),
  /** Where the events are written, on the cluster of `kafka:`. */
  topic: topicNameSchema,
  /** json: the canonical event JSON. avro: Confluent-framed Avro (schemas/audit-event.avsc), needs schemaRegistry.url. */
  encoding: z.enum(['json', 'avro']).default('json'),
  /** none by default: audit events are small and the broker may recompress anyway; gzip is built into kafkajs. */
  compression: z.enum(['none', 'gzip']).default('none'),
  /**
   * Records and consumer offsets commit in one Kafka transaction per input batch: no duplicates for
   * read_committed consumers after a crash. Needs every sink to be a topic sink with exactlyOnce.
   */
  exactlyOnce: z.boolean().default(false),
});

export type TopicSinkConfig = z.output<typeof topicSinkConfigSchema>;
