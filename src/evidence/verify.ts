import type { KeyObject } from 'node:crypto';
import { GENESIS_HASH, linkOf, parseLine, recordHash } from './chain.js';
import { CHECKPOINT_KEY, checkpointFrom, checkpointSignatureValid, type Checkpoint } from './checkpoint.js';
import type { TopicCheckpoint } from './checkpoint-topic.js';
import type { TrailLine, TrailSource } from './trail-source.js';

type BreakKind =
  | 'modified record'
  | 'removed record'
  | 'reordered record'
  | 'inserted line'
  | 'truncated tail'
  | 'forged checkpoint'
  | 'missing checkpoint'
  | 'removed object'
  | 'reordered object'
  | 'inserted object';

/** The first place where the trail is not what the router wrote. */
export interface Broken {
  readonly kind: BreakKind;
  readonly place: string;
  readonly seq: number | undefined;
  readonly detail: string;
}

export interface VerifyResult {
  readonly broken: Broken | undefined;
  readonly trail: string | undefined;
  readonly records: number;
  readonly events: number;
  readonly checkpoints: number;
  readonly lastSeq: number;
  /** Lines a crash cut short: not records; the chain continues across them. */
  readonly torn: readonly string[];
  /** Event records whose id was written before: at-least-once re-deliveries after a restart. */
  readonly duplicates: number;
  /** Event records after the last checkpoint: not signed yet. */
  readonly unsigned: number;
  readonly lastCheckpointPlace: string | undefined;
  /** Present when checkpoints were read from a topic: how many belong to this trail, and the newest one's seq. */
  readonly topic: { readonly checkpoints: number; readonly newestSeq: number | undefined } | undefined;
}

interface RecordEntry {
  readonly type: 'record';
  readonly place: string;
  readonly seq: number;
  readonly prev: string;
  readonly hash: string;
  /** A checkpoint line's checkpoint; 'malformed' when the key is there but the value is not one. */
  readonly checkpoint: Checkpoint | 'malformed' | undefined;
  readonly id: string | undefined;
  readonly objectStart: boolean;
}
type Entry =
  | RecordEntry
  | { readonly type: 'torn'; readonly place: string }
  | { readonly type: 'foreign'; readonly place: string; readonly reason: string };

/** How far verify looks past a break to tell a moved record from an inserted or removed one. */
const LOOKAHEAD = 100_000;

function toEntry(line: TrailLine): Entry {
  const text = line.bytes.toString('utf8');
  const record = parseLine(text);
  if (!record) {
    // A crash mid-write leaves a prefix of a line: it starts like one and never parses. Anything else was put there.
    if (text.startsWith('{')) return { type: 'torn', place: line.place };
    return { type: 'foreign', place: line.place, reason: text.length === 0 ? 'an empty line' : 'not a JSON line' };
  }
  const link = linkOf(record);
  if (!link) return { type: 'foreign', place: line.place, reason: 'a JSON line without a valid _chain field' };
  const raw = record[CHECKPOINT_KEY];
  return {
    type: 'record',
    place: line.place,
    seq: link.seq,
    prev: link.prev,
    hash: recordHash(line.bytes),
    checkpoint: raw === undefined ? undefined : (checkpointFrom(raw) ?? 'malformed'),
    id: typeof record.id === 'string' ? record.id : undefined,
    objectStart: line.objectStart === true,
  };
}

/** An entry stream that can be read ahead of its position (to classify a break). */
class Entries {
  private readonly ahead: Entry[] = [];
  private readonly iterator: AsyncIterator<TrailLine>;

  constructor(source: TrailSource) {
    this.iterator = source.lines()[Symbol.asyncIterator]();
  }

  async next(): Promise<Entry | undefined> {
    if (this.ahead.length > 0) return this.ahead.shift();
    return this.pull();
  }

  async window(size: number): Promise<readonly Entry[]> {
    while (this.ahead.length < size) {
      const entry = await this.pull();
      if (!entry) break;
      this.ahead.push(entry);
    }
    return this.ahead;
  }

  private async pull(): Promise<Entry | undefined> {
    const { value, done } = await this.iterator.next();
    return done ? undefined : toEntry(value);
  }
}

/**
 * Walks a trail in file order and checks, line by line: every line is a
 * record (or a torn line a crash left), each record's seq is the previous
 * one's plus one and its prev the previous line's hash, each checkpoint is
 * signed by the key, belongs to the trail and signs exactly the records
 * before it, and no stretch between checkpoints is longer than the limit the
 * checkpoint before it signed. Then, given the checkpoint topic, that the file
 * reaches and matches the newest head the topic holds. Stops at the first
 * broken place and names what broke there.
 */
export async function verifyTrail(
  source: TrailSource,
  publicKey: KeyObject,
  topic?: { readonly name: string; readonly checkpoints: readonly TopicCheckpoint[] },
): Promise<VerifyResult> {
  const entries = new Entries(source);
  const wanted = new Set((topic?.checkpoints ?? []).flatMap((t) => (t.checkpoint && t.checkpoint.seq > 0 ? [t.checkpoint.seq] : [])));
  const hashAt = new Map<number, { hash: string; place: string }>();
  const placeOfSeq: string[] = [];
  const seenIds = new Set<string>();
  const torn: string[] = [];
  let last: { seq: number; hash: string; place: string } = { seq: 0, hash: GENESIS_HASH, place: 'the start' };
  let trail: string | undefined;
  let every: number | undefined;
  let since = 0;
  let lastCheckpointPlace: string | undefined;
  let records = 0;
  let events = 0;
  let checkpoints = 0;
  let duplicates = 0;
  const result = (broken: Broken | undefined, topic?: VerifyResult['topic']): VerifyResult => ({
    broken,
    trail,
    records,
    events,
    checkpoints,
    lastSeq: last.seq,
    torn,
    duplicates,
    unsigned: since,
    lastCheckpointPlace,
    topic,
  });

  for (let entry = await entries.next(); entry; entry = await entries.next()) {
    if (entry.type === 'torn') {
      torn.push(entry.place);
      continue;
    }
    if (entry.type === 'foreign')
      return result({ kind: 'inserted line', place: entry.place, seq: undefined, detail: `${entry.reason}, not part of the chain` });
    if (entry.seq !== last.seq + 1 || entry.prev !== last.hash) return result(await classifyBreak(entry, last, entries, placeOfSeq));

    const r = entry;
    if (r.checkpoint !== undefined) {
      const c = r.checkpoint;
      if (c === 'malformed' || !checkpointSignatureValid(c, publicKey)) {
        return result({
          kind: 'forged checkpoint',
          place: r.place,
          seq: r.seq,
          detail: 'its signature does not verify with the public key',
        });
      }
      if (trail !== undefined && c.trail !== trail)
        return result({ kind: 'forged checkpoint', place: r.place, seq: r.seq, detail: `it belongs to trail ${c.trail}, not ${trail}` });
      if (c.seq !== last.seq || c.hash !== last.hash) {
        return result({
          kind: 'modified record',
          place: r.place,
          seq: r.seq,
          detail: `the records before this checkpoint are not the ones it signed (head seq ${c.seq}, hash ${c.hash.slice(0, 12)}…): the chain was rewritten`,
        });
      }
      trail ??= c.trail;
      every = c.every;
      since = 0;
      lastCheckpointPlace = r.place;
      checkpoints++;
    } else {
      if (r.seq === 1)
        return result({
          kind: 'missing checkpoint',
          place: r.place,
          seq: 1,
          detail: 'the trail does not begin with its signed genesis checkpoint',
        });
      since++;
      if (every !== undefined && since > every) {
        return result({
          kind: 'missing checkpoint',
          place: r.place,
          seq: r.seq,
          detail: `${since} event records since the checkpoint at ${lastCheckpointPlace}, whose signed limit is ${every}`,
        });
      }
      events++;
      if (r.id !== undefined) {
        if (seenIds.has(r.id)) duplicates++;
        else seenIds.add(r.id);
      }
    }
    records++;
    placeOfSeq[r.seq] = r.place;
    if (wanted.has(r.seq)) hashAt.set(r.seq, { hash: r.hash, place: r.place });
    last = { seq: r.seq, hash: r.hash, place: r.place };
  }
  // Every trail starts with its genesis checkpoint: a file without one lost all of it, or is not a trail.
  if (records === 0)
    return result({
      kind: 'missing checkpoint',
      place: source.name,
      seq: undefined,
      detail: 'no trail in it: not even its genesis checkpoint',
    });
  if (topic === undefined) return result(undefined);
  const checked = checkAgainstTopic(topic.name, topic.checkpoints, publicKey, trail, last, hashAt);
  return result(checked.broken, { checkpoints: checked.count, newestSeq: checked.newestSeq });
}

/** What went wrong where the chain breaks at `r`: looks ahead for the record that should have come next. */
async function classifyBreak(
  r: RecordEntry,
  last: { seq: number; hash: string; place: string },
  entries: Entries,
  placeOfSeq: readonly string[],
): Promise<Broken> {
  const expected = last.seq + 1;
  const where = last.seq === 0 ? 'at the start of the trail' : `after ${last.place} (seq ${last.seq})`;
  if (r.seq <= last.seq) {
    return {
      kind: 'inserted line',
      place: r.place,
      seq: r.seq,
      detail: `it repeats seq ${r.seq}, which is at ${placeOfSeq[r.seq] ?? 'an earlier line'}`,
    };
  }
  const ahead = (await entries.window(LOOKAHEAD)).filter((e): e is RecordEntry => e.type === 'record');
  const successor = ahead.find((e) => e.seq === expected && e.prev === last.hash);
  if (successor) {
    const linked = ahead.some((e) => (e.seq === r.seq + 1 && e.prev === r.hash) || (e.seq === r.seq - 1 && e.hash === r.prev));
    if (r.seq > expected && linked && r.objectStart && successor.objectStart) {
      return {
        kind: 'reordered object',
        place: r.place,
        seq: r.seq,
        detail: `this object's records (from seq ${r.seq}) come ${where}, before the object holding seq ${expected} (${successor.place}): objects swapped or renamed`,
      };
    }
    if (r.seq > expected && linked) {
      return {
        kind: 'reordered record',
        place: r.place,
        seq: r.seq,
        detail: `seq ${r.seq} comes ${where}, before seq ${expected} (${successor.place})`,
      };
    }
    return {
      kind: 'inserted line',
      place: r.place,
      seq: r.seq,
      detail: `it claims seq ${r.seq} but is not part of the chain; seq ${expected} follows at ${successor.place}`,
    };
  }
  if (r.seq === expected) {
    if (last.seq === 0)
      return { kind: 'modified record', place: r.place, seq: r.seq, detail: 'the first record does not link to the start of a trail' };
    return {
      kind: 'modified record',
      place: last.place,
      seq: last.seq,
      detail: `its hash is not the one seq ${r.seq} (${r.place}) links to`,
    };
  }
  const missing = r.seq - 1 === expected ? `seq ${expected} is` : `seq ${expected}..${r.seq - 1} (${r.seq - expected} records) are`;
  if (r.objectStart) {
    return {
      kind: 'removed object',
      place: r.place,
      seq: r.seq,
      detail: `${missing} missing ${where}, before this object: an object, or lines at the edge of one, removed`,
    };
  }
  return { kind: 'removed record', place: r.place, seq: r.seq, detail: `${missing} missing ${where}` };
}

/**
 * The file against the copy of its heads outside it: every checkpoint of this
 * trail in the topic must be signed and match the record at its seq, and the
 * file must reach the newest.
 */
function checkAgainstTopic(
  topic: string,
  all: readonly TopicCheckpoint[],
  publicKey: KeyObject,
  trail: string | undefined,
  last: { seq: number; place: string },
  hashAt: ReadonlyMap<number, { hash: string; place: string }>,
): { broken?: Broken; count: number; newestSeq?: number } {
  let newest: { checkpoint: Checkpoint; place: string } | undefined;
  let count = 0;
  for (const { checkpoint, place } of all) {
    // The topic may be shared by sinks with other keys: only this trail's checkpoints are this key's to check.
    if (!checkpoint || checkpoint.trail !== trail) continue;
    if (!checkpointSignatureValid(checkpoint, publicKey)) {
      return {
        broken: {
          kind: 'forged checkpoint',
          place,
          seq: checkpoint.seq,
          detail: 'a checkpoint of this trail whose signature does not verify with the public key',
        },
        count,
      };
    }
    count++;
    if (!newest || checkpoint.seq > newest.checkpoint.seq) newest = { checkpoint, place };
  }
  if (!newest)
    return {
      broken: {
        kind: 'missing checkpoint',
        place: `topic ${topic}`,
        seq: undefined,
        detail: `no checkpoint of trail ${trail ?? '(none)'}`,
      },
      count,
    };
  if (newest.checkpoint.seq > last.seq) {
    return {
      broken: {
        kind: 'truncated tail',
        place: last.place,
        seq: last.seq,
        detail: `the trail ends at seq ${last.seq}, but ${newest.place} signs a head at seq ${newest.checkpoint.seq}: ${newest.checkpoint.seq - last.seq} records are gone from the end`,
      },
      count,
      newestSeq: newest.checkpoint.seq,
    };
  }
  for (const { checkpoint, place } of all) {
    if (!checkpoint || checkpoint.trail !== trail || checkpoint.seq === 0) continue;
    const record = hashAt.get(checkpoint.seq);
    if (record && record.hash !== checkpoint.hash) {
      return {
        broken: { kind: 'modified record', place: record.place, seq: checkpoint.seq, detail: `it is not the record ${place} signed` },
        count,
        newestSeq: newest.checkpoint.seq,
      };
    }
  }
  return { count, newestSeq: newest.checkpoint.seq };
}
