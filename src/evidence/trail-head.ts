import { GENESIS_HASH } from './chain.js';

/**
 * Where a trail stands: the last whole record (its seq and hash), the trail's
 * id and limit from its last checkpoint, and how many event records follow
 * that checkpoint. Read back from the file at every open, never assumed.
 */
export interface TrailHead {
  /** Undefined before the genesis checkpoint (an empty file). */
  readonly trail: string | undefined;
  readonly seq: number;
  readonly hash: string;
  readonly sinceCheckpoint: number;
  /** The `every` signed in the last checkpoint: the limit the current stretch is held to. */
  readonly every: number | undefined;
}

export const EMPTY_TRAIL: TrailHead = { trail: undefined, seq: 0, hash: GENESIS_HASH, sinceCheckpoint: 0, every: undefined };
