/** Messages asked of one consume() call while a backlog is drained; its queue is bounded in bytes (queued.max.messages.kbytes). */
const MAX_CONSUME_SIZE = 4096;
const MIN_CONSUME_SIZE = 8;
/** How long one call may keep gathering messages that trickle in. */
const TARGET_MS = 5;

/**
 * How many messages to ask of the next consume() call.
 *
 * The native call waits for a first message, then keeps taking messages for as
 * long as the next one arrives within 1 ms, up to the count asked for. With a
 * backlog that is what we want: 4,096 messages in a few milliseconds. With a
 * steady trickle (a few thousand events a second over several partitions) the
 * next message nearly always arrives within 1 ms, so a call of 4,096 gathered
 * for tens of milliseconds before the router saw its first message: 25 ms of
 * median latency at 2,000 events/s, against 10 ms with small calls.
 *
 * So the count follows the rate: after a call that gathered longer than the
 * target, the next asks for what arrived in the target time at that pace; a
 * call that filled its count within the target doubles the next (a backlog).
 */
export class ConsumeSize {
  private size = MAX_CONSUME_SIZE;

  get current(): number {
    return this.size;
  }

  /** After a call that returned `messages` (end-of-partition events not counted) after `elapsedMs`. */
  observe(messages: number, elapsedMs: number): void {
    if (messages >= this.size && elapsedMs <= TARGET_MS) this.size = Math.min(MAX_CONSUME_SIZE, this.size * 2);
    else if (elapsedMs > TARGET_MS && messages > 0)
      this.size = Math.max(MIN_CONSUME_SIZE, Math.min(MAX_CONSUME_SIZE, Math.floor((messages * TARGET_MS) / elapsedMs)));
  }
}
