import { randomBytes, sign, verify, type KeyObject } from 'node:crypto';

/** The reserved top-level key of a checkpoint line (which has no event fields). */
export const CHECKPOINT_KEY = '_checkpoint';

/**
 * A signed statement "trail `trail` had, at `time`, `seq` records, the last of
 * which hashes to `hash`". `every` is the writer's limit of event records
 * between checkpoints; it is signed so that a forger cannot relax the rule
 * verify uses to find a removed checkpoint.
 */
export interface Checkpoint {
  readonly trail: string;
  readonly seq: number;
  readonly hash: string;
  readonly time: string;
  readonly every: number;
  readonly sig: string;
}

type UnsignedCheckpoint = Omit<Checkpoint, 'sig'>;

/** A trail's id: random, chosen when its first (genesis) checkpoint is written, and signed in every checkpoint. */
export function newTrailId(): string {
  return randomBytes(16).toString('hex');
}

/** The exact bytes signed: a fixed layout, so signer and verifier never depend on JSON key order. */
function signedBytes(c: UnsignedCheckpoint): Buffer {
  return Buffer.from(
    `audit-router checkpoint v1\ntrail ${c.trail}\nseq ${c.seq}\nhash ${c.hash}\ntime ${c.time}\nevery ${c.every}\n`,
    'utf8',
  );
}

export function signCheckpoint(c: UnsignedCheckpoint, key: KeyObject): Checkpoint {
  return { ...c, sig: sign(null, signedBytes(c), key).toString('base64') };
}

export function checkpointSignatureValid(c: Checkpoint, key: KeyObject): boolean {
  try {
    return verify(null, signedBytes(c), key, Buffer.from(c.sig, 'base64'));
  } catch {
    return false;
  }
}

/** The checkpoint's JSON in a fixed key order: the line it is written as, and the value produced to the topic. */
export function checkpointJson(c: Checkpoint): string {
  return JSON.stringify({ trail: c.trail, seq: c.seq, hash: c.hash, time: c.time, every: c.every, sig: c.sig });
}

/** A checkpoint line's object text, before its chain field is added. */
export function checkpointObjectJson(c: Checkpoint): string {
  return `{"${CHECKPOINT_KEY}":${checkpointJson(c)}}`;
}

/** The checkpoint a value holds, or undefined when it is not shaped like one (which verify reports as forged). */
export function checkpointFrom(value: unknown): Checkpoint | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const c = value as Record<string, unknown>;
  const ok =
    typeof c.trail === 'string' &&
    typeof c.seq === 'number' &&
    Number.isSafeInteger(c.seq) &&
    typeof c.hash === 'string' &&
    typeof c.time === 'string' &&
    typeof c.every === 'number' &&
    Number.isSafeInteger(c.every) &&
    c.every >= 1 &&
    typeof c.sig === 'string';
  return ok ? (c as unknown as Checkpoint) : undefined;
}
