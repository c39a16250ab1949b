import { createReadStream } from 'node:fs';
import { AuditRouterError } from '../errors/index.js';

/** One line of a trail as stored: its exact bytes (no newline), where it is, and whether a newline ended it. */
export interface TrailLine {
  readonly bytes: Buffer;
  readonly place: string;
  readonly terminated: boolean;
  /** The first line of a stored object (an archive): a break here is between two objects. */
  readonly objectStart?: boolean;
}

/**
 * Where verify reads a trail from: a file, or one partition's objects in an
 * archive (src/sinks/archive/trail-sources.ts), yielding their lines in
 * order with places that name the object.
 */
export interface TrailSource {
  readonly name: string;
  lines(): AsyncIterable<TrailLine>;
}

/**
 * A trail file, split on newline bytes only, so every line keeps the exact
 * bytes its hash was computed over (no decoding, no CR handling).
 */
export function fileSource(path: string): TrailSource {
  return {
    name: path,
    async *lines() {
      let no = 0;
      let rest: Buffer = Buffer.alloc(0);
      try {
        for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
          const data = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
          let from = 0;
          for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, from)) {
            yield { bytes: data.subarray(from, nl), place: `${path} line ${++no}`, terminated: true };
            from = nl + 1;
          }
          rest = data.subarray(from);
        }
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new AuditRouterError('AR_ERR_INPUT_FILE', `${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}`, {
          cause: err,
        });
      }
      if (rest.length > 0) yield { bytes: rest, place: `${path} line ${++no}`, terminated: false };
    },
  };
}
