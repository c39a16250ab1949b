/**
 * The acknowledgement state of one assigned partition. Every message read is
 * tracked in offset order with the number of sinks still owing an
 * acknowledgement; the committable offset is one past the longest prefix
 * whose counts all reached zero. So an offset never moves past an event some
 * sink has not confirmed, whatever order the sinks finish in.
 */
export class PartitionProgress {
  private offsets: number[] = [];
  private pending: number[] = [];
  /** Sequence number of offsets[0]: ack closures hold sequence numbers, so the arrays can drop their settled prefix. */
  private base = 0;
  private head = 0;
  private committable: number | undefined;
  private lastCommitted: number | undefined;
  /** Events settled since the last commit, for commit-by-count. */
  settledSinceCommit = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** Registers a message that `owed` sinks must acknowledge; returns its ack function (none owed: settled now). */
  track(offset: number, owed: number): () => void {
    const seq = this.base + this.offsets.length;
    this.offsets.push(offset);
    this.pending.push(owed);
    if (owed === 0) this.advance();
    return () => {
      const i = seq - this.base;
      if (--this.pending[i]! === 0 && i === this.head) this.advance();
    };
  }

  private advance(): void {
    while (this.head < this.offsets.length && this.pending[this.head] === 0) {
      this.committable = this.offsets[this.head]! + 1;
      this.head++;
      this.settledSinceCommit++;
    }
    if (this.head > 4096) this.compact();
  }

  private compact(): void {
    this.offsets.splice(0, this.head);
    this.pending.splice(0, this.head);
    this.base += this.head;
    this.head = 0;
  }

  /** The offset to commit (the next one to read), when it moved since the last commit. */
  takeCommit(): number | undefined {
    if (this.committable === undefined || this.committable === this.lastCommitted) return undefined;
    return this.committable;
  }

  markCommitted(offset: number): void {
    this.lastCommitted = offset;
    this.settledSinceCommit = 0;
  }

  /** Messages tracked but not yet acknowledged by every sink. */
  get outstanding(): number {
    return this.offsets.length - this.head;
  }
}
