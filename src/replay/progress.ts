export interface ProgressSnapshot {
  read: number;
  /** At most this many: transaction markers and compacted gaps count in offsets but are never read. */
  total: number;
  settled: number;
}

/**
 * Replay progress on stderr: an updating line on a terminal, else a plain
 * line every second (log collectors keep those; carriage returns would garble them).
 */
export class ReplayProgress {
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = performance.now();
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly snapshot: () => ProgressSnapshot) {}

  start(): void {
    this.timer = setInterval(() => this.draw(), this.tty ? 200 : 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.tty) process.stderr.write('\r\x1b[K');
  }

  private draw(): void {
    const { read, total, settled } = this.snapshot();
    const seconds = Math.max((performance.now() - this.startedAt) / 1000, 0.001);
    const percent = total > 0 ? ` (${Math.min(100, Math.floor((read / total) * 100))}%)` : '';
    const text = `replay: read ${read}/${total} events${percent}, ${settled} settled, ${Math.round(read / seconds)} events/s`;
    process.stderr.write(this.tty ? `\r${text}\x1b[K` : `${text}\n`);
  }
}
