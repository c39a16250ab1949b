import type { DeadLetterWriter, UndecodableMessage } from '../deadletter/dead-letter-writer.js';
import type { BatchControl } from '../kafka/index.js';
import type { BatchTarget } from './batch-target.js';
import type { EventPipeline, PreparedEvent } from './event-pipeline.js';
import type { PartitionProgress } from './partition-progress.js';

/**
 * One input batch, at least once: each event goes to its sinks' runners and
 * its offset settles when every one of them acknowledged it; undecodable
 * messages are parked when the batch ends, so none waits for the next batch.
 */
export class AtLeastOnceBatch implements BatchTarget {
  private readonly parked: (UndecodableMessage & { ack: () => void })[] = [];
  private readonly lane: string;

  constructor(
    private readonly progress: PartitionProgress,
    private readonly pipeline: EventPipeline,
    private readonly deadLetter: DeadLetterWriter,
    partition: number,
  ) {
    this.lane = String(partition);
  }

  undecodable(message: UndecodableMessage, offset: number): void {
    this.parked.push({ ...message, ack: this.progress.track(offset, 1) });
  }

  event(prepared: PreparedEvent, offset: number, control: BatchControl): boolean | Promise<boolean> {
    return this.pipeline.handOn(prepared, this.lane, this.progress.track(offset, prepared.routes.length), control);
  }

  async finish(): Promise<void> {
    if (this.parked.length === 0) return;
    await this.deadLetter.parkUndecodable(this.parked);
    for (const u of this.parked) u.ack();
  }
}
