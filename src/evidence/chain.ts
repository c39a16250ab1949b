import { hash } from 'node:crypto';

/** The `prev` of a trail's first record: there is nothing before it. */
export const GENESIS_HASH = '0'.repeat(64);

/** The reserved top-level key every line of a trail carries; readers that ignore it see the event unchanged. */
const CHAIN_KEY = '_chain';

/** Where a record sits in its trail: its sequence number (from 1) and the hash of the record before it. */
interface ChainLink {
  readonly seq: number;
  readonly prev: string;
}

/**
 * A record's hash: SHA-256 of the exact bytes of its line as written, `_chain`
 * included and the newline excluded. Covering the whole line (so `prev` too)
 * is what makes the chain: changing, removing or moving any earlier line
 * changes a hash some later line committed to, and verify recomputes every
 * hash from the file alone, without parsing or re-serialising anything.
 */
export function recordHash(line: string | Buffer): string {
  return hash('sha256', line, 'hex');
}

/**
 * Appends the chain field to a JSON object's text as its last key. The
 * canonical event keeps its bytes and its fields; the line still parses as the
 * same event for any reader that ignores `_chain`.
 */
export function withLink(objectJson: string, link: ChainLink): string {
  return `${objectJson.slice(0, -1)},"${CHAIN_KEY}":{"seq":${link.seq},"prev":"${link.prev}"}}`;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** The chain field of a parsed line, or undefined when it has none or a malformed one. */
export function linkOf(record: Record<string, unknown>): ChainLink | undefined {
  const link = record[CHAIN_KEY] as { seq?: unknown; prev?: unknown } | undefined;
  if (link === null || typeof link !== 'object') return undefined;
  const { seq, prev } = link;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return undefined;
  if (typeof prev !== 'string' || !HEX64.test(prev)) return undefined;
  return { seq, prev };
}

/** Parses one line of a trail: an object, or undefined for anything else (a torn line, foreign text). */
export function parseLine(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
