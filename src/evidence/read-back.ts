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
  const scan = new BackwardScan();
  let end = (await handle.stat()).size;
  let carry: Buffer = Buffer.alloc(0);
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const chunk = Buffer.alloc(end - start);
    await handle.read(chunk, 0, chunk.length, start);
    const lines = splitLines(Buffer.concat([chunk, carry]));
    // Unless this is the file's start, the first piece may be the end of a longer line: keep it for the next chunk.
    carry = start > 0 ? lines.shift()! : Buffer.alloc(0);
    const head = scan.lines(lines);
    if (head) return head;
    end = start;
  }
  return scan.end();
}

/** The head of the trail whose lines `text` holds in full, such as an archived object's body. */
export function headOf(text: Buffer): TrailHead {
  const scan = new BackwardScan();
  return scan.lines(splitLines(text)) ?? scan.end();
}

/** Lines from the last towards the first, until the last checkpoint: the trail's head, as readBack describes. */
class BackwardScan {
  private last: { seq: number; hash: string } | undefined;
  private sinceCheckpoint = 0;

  /** Scans lines that come before every line scanned so far (given in their own order); the head once a checkpoint was seen. */
  lines(lines: readonly Buffer[]): TrailHead | undefined {
    for (let i = lines.length - 1; i >= 0; i--) {
      const record = parseLine(lines[i]!.toString('utf8'));
      const link = record && linkOf(record);
      if (!record || !link) continue;
      this.last ??= { seq: link.seq, hash: recordHash(lines[i]!) };
      const checkpoint = checkpointFrom(record[CHECKPOINT_KEY]);
      if (checkpoint)
        return {
          trail: checkpoint.trail,
          seq: this.last.seq,
          hash: this.last.hash,
          sinceCheckpoint: this.sinceCheckpoint,
          every: checkpoint.every,
        };
      this.sinceCheckpoint += 1;
    }
    return undefined;
  }

  /** The head when the start was reached without a checkpoint. */
  end(): TrailHead {
    return this.last
      ? { trail: undefined, seq: this.last.seq, hash: this.last.hash, sinceCheckpoint: this.sinceCheckpoint, every: undefined }
      : EMPTY_TRAIL;
  }
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
