import { z } from 'zod';

const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name: 1-249 of letters, digits, . _ -');

/**
 * A sink's opt-in evidence settings: the Ed25519 key that signs checkpoints
 * (PEM text, usually `${ENV}`, or a PEM file's path; never logged), how often
 * a checkpoint is written, and the topic that keeps a copy of each.
 */
export const evidenceConfigSchema = z.strictObject({
  signingKey: z.string().min(1),
  checkpoint: z
    .strictObject({
      /** At most this many events between two checkpoints (verify holds the trail to it). */
      everyEvents: z.number().int().min(1).max(1_000_000).default(1_000),
      /** A checkpoint at least this often while events arrive, so the unsigned tail is short in time too. */
      everyMs: z.number().int().min(100).max(3_600_000).default(5_000),
    })
    .prefault({}),
  checkpointTopic: topicName.optional(),
});

export type EvidenceConfig = z.output<typeof evidenceConfigSchema>;
