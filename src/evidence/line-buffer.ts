import { recordHash } from './chain.js';

/**
 * The lines of one write, encoded once into one buffer: each line's hash is
 * taken over the very bytes that are then written, so a line is not encoded
 * twice (once to hash, once to write). About a fifth of the chain's cost.
 */
export class LineBuffer {
  private buffer: Buffer;
  private size = 0;

  constructor(estimatedBytes: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(1024, estimatedBytes));
  }

  /** Appends the line and a newline, and returns the line's record hash. */
  push(line: string): string {
    // UTF-8 needs at most 3 bytes per UTF-16 unit: with that much room, write() never cuts a line short.
    const need = this.size + line.length * 3 + 1;
    if (need > this.buffer.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.buffer.length * 2));
      this.buffer.copy(bigger, 0, 0, this.size);
      this.buffer = bigger;
    }
    const written = this.buffer.write(line, this.size, 'utf8');
    const hash = recordHash(this.buffer.subarray(this.size, this.size + written));
    this.size += written;
    this.buffer[this.size++] = 0x0a;
    return hash;
  }

  get bytes(): Buffer {
    return this.buffer.subarray(0, this.size);
  }
}
