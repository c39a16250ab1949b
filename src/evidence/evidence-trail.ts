import type { FileHandle } from 'node:fs/promises';
import type { KafkaConfig } from '../kafka/config.js';
import type { KafkaEngine } from '../kafka/index.js';
import type { Logger } from '../observability/logger.js';
import type { CheckpointPublisher } from './checkpoint-topic.js';
import type { EvidenceConfig } from './config.js';
import { readBack } from './read-back.js';
import type { Sealer } from './sealer.js';
import { openSigning } from './signing.js';

/** The data of one write, and what to do once it is on disk. */
export interface Write {
  readonly data: string | Buffer;
  readonly written?: () => void;
}

/**
 * A sink's side of the evidence: it runs the sink's writes one at a time (the
 * chain is write order), reads the head back whenever the sink opens its
 * file, seals each write's events into chained lines with their checkpoints,
 * and hands written checkpoints to the checkpoint topic.
 */
export class EvidenceTrail {
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly sealer: Sealer,
    private readonly everyMs: number,
    private readonly publisher: CheckpointPublisher | undefined,
  ) {}

  static async open(
    config: EvidenceConfig,
    sink: string,
    kafka: { config: KafkaConfig; engine: KafkaEngine },
    logger: Logger,
  ): Promise<EvidenceTrail> {
    const { sealer, publisher } = await openSigning(config, sink, kafka, logger);
    return new EvidenceTrail(sealer, config.checkpoint.everyMs, publisher);
  }

  /** Runs `write` after every earlier one settled, whatever their outcome. */
  exclusive(write: () => Promise<void>): Promise<void> {
    const run = this.queue.then(write, write);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The file was (re)opened: continue the chain from what it holds, not from memory (a crash, a rotation, a torn write). */
  async opened(handle: FileHandle): Promise<void> {
    this.sealer.resume(await readBack(handle));
  }

  /** Events as chained lines, with the checkpoints that fall due among them (or, with none, a checkpoint if one is due). */
  seal(eventsJson: readonly string[], checkpoint = false): Write {
    const sealed = this.sealer.seal(eventsJson, { checkpoint });
    return {
      data: sealed.bytes,
      written: () => {
        this.sealer.advance(sealed);
        this.publisher?.publish(sealed.checkpoints);
      },
    };
  }

  /** Calls `tick` every everyMs, so a quiet trail's last records are signed soon after they were written. */
  startTimer(tick: () => Promise<void>): void {
    this.timer = setInterval(() => void tick().catch(() => undefined), this.everyMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.queue;
    await this.publisher?.close();
  }
}
