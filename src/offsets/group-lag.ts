import type { KafkaAdmin } from '../kafka/index.js';
import type { PartitionMarks } from './watermarks.js';

/** One partition as the group sees it. `committed` is undefined when the group never committed there. */
export interface LagRow extends PartitionMarks {
  committed: number | undefined;
  lag: number;
}

/**
 * The group's committed offsets against the watermarks. Where nothing is
 * committed, the lag counts from where the group would start: the oldest
 * offset with source.fromBeginning, else the end.
 */
export async function groupLag(
  admin: KafkaAdmin,
  groupId: string,
  topic: string,
  marks: readonly PartitionMarks[],
  fromBeginning: boolean,
): Promise<LagRow[]> {
  const committed = new Map((await admin.groupOffsets(groupId, topic)).map((p) => [p.partition, p.offset]));
  return lagRows(marks, (partition) => committed.get(partition), fromBeginning);
}

/** The rows the group would have with these offsets committed (a reset's "after"). */
export function lagWith(
  marks: readonly PartitionMarks[],
  offsets: ReadonlyMap<number, number>,
  current: readonly LagRow[],
  fromBeginning: boolean,
): LagRow[] {
  const before = new Map(current.map((r) => [r.partition, r.committed]));
  return lagRows(marks, (partition) => offsets.get(partition) ?? before.get(partition), fromBeginning);
}

function lagRows(
  marks: readonly PartitionMarks[],
  committedAt: (partition: number) => number | undefined,
  fromBeginning: boolean,
): LagRow[] {
  return marks.map((m) => {
    const committed = committedAt(m.partition);
    // A committed offset below low (retention deleted it) reads from low.
    const position = committed === undefined ? (fromBeginning ? m.low : m.high) : Math.max(committed, m.low);
    return { ...m, committed, lag: Math.max(0, m.high - position) };
  });
}
