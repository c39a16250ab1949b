import type { KafkaConfig } from '../kafka/config.js';
import type { KafkaEngine } from '../kafka/index.js';
import type { Logger } from '../observability/logger.js';
import { CHECKPOINT_KEY, type Checkpoint } from './checkpoint.js';
import type { CheckpointPublisher } from './checkpoint-topic.js';
import type { EvidenceConfig } from './config.js';
import { headOf } from './read-back.js';
import type { Sealer, Sealed } from './sealer.js';
import { openSigning } from './signing.js';
import { EMPTY_TRAIL, type TrailHead } from './trail-head.js';

export { EMPTY_TRAIL, type TrailHead, type Sealed };

const CHECKPOINT_LINE = `{"${CHECKPOINT_KEY}":`;

/**
 * The archive sink's side of the evidence: one trail per input partition,
 * running through the partition's objects in offset order, so an object's
 * first line links to the previous object's last. The sink keeps each
 * trail's head with the object it writes and reads it back from a stored
 * object (never from memory alone) when it resumes one. Unlike a file, an
 * object is only ever stored whole, so every stored version ends with a
 * checkpoint: the bucket never holds unsigned records, and no timer is
 * needed to sign a quiet partition's tail.
 */
export class ObjectEvidence {
  private constructor(
    private readonly sealer: Sealer,
    private readonly publisher: CheckpointPublisher | undefined,
  ) {}

  static async open(
    config: EvidenceConfig,
    sink: string,
    kafka: { config: KafkaConfig; engine: KafkaEngine },
    logger: Logger,
  ): Promise<ObjectEvidence> {
    const { sealer, publisher } = await openSigning(config, sink, kafka, logger);
    return new ObjectEvidence(sealer, publisher);
  }

  /** One event's chained line after `head` (a trail's genesis checkpoint first, a checkpoint after it when one is due). */
  sealEvent(head: TrailHead, eventJson: string): Sealed {
    return this.sealer.sealAfter(head, [eventJson]);
  }

  /** The checkpoint that ends an object's version, or undefined when nothing after `head` is unsigned. */
  sealEnd(head: TrailHead): Sealed | undefined {
    return head.sinceCheckpoint > 0 ? this.sealer.sealAfter(head, [], { checkpoint: true }) : undefined;
  }

  /** The head after the last line of a stored object's body. */
  headOf(body: Buffer): TrailHead {
    return headOf(body);
  }

  /** Event lines in an object's text: its lines but the checkpoints. */
  eventCount(text: string): number {
    let events = 0;
    for (const line of text.split('\n')) if (line.length > 0 && !line.startsWith(CHECKPOINT_LINE)) events++;
    return events;
  }

  /** Checkpoints of a version now stored: their copy goes to the checkpoint topic. */
  stored(checkpoints: readonly Checkpoint[]): void {
    this.publisher?.publish(checkpoints);
  }

  async close(): Promise<void> {
    await this.publisher?.close();
  }
}
