import { z } from 'zod';
import { evidenceConfigSchema } from '../../evidence/config.js';
import { commonSinkFields } from '../common-config.js';
import { templateProblem } from './object-key.js';

const DEFAULT_KEY_TEMPLATE = '{prefix}/{topic}/dt={date}/hour={hour}/{topic}+{partition}+{offset}{ext}';

export const archiveSinkConfigSchema = z.strictObject({
  type: z.literal('archive'),
  ...commonSinkFields({
    // Every batch rewrites the object it extends: fewer, larger batches mean fewer rewrites. An archive can wait seconds.
    batch: { maxEvents: 1000, maxBytes: 4 * 1024 * 1024, maxWaitMs: 5_000 },
    // An archive has no better place for its events than the store: ride out an outage of up to an hour with the
    // offsets held (Kafka keeps the events), rather than dead-letter them after five failures as a webhook would.
    retry: { initialBackoffMs: 200, maxBackoffMs: 10_000, maxElapsedMs: 3_600_000 },
    concurrency: 4,
    circuitFailureThreshold: 0,
  }),
  // Room for a full batch in every partition's lane (ten of them). With the common 2,000, six busy partitions
  // filled the buffer before any lane reached batch.maxEvents, and every batch then waited out maxWaitMs.
  maxBufferedEvents: z.number().int().min(1).max(1_000_000).default(10_000),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name: 3-63 of lowercase letters, digits, . -'),
  /** Leading folder of every key; `{prefix}` in the key template. */
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9!_.*'()/=+-]*$/, "letters, digits and ! _ . * ' ( ) / = + - only")
    .default(''),
  region: z.string().min(1).default('us-east-1'),
  /** Any S3-compatible store (MinIO, Ceph, Cloudflare R2, S3Proxy); AWS S3 when absent. */
  endpoint: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  /** bucket in the path (http://host/bucket/key) instead of the host name: what most self-hosted stores want. */
  forcePathStyle: z.boolean().default(false),
  /** When absent, the AWS SDK's default chain: AWS_* variables, ~/.aws profiles, web identity, ECS or EC2 roles. */
  credentials: z
    .strictObject({
      accessKeyId: z.string().min(1),
      secretAccessKey: z.string().min(1),
      sessionToken: z.string().min(1).optional(),
    })
    .optional(),
  /** See README "Archive sink": tokens {prefix} {topic} {partition} {date} {hour} {offset} {ext}. */
  key: z
    .string()
    .default(DEFAULT_KEY_TEMPLATE)
    .superRefine((template, ctx) => {
      const problem = templateProblem(template);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  /** event: {date} and {hour} from the event's timestamp (the same key after a restart). ingest: from the clock. */
  dateFrom: z.enum(['event', 'ingest']).default('event'),
  compression: z.enum(['gzip', 'none']).default('gzip'),
  roll: z
    .strictObject({
      /** An object covers offsets [n·maxEvents, (n+1)·maxEvents) of one partition at most: the deterministic roll. */
      maxEvents: z.number().int().min(1).max(1_000_000).default(2_000),
      /** Uncompressed bytes; the object holding an event that would pass it is closed first. */
      maxBytes: z
        .number()
        .int()
        .min(1024)
        .max(1024 * 1024 * 1024)
        .default(32 * 1024 * 1024),
      /** An object older than this takes no more events: bounds how often a slow partition's object is rewritten. */
      maxAgeMs: z
        .number()
        .int()
        .min(1_000)
        .max(24 * 3600_000)
        .default(600_000),
    })
    .prefault({}),
  objectLock: z
    .strictObject({
      mode: z.enum(['GOVERNANCE', 'COMPLIANCE']),
      retainDays: z.number().int().min(1).max(36_500),
    })
    .optional(),
  serverSideEncryption: z
    .strictObject({
      algorithm: z.enum(['AES256', 'aws:kms']),
      kmsKeyId: z.string().min(1).optional(),
    })
    .refine((sse) => sse.kmsKeyId === undefined || sse.algorithm === 'aws:kms', {
      error: 'kmsKeyId needs algorithm aws:kms',
      path: ['kmsKeyId'],
    })
    .optional(),
  /**
   * Every PUT is conditional: If-None-Match: * for a new object, If-Match: <ETag read or written> for a rewrite,
   * so a late PUT from a partition's previous owner cannot replace the new owner's longer version. Off only for
   * stores that reject these headers (README "Archive sink" lists which stores were tested).
   */
  conditionalWrites: z.boolean().default(true),
  /** Tamper evidence: one hash chain per partition through its objects, signed checkpoints (src/evidence/). */
  evidence: evidenceConfigSchema.optional(),
  /** Per request; a timed-out request is retried like any transient failure. */
  requestTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
});

export type ArchiveSinkConfig = z.output<typeof archiveSinkConfigSchema>;
