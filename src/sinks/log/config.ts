import { z } from 'zod';
import { evidenceConfigSchema } from '../../evidence/config.js';
import { commonSinkFields } from '../common-config.js';

export const logSinkConfigSchema = z
  .strictObject({
    type: z.literal('log'),
    ...commonSinkFields({
      batch: { maxEvents: 500, maxBytes: 1024 * 1024, maxWaitMs: 50 },
      // A local file has no better place to send events than itself: wait for it for ever.
      retry: { initialBackoffMs: 100, maxBackoffMs: 5_000, maxElapsedMs: 0 },
      concurrency: 1,
      circuitFailureThreshold: 0,
    }),
    /** Append-only file; stdout when absent. */
    file: z.string().min(1).optional(),
    /** json: one canonical event per line. console: one human-readable line per event. */
    encoding: z.enum(['json', 'console']).default('json'),
    /** fsync after every batch: survives a power cut, costs a disk flush per batch. */
    fsync: z.boolean().default(false),
    /** Tamper evidence: a hash chain over the lines and signed checkpoints (src/evidence/). */
    evidence: evidenceConfigSchema.optional(),
  })
  .superRefine((sink, ctx) => {
    // The chain is read back from the file at every open, and verify recomputes it from JSON lines.
    if (sink.evidence && sink.file === undefined)
      ctx.addIssue({ code: 'custom', path: ['evidence'], message: 'needs file: a chain is read back from its file' });
    if (sink.evidence && sink.encoding !== 'json') ctx.addIssue({ code: 'custom', path: ['evidence'], message: 'needs encoding: json' });
  });

export type LogSinkConfig = z.output<typeof logSinkConfigSchema>;
