import type { Kafka, KafkaMessage } from 'kafkajs';
import { randomBytes } from 'node:crypto';

export interface RangeMessage {
  partition: number;
  message: KafkaMessage;
}

export interface TopicRangeOptions {
  /** Read from this time (ms since epoch) instead of the beginning. */
  sinceMs?: number | undefined;
  /** Called for every batch in offset order per partition; resolves when handed on. */
  onBatch: (messages: RangeMessage[]) => Promise<void>;
  groupPrefix: string;
}

/**
 * Reads a topic from the beginning (or a time) up to the high watermarks it
 * had when the read started, so the read ends even while producers keep
 * writing. It uses a throwaway consumer group, deleted afterwards, so no
 * live group's offsets move. Returns how many messages were read.
 */
export async function readTopicRange(kafka: Kafka, topic: string, options: TopicRangeOptions): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `${options.groupPrefix}-${Date.now()}-${randomBytes(3).toString('hex')}`;
  try {
    const highs = await admin.fetchTopicOffsets(topic);
    const starts = options.sinceMs === undefined ? highs.map((p) => ({ partition: p.partition, offset: p.low })) : await admin.fetchTopicOffsetsByTimestamp(topic, options.sinceMs);
    // A partition is done once we reach its high watermark (or there is nothing to read).
    const remaining = new Map<number, { next: bigint; end: bigint }>();
    for (const high of highs) {
      const start = starts.find((s) => s.partition === high.partition)?.offset ?? high.low;
      const begin = BigInt(start === '-1' ? high.high : start);
      if (begin < BigInt(high.high)) remaining.set(high.partition, { next: begin, end: BigInt(high.high) });
    }
    if (remaining.size === 0) return 0;

    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
    let read = 0;
    let finish!: () => void;
    let abort!: (err: unknown) => void;
    const done = new Promise<void>((resolve, reject) => ((finish = resolve), (abort = reject)));
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      consumer.on(consumer.events.CRASH, ({ payload }) => abort(payload.error));
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const range = remaining.get(batch.partition);
          if (!range) return;
          const wanted = batch.messages.filter((m) => BigInt(m.offset) >= range.next && BigInt(m.offset) < range.end);
          if (wanted.length > 0) {
            await options.onBatch(wanted.map((message) => ({ partition: batch.partition, message })));
            read += wanted.length;
          }
          // lastOffset, not the last message: a transaction marker or compacted gap may end the range.
          const after = BigInt(batch.lastOffset()) + 1n;
          if (after > range.next) range.next = after;
          if (range.next >= range.end) {
            remaining.delete(batch.partition);
            if (remaining.size === 0) finish();
          }
        },
      });
      for (const [partition, range] of remaining) consumer.seek({ topic, partition, offset: range.next.toString() });
      await done;
      return read;
    } finally {
      await consumer.disconnect();
    }
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
