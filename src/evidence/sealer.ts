import type { KeyObject } from 'node:crypto';
import { withLink } from './chain.js';
import { checkpointObjectJson, newTrailId, signCheckpoint, type Checkpoint } from './checkpoint.js';
import { LineBuffer } from './line-buffer.js';
import { EMPTY_TRAIL, type TrailHead } from './trail-head.js';

/** The bytes of one write, and the head the trail has once they are on disk. */
export interface Sealed {
  readonly bytes: Buffer;
  readonly head: TrailHead;
  readonly checkpoints: readonly Checkpoint[];
}

/**
 * Turns canonical event JSON into chained trail lines and adds a signed
 * checkpoint line after every `every`-th event record (and on request). It
 * only computes: the head moves when the caller says the text was written
 * (advance), so a failed or torn write is followed by a read-back, not by a
 * guess.
 */
export class Sealer {
  private head: TrailHead = EMPTY_TRAIL;

  constructor(
    private readonly key: KeyObject,
    private readonly every: number,
  ) {}

  /** After an open: continue from what the file holds. */
  resume(head: TrailHead): void {
    this.head = head;
  }

  advance(sealed: Sealed): void {
    this.head = sealed.head;
  }

  /**
   * `checkpoint`: end the write with a checkpoint even if the limit was not
   * reached (timer, clean close). A trail always starts with a genesis
   * checkpoint, which names it and states its limit before any event.
   */
  seal(eventsJson: readonly string[], options: { checkpoint?: boolean; now?: Date } = {}): Sealed {
    return this.sealAfter(this.head, eventsJson, options);
  }

  /** The same, after a head the caller keeps: an archive keeps one per partition, each in its latest object. */
  sealAfter(
    head: TrailHead,
    eventsJson: readonly string[],
    { checkpoint = false, now = new Date() }: { checkpoint?: boolean; now?: Date } = {},
  ): Sealed {
    let { trail, seq, hash, sinceCheckpoint, every } = head;
    // The chain adds about 100 bytes a line; a checkpoint line is about 350.
    let chars = 0;
    for (const json of eventsJson) chars += json.length;
    const lines = new LineBuffer(chars + eventsJson.length * 128 + 1024);
    const checkpoints: Checkpoint[] = [];
    const time = now.toISOString();
    const addCheckpoint = () => {
      trail ??= newTrailId();
      const signed = signCheckpoint({ trail, seq, hash, time, every: this.every }, this.key);
      seq += 1;
      hash = lines.push(withLink(checkpointObjectJson(signed), { seq, prev: hash }));
      sinceCheckpoint = 0;
      every = this.every;
      checkpoints.push(signed);
    };
    // A fresh trail, or one read back with a full unsigned stretch (a crash tore the checkpoint that was due).
    if (trail === undefined || (every !== undefined && sinceCheckpoint >= Math.min(every, this.every))) addCheckpoint();
    for (const json of eventsJson) {
      seq += 1;
      hash = lines.push(withLink(json, { seq, prev: hash }));
      sinceCheckpoint += 1;
      // The stretch after a checkpoint written under another limit keeps the smaller one: verify holds it to that.
      if (sinceCheckpoint >= Math.min(every ?? this.every, this.every)) addCheckpoint();
    }
    if (checkpoint && sinceCheckpoint > 0) addCheckpoint();
    return { bytes: lines.bytes, head: { trail, seq, hash, sinceCheckpoint, every }, checkpoints };
  }
}
