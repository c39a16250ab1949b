import type { GroupConsumer } from '../kafka/index.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { PartitionProgress } from './partition-progress.js';

/**
 * Commits settled offsets in batches: every `intervalMs`, or sooner when the
 * source calls commit() (it does once `commit.maxEvents` settled). It only ever sees the partitions of the current
 * assignment (the source replaces them on every rebalance), so it cannot
 * commit for a partition this process no longer owns.
 */
export class Committer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private partitions: readonly PartitionProgress[] = [];

  constructor(
    private readonly consumer: GroupConsumer,
    private readonly options: { intervalMs: number },
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.commit(), this.options.intervalMs);
  }

  assign(partitions: readonly PartitionProgress[]): void {
    this.partitions = partitions;
  }

  /** One commit at a time; a call while one runs joins it. */
  commit(): Promise<void> {
    this.running ??= this.commitNow().finally(() => (this.running = undefined));
    return this.running;
  }

  private async commitNow(): Promise<void> {
    const owned = this.partitions;
    const offsets = [];
    for (const p of owned) {
      const offset = p.takeCommit();
      if (offset !== undefined) offsets.push({ progress: p, offset });
    }
    if (offsets.length === 0) return;
    try {
      await this.consumer.commit(offsets.map(({ progress, offset }) => ({ topic: progress.topic, partition: progress.partition, offset })));
      for (const { progress, offset } of offsets) progress.markCommitted(offset);
      this.metrics.commits.inc();
      this.logger.debug({ offsets: offsets.map(({ progress, offset }) => `${progress.partition}:${offset}`) }, 'committed offsets');
    } catch (err) {
      // A rebalance took the partitions away: the new owner starts from the last commit. Not fatal.
      this.logger.warn(
        { err: { message: (err as Error).message, type: (err as { type?: string }).type } },
        'offset commit failed; will retry with the next commit',
      );
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.commit();
  }
}
