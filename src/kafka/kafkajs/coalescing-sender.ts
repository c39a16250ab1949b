import type { OutgoingRecord, TopicRecords } from '../types.js';

type Send = (batches: readonly TopicRecords[]) => Promise<void>;

interface Waiting {
  batches: readonly TopicRecords[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** The records of many sends as one, a topic's records in the order they were sent. */
function join(group: readonly Waiting[]): TopicRecords[] {
  const byTopic = new Map<string, OutgoingRecord[]>();
  for (const w of group)
    for (const { topic, records } of w.batches) {
      const list = byTopic.get(topic);
      if (list) list.push(...records);
      else byTopic.set(topic, [...records]);
    }
  return [...byTopic].map(([topic, records]) => ({ topic, records }));
}

/**
 * Joins sends that arrive while a request is in flight into the next request.
 *
 * kafkajs's idempotent producer allows one request in flight, so concurrent
 * senders (a sink's batches, one per input partition; the dead-letter writer)
 * would otherwise queue behind each other, one round trip each: at a few
 * thousand events a second, with small batches, that queue is most of the
 * latency to an output topic. A lone send still goes out at once; only sends
 * that would have waited are joined. (librdkafka queues and batches records
 * itself, with several requests in flight, and needs none of this.)
 *
 * When a joined request fails, each send is made again on its own, so that an
 * error (a record too large, say) is reported to the caller that caused it and
 * not to its neighbours. The broker may have written some records of the joined
 * request already: the retry then duplicates them, which at-least-once allows.
 */
export class CoalescingSender {
  private waiting: Waiting[] = [];
  private busy = false;

  constructor(private readonly sendNow: Send) {}

  send(batches: readonly TopicRecords[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ batches, resolve, reject });
      if (!this.busy) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.busy = true;
    while (this.waiting.length > 0) {
      const group = this.waiting;
      this.waiting = [];
      await this.sendGroup(group);
    }
    this.busy = false;
  }

  private async sendGroup(group: Waiting[]): Promise<void> {
    try {
      await this.sendNow(group.length === 1 ? group[0]!.batches : join(group));
      for (const w of group) w.resolve();
    } catch (err) {
      if (group.length === 1) return group[0]!.reject(err);
      for (const w of group) {
        await this.sendNow(w.batches).then(w.resolve, w.reject);
      }
    }
  }
}
