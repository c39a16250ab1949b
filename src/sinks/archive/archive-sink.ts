import { promisify } from 'node:util';
import { gzip, gunzip } from 'node:zlib';
import { AuditRouterError } from '../../errors/index.js';
import type { Checkpoint } from '../../evidence/checkpoint.js';
import { EMPTY_TRAIL, type ObjectEvidence, type TrailHead } from '../../evidence/object-evidence.js';
import type { Logger } from '../../observability/logger.js';
import type { Sink, SinkEvent } from '../types.js';
import type { ArchiveSinkConfig } from './config.js';
import { keyShape, objectKey, offsetInKey, partitionKeys, type KeyShape } from './object-key.js';
import { S3Store, type PutCondition } from './s3-store.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** One object: consecutive events of one partition, as this process last stored it (or is about to). */
interface Piece {
  readonly shape: KeyShape;
  readonly key: string;
  /** Which block of roll.maxEvents offsets it lies in; an object never spans two. */
  readonly block: number;
  readonly first: number;
  readonly last: number;
  readonly text: string;
  readonly bytes: number;
  readonly events: number;
  readonly openedAt: number;
  /** The version stored at the key, as this process last read or wrote it; undefined when it stored none there. */
  readonly etag: string | undefined;
  /** With evidence: the partition's trail head after the object's last line. */
  readonly head?: TrailHead | undefined;
  /** With evidence: checkpoints sealed into it since its last stored version, for the checkpoint topic once stored. */
  readonly pending?: readonly Checkpoint[];
}

interface Lane {
  /** The object the partition's next event may extend, exactly as stored. */
  piece: Piece | undefined;
  /**
   * True until the bucket was seen to hold nothing past an event: until then
   * an earlier process may have stored objects this one is re-reading.
   */
  resuming: boolean;
  /** While resuming: the first offset of the next stored object in the piece's folder; events before it need no lookup. */
  boundary: number | undefined;
  /** The last offset of a batch that failed: a next batch past it means the runner gave those events up. */
  failedThrough?: number | undefined;
  /**
   * With evidence: the partition's trail head after the last line this lane wrote or read back, in offset
   * order; undefined when unknown (then read back from the bucket before the next new object).
   */
  head?: TrailHead | undefined;
}

/** What the bucket holds around an offset, in one date folder. */
interface Lookup {
  /** The object with the highest first offset not past it. */
  found: Piece | undefined;
  /** The first offset of the next object after it, if any. */
  nextFirst: number | undefined;
}

/**
 * Writes each input partition's events into S3 objects of consecutive
 * offsets, one canonical JSON event per line.
 *
 * The runner acknowledges a batch when send() resolves, and sends a
 * partition's next batch only after that, so an object cannot wait for more
 * events before it is stored: that would deadlock against the runner's
 * buffer limit. Instead every batch is stored at once, by rewriting the
 * object it extends (same key, old lines plus new). An event is acknowledged
 * only when an object holding it was stored, and no stored event is ever
 * dropped from its object by a later write.
 *
 * Exactly once in the bucket: an object is named after its first offset and
 * ends at a block of roll.maxEvents offsets, so the same events get the same
 * key. After a restart (or a rebalance) the events from the committed offset
 * on arrive again; until the bucket shows nothing stored at or past an event
 * (`resuming`), the sink looks up the object holding it in the event's date
 * folder and skips what it already holds, extending that object instead of
 * writing a second copy. Objects of a folder never overlap in offsets (an
 * object is extended only up to the next stored one), which is what makes
 * "the highest first offset not past it" the object that holds an event.
 * What this needs (event-time dates) is in the README's archive table.
 *
 * One writer per key: during a rebalance a partition's previous owner may
 * still have a PUT on its way while the new owner rewrites the same object
 * with more events. Every PUT is therefore conditional on the version this
 * process last saw (conditionalWrites): the late one fails with 412 instead
 * of replacing events the new owner had stored and committed. A failed
 * condition means the bucket is not what the lane remembers, so the lane
 * forgets it and the runner's retry re-reads the bucket as after a restart.
 *
 * With evidence, each partition's objects hold one hash chain in offset
 * order (src/evidence/object-evidence.ts): new lines continue from the head
 * of the object before them, read back from the bucket when the lane does
 * not know it, and every batch ends with a signed checkpoint.
 */
export class ArchiveSink implements Sink {
  readonly name: string;
  private readonly store: S3Store;
  private readonly lanes = new Map<string, Lane>();
  private readonly ext: string;

  constructor(
    private readonly config: ArchiveSinkConfig,
    private readonly logger: Logger,
    private readonly evidence?: ObjectEvidence,
  ) {
    this.name = config.name;
    this.store = new S3Store(config, config.name);
    this.ext = config.compression === 'gzip' ? '.jsonl.gz' : '.jsonl';
  }

  async send(batch: readonly SinkEvent[], signal: AbortSignal): Promise<void> {
    const byLane = new Map<string, SinkEvent[]>();
    for (const item of batch) {
      const lane = `${item.source.topic}/${item.source.partition}`;
      const list = byLane.get(lane);
      if (list) list.push(item);
      else byLane.set(lane, [item]);
    }
    for (const [lane, events] of byLane) await this.sendLane(lane, events, signal);
  }

  /** Stores the objects the events extend or open, in order, and only then adopts them as the lane's state. */
  private async sendLane(laneKey: string, events: SinkEvent[], signal: AbortSignal): Promise<void> {
    const before: Lane = this.lanes.get(laneKey) ?? { piece: undefined, resuming: true, boundary: undefined };
    try {
      const { lane, dirty } = await this.plan(before, events, signal);
      let stored: Piece | undefined;
      for (const piece of dirty) {
        stored = { ...piece, etag: await this.put(piece, signal), pending: [] };
        this.evidence?.stored(piece.pending ?? []);
      }
      // The lane goes on from the last object written (its new version), or from one stored before that it found.
      this.lanes.set(laneKey, stored && lane.piece?.key === stored.key ? { ...lane, piece: stored } : lane);
    } catch (err) {
      const failedThrough = Number(events.at(-1)!.source.offset);
      if (err instanceof AuditRouterError && err.code === 'AR_ERR_ARCHIVE_CONFLICT') {
        // Another writer owns the partition now, or did for a while: what the lane remembers is stale.
        this.logger.warn({ sink: this.name, code: err.code }, `${err.message}; re-reading the bucket before the retry`);
        this.lanes.set(laneKey, { piece: undefined, resuming: true, boundary: undefined, failedThrough });
      } else {
        // The lane still describes the bucket as it was before this batch, so a retry rebuilds the same objects.
        this.lanes.set(laneKey, { ...before, failedThrough });
      }
      throw err;
    }
  }

  /** The objects to store for these events (in order), and the lane's state once they are stored. */
  private async plan(before: Lane, events: SinkEvent[], signal: AbortSignal): Promise<{ lane: Lane; dirty: Piece[] }> {
    let { piece, resuming, boundary, head } = before;
    // The runner moved on past a batch that failed, so it dead-lettered it. Leave those offsets in a gap between
    // objects, so that a redrive of the events finds them stored nowhere and stores them.
    if (before.failedThrough !== undefined && Number(events[0]!.source.offset) > before.failedThrough) piece = undefined;
    const dirty: Piece[] = [];
    for (const item of events) {
      const offset = Number(item.source.offset);
      if (piece && offset < piece.first) {
        // Read again from before this object (the partition came back after a rebalance): look up what is stored.
        piece = undefined;
        resuming = true;
        boundary = undefined;
        head = undefined;
      }
      if (piece && offset <= piece.last) continue;
      const shape = this.shapeOf(item);
      if (resuming && !(piece && boundary !== undefined && offset < boundary && sameFolder(piece.shape, shape))) {
        const { found, nextFirst } = await this.lookup(shape, offset, signal);
        boundary = nextFirst;
        resuming = nextFirst !== undefined;
        if (found) head = found.head;
        if (found && found.last >= offset) {
          piece = found;
          continue;
        }
        // Not stored: it extends the stored object before it, or an object of this batch not stored yet.
        if (found || !piece || !sameFolder(piece.shape, shape)) piece = found;
      }
      let line = item.json + '\n';
      let checkpoints: readonly Checkpoint[] = [];
      if (this.evidence) {
        // The chain runs through the partition's objects in offset order: a new object links to the one before it.
        head ??= await this.previousHead(item, offset, signal);
        const sealed = this.evidence.sealEvent(head, item.json);
        line = sealed.bytes.toString('utf8');
        head = sealed.head;
        checkpoints = sealed.checkpoints;
      }
      const size = Buffer.byteLength(line);
      if (!piece || !this.fits(piece, shape, offset, size)) {
        piece = {
          shape,
          key: objectKey(shape, offset),
          block: this.blockOf(offset),
          first: offset,
          last: offset,
          text: line,
          bytes: size,
          events: 1,
          openedAt: Date.now(),
          etag: undefined,
          head,
          pending: checkpoints,
        };
      } else {
        piece = {
          ...piece,
          last: offset,
          text: piece.text + line,
          bytes: piece.bytes + size,
          events: piece.events + 1,
          head,
          pending: [...(piece.pending ?? []), ...checkpoints],
        };
      }
      if (dirty.at(-1)?.key === piece.key) dirty[dirty.length - 1] = piece;
      else dirty.push(piece);
    }
    const last = dirty.at(-1);
    const end = this.evidence && head && last && last.key === piece?.key ? this.evidence.sealEnd(head) : undefined;
    if (end && last) {
      // Every batch ends signed: what the bucket holds is covered by a checkpoint as soon as it is stored.
      const text = end.bytes.toString('utf8');
      head = end.head;
      piece = {
        ...last,
        text: last.text + text,
        bytes: last.bytes + end.bytes.length,
        head,
        pending: [...(last.pending ?? []), ...end.checkpoints],
      };
      dirty[dirty.length - 1] = piece;
    }
    return { lane: { piece, resuming, boundary, head }, dirty };
  }

  /**
   * The trail head a new object of this partition continues from when the lane does not know it (after a
   * restart or a rebalance): the last line of the partition's object with the highest first offset before
   * this one, in any date folder, or a new trail when there is none.
   */
  private async previousHead(item: SinkEvent, offset: number, signal: AbortSignal): Promise<TrailHead> {
    const keys = partitionKeys(this.config.key, {
      prefix: this.config.prefix,
      topic: item.source.topic,
      partition: item.source.partition,
      ext: this.ext,
    });
    let previous: { key: string; first: number } | undefined;
    for (const key of await this.store.listKeys(keys.listPrefix, signal)) {
      const first = keys.offsetOf(key);
      if (first !== undefined && first < offset && (!previous || first > previous.first)) previous = { key, first };
    }
    const object = previous && (await this.store.get(previous.key, signal));
    return object ? this.evidence!.headOf(await decoded(object.body)) : EMPTY_TRAIL;
  }

  /** Whether the event may extend the object: same offset block, same date folder, not too old, not too big. */
  private fits(piece: Piece, shape: KeyShape, offset: number, size: number): boolean {
    const { maxAgeMs, maxBytes } = this.config.roll;
    return (
      piece.block === this.blockOf(offset) &&
      sameFolder(piece.shape, shape) &&
      Date.now() - piece.openedAt < maxAgeMs &&
      piece.bytes + size <= maxBytes
    );
  }

  private blockOf(offset: number): number {
    return Math.floor(offset / this.config.roll.maxEvents);
  }

  private shapeOf(item: SinkEvent): KeyShape {
    let at: Date;
    if (this.config.dateFrom === 'ingest') at = new Date();
    else {
      // A timestamp that does not parse still needs a fixed folder, or a restart would file it elsewhere.
      const ms = Date.parse(item.event.timestamp);
      at = new Date(Number.isNaN(ms) ? 0 : ms);
    }
    return keyShape(this.config.key, {
      prefix: this.config.prefix,
      topic: item.source.topic,
      partition: item.source.partition,
      at,
      ext: this.ext,
    });
  }

  /** The stored object of this date folder that holds `offset` or comes last before it, and where the next one starts. */
  private async lookup(shape: KeyShape, offset: number, signal: AbortSignal): Promise<Lookup> {
    const firsts = await this.store.listOffsets(shape.head, (key) => offsetInKey(shape, key), signal);
    const first = firsts.filter((o) => o <= offset).reduce((a, b) => Math.max(a, b), -1);
    const later = firsts.filter((o) => o > offset);
    // reduce, not Math.min(...later): a folder can hold more objects than a call takes arguments.
    const nextFirst = later.length > 0 ? later.reduce((a, b) => Math.min(a, b)) : undefined;
    if (first < 0) return { found: undefined, nextFirst };
    const key = objectKey(shape, first);
    const object = await this.store.get(key, signal);
    if (!object) return { found: undefined, nextFirst };
    const body = await decoded(object.body);
    const text = body.toString('utf8');
    const events = this.evidence ? this.evidence.eventCount(text) : text.split('\n').length - 1;
    if (object.lastOffset >= offset)
      this.logger.info(
        { sink: this.name, key, lastOffset: object.lastOffset },
        `sink ${this.name}: resuming ${key}, stored before up to offset ${object.lastOffset}`,
      );
    return {
      found: {
        shape,
        key,
        block: this.blockOf(first),
        first,
        last: object.lastOffset,
        text,
        bytes: body.length,
        events,
        openedAt: Date.now(),
        etag: object.etag,
        head: this.evidence?.headOf(body),
      },
      nextFirst,
    };
  }

  /** Stores the piece over the version it extends (or where none is), and returns the new version's ETag. */
  private async put(piece: Piece, signal: AbortSignal): Promise<string | undefined> {
    const raw = Buffer.from(piece.text, 'utf8');
    const body = this.config.compression === 'gzip' ? await gzipAsync(raw) : raw;
    let condition: PutCondition;
    if (this.config.conditionalWrites) condition = piece.etag === undefined ? { absent: true } : { etag: piece.etag };
    return this.store.put(
      piece.key,
      body,
      { firstOffset: piece.first, lastOffset: piece.last, events: piece.events, trail: piece.head?.trail },
      condition,
      signal,
    );
  }

  async close(): Promise<void> {
    // Nothing to flush: every send() stored its events before it resolved, signed (only checkpoints may still be on their way).
    await this.evidence?.close();
    this.store.close();
  }
}

/** An object's body as text bytes: gunzipped when it is gzip. */
async function decoded(body: Buffer): Promise<Buffer> {
  return body[0] === 0x1f && body[1] === 0x8b ? gunzipAsync(body) : body;
}

function sameFolder(a: KeyShape, b: KeyShape): boolean {
  return a.head === b.head && a.tail === b.tail;
}
