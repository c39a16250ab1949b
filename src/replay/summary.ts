import type { PartitionRange } from './replay-range.js';

/** What happened to every message of the range. read = delivered + deadLettered + filtered + undecodable once settled. */
export interface ReplayCounts {
  read: number;
  delivered: number;
  /** Events a sink gave up on, parked in the dead-letter topic as in `run`. */
  deadLettered: number;
  filtered: number;
  undecodable: number;
}

export function emptyCounts(): ReplayCounts {
  return { read: 0, delivered: 0, deadLettered: 0, filtered: 0, undecodable: 0 };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The one stdout line a replay ends with. */
export function summaryLine(counts: ReplayCounts, ranges: readonly PartitionRange[], seconds: number, interrupted: boolean): string {
  const parts = [`${counts.delivered} delivered to sinks`];
  if (counts.deadLettered > 0) parts.push(`${counts.deadLettered} dead-lettered by sinks`);
  parts.push(`${counts.filtered} filtered out`, `${counts.undecodable} undecodable`);
  const partitions =
    ranges.length === 0
      ? 'no partitions'
      : `${ranges.length === 1 ? 'partition' : 'partitions'} ${ranges.map((r) => r.partition).join(', ')}`;
  const line = `replayed ${plural(counts.read, 'event')} (${parts.join(', ')}) from ${partitions} in ${seconds.toFixed(1)} s`;
  return interrupted ? `${line} (interrupted before the end of the range)` : line;
}
