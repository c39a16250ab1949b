import type { OffsetSpec } from '../offsets/offset-spec.js';
import { AuditRouterError } from '../errors/index.js';
import type { KafkaAdmin } from '../kafka/index.js';
import type { PartitionMarks } from './watermarks.js';

/**
 * A spec → an offset per partition, clamped to what the partition holds
 * ([low, high]): an offset older than retention means "the oldest there is",
 * one past the end means "the end". Per-partition specs name only their
 * partitions; every other form names all of them.
 */
export async function resolveOffsets(
  admin: KafkaAdmin,
  topic: string,
  spec: OffsetSpec,
  marks: readonly PartitionMarks[],
  option: string,
): Promise<Map<number, number>> {
  const byPartition = new Map(marks.map((m) => [m.partition, m]));
  const raw = new Map<number, number>();
  switch (spec.kind) {
    case 'earliest':
      for (const m of marks) raw.set(m.partition, m.low);
      break;
    case 'latest':
      for (const m of marks) raw.set(m.partition, m.high);
      break;
    case 'offset':
      for (const m of marks) raw.set(m.partition, spec.offset);
      break;
    case 'partitions':
      for (const [partition, offset] of spec.offsets) {
        if (!byPartition.has(partition)) {
          throw new AuditRouterError('AR_ERR_USAGE', `${option}: topic ${topic} has no partition ${partition} (it has ${marks.length})`);
        }
        raw.set(partition, offset);
      }
      break;
    case 'time':
      // A partition with nothing at or after the time answers its high watermark.
      for (const p of await admin.offsetsForTime(topic, spec.ms)) raw.set(p.partition, p.offset);
      break;
  }
  const clamped = new Map<number, number>();
  for (const [partition, offset] of raw) {
    const m = byPartition.get(partition);
    if (m) clamped.set(partition, Math.min(Math.max(offset, m.low), m.high));
  }
  return clamped;
}
