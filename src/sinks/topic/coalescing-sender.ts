import type { OutgoingRecord } from '../../kafka/index.js';

type SendMessages = (messages: OutgoingRecord[]) => Promise<unknown>;

interface Waiting {
  messages: OutgoingRecord[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Joins batches that arrive while a request is in flight into the next request.
 *
 * The idempotent producer allows one request in flight, so the sink runner's
 * concurrent batches (one per input partition) would otherwise queue behind
 * each other, one round trip each: at a few thousand events a second, with
 * small batches, that queue is most of the latency to the output topic. A lone
 * batch still goes out at once; only batches that would have waited are joined.
 *
 * When a joined request fails, each batch is sent again on its own, so that an
 * error (a record too large, say) is reported for the batch that caused it and
 * not for its neighbours. The broker may have written some records of the joined
 * request already: the retry then duplicates them, which at-least-once allows.
 */
export class CoalescingSender {
  private waiting: Waiting[] = [];
  private busy = false;

  constructor(private readonly sendMessages: SendMessages) {}

  send(messages: OutgoingRecord[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ messages, resolve, reject });
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
      await this.sendMessages(group.length === 1 ? group[0]!.messages : group.flatMap((w) => w.messages));
      for (const w of group) w.resolve();
    } catch (err) {
      if (group.length === 1) return group[0]!.reject(err);
      for (const w of group) {
        await this.sendMessages(w.messages).then(w.resolve, w.reject);
      }
    }
  }
}
