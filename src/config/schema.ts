import { z } from 'zod';
import { kafkaConfigSchema as kafkaSchema } from '../kafka/config.js';
import { topicNameSchema } from '../kafka/names.js';
import { parseListenAddress } from './listen-address.js';
import { canWriteInInputTransaction, isExactlyOnce, sinkConfigSchema, writesInInputTransaction } from '../sinks/registry.js';
import { buildVocabulary, ruleProblem, type Vocabulary } from '../filter/index.js';

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

const sourceSchema = z.strictObject({
  topic: topicNameSchema,
  groupId: z.string().min(1).max(255),
  fromBeginning: z.boolean().default(false),
  format: z.enum(['auto', 'json', 'avro']).default('auto'),
  /** Larger messages are dead-lettered (AR_ERR_DECODE_TOO_LARGE) instead of decoded. */
  maxMessageBytes: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  /** Offsets are committed when this many events were acknowledged, or every intervalMs, whichever first. */
  commit: z
    .strictObject({
      intervalMs: z.number().int().min(10).max(60_000).default(1_000),
      maxEvents: z.number().int().min(1).max(1_000_000).default(5_000),
    })
    .prefault({}),
  partitionsConsumedConcurrently: z.number().int().min(1).max(64).default(4),
  sessionTimeoutMs: z.number().int().min(6_000).max(300_000).default(30_000),
  heartbeatIntervalMs: z.number().int().min(100).max(60_000).default(3_000),
  /**
   * How the input group rebalances: classic (the client-side protocol every
   * broker speaks) or consumer (KIP-848, Kafka 4.0+: the broker assigns, and a
   * member joining or leaving stops no one else). consumer needs librdkafka.
   */
  groupProtocol: z.enum(['classic', 'consumer']).default('classic'),
});

export const configSchema = z
  .strictObject({
    kafka: kafkaSchema,
    source: sourceSchema,
    schemaRegistry: z
      .strictObject({
        url: httpUrl,
        username: z.string().min(1).optional(),
        password: z.string().min(1).optional(),
      })
      .optional(),
    vocabulary: z
      .strictObject({
        nouns: z.array(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'lowercase word')).default([]),
        verbs: z.array(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'lowercase word')).default([]),
      })
      .prefault({}),
    events: z.array(z.string().min(1)).min(1).default(['*:*']),
    deadLetter: z.strictObject({ topic: topicNameSchema }).optional(),
    sinks: z.array(sinkConfigSchema).min(1),
    admin: z
      .strictObject({
        listen: z.string().superRefine((value, ctx) => {
          const parsed = parseListenAddress(value);
          if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: parsed.problem });
        }),
        /** The destinations API (/api/v1/destinations); off unless tokens are given. */
        api: z
          .strictObject({
            tokens: z
              .array(
                z.strictObject({
                  /** The actor of the audit events the API emits. */
                  name: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'letters, digits, . _ @ -'),
                  token: z.string().min(16, 'at least 16 characters'),
                  readOnly: z.boolean().default(false),
                }),
              )
              .min(1),
            allowPrivateNetworks: z.boolean().default(false),
            maxDestinations: z.number().int().min(1).max(1000).default(100),
          })
          .optional(),
      })
      .optional(),
    logging: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).prefault({}),
    shutdown: z.strictObject({ timeoutMs: z.number().int().min(100).max(600_000).default(15_000) }).prefault({}),
  })
  .superRefine((config, ctx) => {
    const vocabulary = buildVocabulary(config.vocabulary);
    checkRules(config.events, ['events'], vocabulary, ctx);
    // Duplicate sink names are checked on the raw tree (load.ts), so they show even when a sink is invalid.
    config.sinks.forEach((sink, i) => {
      checkRules(sink.events, ['sinks', i, 'events'], vocabulary, ctx);
      if (sink.exclude) checkRules(sink.exclude, ['sinks', i, 'exclude'], vocabulary, ctx);
      if (sink.type === 'topic' && sink.encoding === 'avro' && !config.schemaRegistry) {
        ctx.addIssue({ code: 'custom', path: ['sinks', i, 'encoding'], message: 'encoding avro needs schemaRegistry.url' });
      }
    });
    // Exactly-once is a property of the whole batch: every sink must take part in the transaction.
    if (isExactlyOnce(config.sinks)) {
      config.sinks.forEach((sink, i) => {
        if (!writesInInputTransaction(sink)) {
          ctx.addIssue({
            code: 'custom',
            path: ['sinks', i, canWriteInInputTransaction(sink.type) ? 'exactlyOnce' : 'type'],
            message: 'exactlyOnce needs every sink to be a topic sink with exactlyOnce: true',
          });
        }
      });
      if (config.admin?.api)
        ctx.addIssue({
          code: 'custom',
          path: ['admin', 'api'],
          message: 'runtime destinations (webhooks) cannot join an exactly-once pipeline',
        });
    }
    if (config.source.groupProtocol === 'consumer') {
      // Under KIP-848 the broker assigns partitions; kafkajs speaks only the classic protocol.
      if (config.kafka.engine === 'kafkajs')
        ctx.addIssue({
          code: 'custom',
          path: ['source', 'groupProtocol'],
          message: 'consumer needs the librdkafka engine; kafkajs speaks only the classic protocol',
        });
      if (config.kafka.assignor)
        ctx.addIssue({
          code: 'custom',
          path: ['kafka', 'assignor'],
          message: 'applies to source.groupProtocol classic only; with consumer the broker assigns partitions',
        });
    }
    if (config.deadLetter?.topic === config.source.topic) {
      ctx.addIssue({ code: 'custom', path: ['deadLetter', 'topic'], message: 'must differ from source.topic' });
    }
  });

function checkRules(rules: readonly string[], path: (string | number)[], vocabulary: Vocabulary, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  rules.forEach((rule, i) => {
    const problem = seen.has(rule) ? 'duplicate rule' : ruleProblem(rule, vocabulary);
    if (problem) ctx.addIssue({ code: 'custom', path: [...path, i], message: `"${rule}": ${problem}` });
    seen.add(rule);
  });
}

export type RawConfig = z.output<typeof configSchema>;
