import type { FileHandle } from 'node:fs/promises';
import { linkOf, parseLine, recordHash } from './chain.js';
import { CHECKPOINT_KEY, checkpointFrom } from './checkpoint.js';
import { EMPTY_TRAIL, type TrailHead } from './trail-head.js';

const CHUNK = 64 * 1024;

/**
 * The head of the trail a file holds, read backwards from its end only as far
 * as its last checkpoint, so opening a large file costs one stretch, not the
 * file. The last record is the last line that parses with a chain field,
 * newline-terminated or not: a line a crash cut short does not parse (a JSON
 * object's proper prefix never does) and is stepped over, while a whole last
 * line without its newline is a record the sink terminates before appending.
 * A file without chained lines starts a new trail.
 */
export async function readBack(handle: FileHandle): Promise<TrailHead> {
  let end = (await handle.stat()).size;
  let carry: Buffer = Buffer.alloc(0);
  let last: { seq: number; hash: string } | undefined;
  let sinceCheckpoint = 0;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const chunk = Buffer.alloc(end - start);
    await handle.read(chunk, 0, chunk.length, start);
    const data = Buffer.concat([chunk, carry]);
    const lines = splitLines(data);
    // Unless this is the file's start, the first piece may be the end of a longer line: keep it for the next chunk.
    carry = start > 0 ? lines.shift()! : Buffer.alloc(0);
    for (let i = lines.length - 1; i >= 0; i--) {
      const record = parseLine(lines[i]!.toString('utf8'));
      const link = record && linkOf(record);
      if (!record || !link) continue;
      last ??= { seq: link.seq, hash: recordHash(lines[i]!) };
      const checkpoint = checkpointFrom(record[CHECKPOINT_KEY]);
      if (checkpoint) return { trail: checkpoint.trail, seq: last.seq, hash: last.hash, sinceCheckpoint, every: checkpoint.every };
      sinceCheckpoint += 1;
    }
    end = start;
  }
  return last ? { trail: undefined, seq: last.seq, hash: last.hash, sinceCheckpoint, every: undefined } : EMPTY_TRAIL;
}

function splitLines(data: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let from = 0;
  for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, from)) {
    lines.push(data.subarray(from, nl));
    from = nl + 1;
  }
  lines.push(data.subarray(from));
  return lines;
}
