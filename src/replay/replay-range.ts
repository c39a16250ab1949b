import type { OffsetSpec } from '../offsets/offset-spec.js';
import { AuditRouterError } from '../errors/index.js';
import type { KafkaAdmin } from '../kafka/index.js';
import { resolveOffsets } from '../offsets/resolve-offsets.js';
import type { PartitionMarks } from '../offsets/watermarks.js';

/** The offsets [from, to) of one partition to replay. */
export interface PartitionRange {
  partition: number;
  from: number;
  to: number;
}

export interface RangeRequest {
  from: OffsetSpec;
  /** Exclusive; the high watermarks at start when absent, so the replay ends even while producers write. */
  to?: OffsetSpec | undefined;
  /** Only these partitions; all of the topic (or those --from names) when absent. */
  partitions?: readonly number[] | undefined;
}

const usage = (message: string) => new AuditRouterError('AR_ERR_USAGE', message);

/**
 * Resolves --from/--to/--partitions against the topic as it is now. Offsets
 * are clamped to what each partition holds, never past its high watermark.
 */
export async function resolveReplayRanges(
  admin: KafkaAdmin,
  topic: string,
  marks: readonly PartitionMarks[],
  request: RangeRequest,
): Promise<PartitionRange[]> {
  const from = await resolveOffsets(admin, topic, request.from, marks, '--from');
  const to = request.to ? await resolveOffsets(admin, topic, request.to, marks, '--to') : new Map<number, number>();
  const known = new Set(marks.map((m) => m.partition));
  for (const p of request.partitions ?? []) {
    if (!known.has(p)) throw usage(`--partitions: topic ${topic} has no partition ${p} (it has ${marks.length})`);
    if (!from.has(p)) throw usage(`--partitions names partition ${p}, but --from gives it no offset`);
  }
  const wanted = request.partitions ?? [...from.keys()];
  return marks
    .filter((m) => wanted.includes(m.partition))
    .map((m) => {
      const start = from.get(m.partition)!;
      const end = to.get(m.partition) ?? m.high;
      if (end < start) throw usage(`--to is before --from on partition ${m.partition} (offset ${end} < ${start})`);
      return { partition: m.partition, from: start, to: end };
    });
}
