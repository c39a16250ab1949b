import type { AuditRouterError } from '../errors/index.js';
import type { SourceCoordinates } from '../event/index.js';
import type { OutgoingRecord, RecordWriter } from '../kafka/index.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { fullJitterDelay, sleep } from '../retry/index.js';
import type { FailedDelivery } from '../sinks/runner.js';
import { deadLetterHeaders } from './headers.js';

export interface UndecodableMessage {
  value: Buffer | null;
  key: Buffer | null;
  source: SourceCoordinates;
  error: AuditRouterError;
}

/** The dead-letter record of a message that is not an event: its own bytes and key, and why. */
export function undecodableRecord(m: UndecodableMessage): OutgoingRecord {
  return { key: m.key, value: m.value, headers: deadLetterHeaders('decode', m.error, m.source) };
}

const RETRY = { initialBackoffMs: 200, maxBackoffMs: 10_000, maxElapsedMs: 0 };

/**
 * Parks what cannot be delivered in the dead-letter topic, with headers that
 * say why and where it came from. Its writes are the last line before an
 * offset may move past an event, so it retries until Kafka takes them (or
 * the router shuts down, leaving the events unacknowledged).
 */
export class DeadLetterWriter {
  constructor(
    private readonly writer: RecordWriter,
    readonly topic: string,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly signal: AbortSignal,
  ) {}

  /** Decode failures keep their original bytes and key, so nothing about them is lost. */
  async parkUndecodable(messages: readonly UndecodableMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.write(messages.map(undecodableRecord));
    this.noteParkedUndecodable(messages);
  }

  /**
   * Counts and logs undecodable messages once their records are durable. The
   * exactly-once path writes the records in its transaction and calls this
   * after the commit, so both paths log each message alike.
   */
  noteParkedUndecodable(messages: readonly UndecodableMessage[]): void {
    for (const m of messages) {
      this.metrics.deadLettered.inc({ code: m.error.code, sink: '' });
      this.logger.warn(
        { code: m.error.code, path: m.error.path, source: m.source },
        `dead-lettered undecodable message: ${m.error.message.slice(0, 300)}`,
      );
    }
  }

  /** Delivery failures are written as canonical JSON: redrive can re-send them whatever the input format was. */
  async parkUndeliverable(failure: FailedDelivery): Promise<void> {
    await this.write(
      failure.items.map(({ sinkEvent }) => ({
        key: sinkEvent.key,
        value: sinkEvent.json,
        headers: deadLetterHeaders('deliver', failure.error, sinkEvent.source, {
          sink: failure.sink,
          attempts: failure.attempts,
          eventId: sinkEvent.event.id ?? undefined,
        }),
      })),
    );
    this.metrics.deadLettered.inc({ code: failure.error.code, sink: failure.sink }, failure.items.length);
    this.logger.warn(
      {
        sink: failure.sink,
        code: failure.error.code,
        status: failure.error.status,
        attempts: failure.attempts,
        events: failure.items.length,
      },
      `dead-lettered ${failure.items.length} event(s) for sink ${failure.sink}: ${failure.error.message.slice(0, 300)}`,
    );
  }

  private async write(records: OutgoingRecord[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.writer.send([{ topic: this.topic, records }]);
        return;
      } catch (err) {
        if (this.signal.aborted) throw err;
        this.logger.error(
          { err: { message: (err as Error).message }, attempt },
          `cannot write to dead-letter topic ${this.topic}; retrying`,
        );
        await sleep(fullJitterDelay(attempt, RETRY), this.signal);
      }
    }
  }
}
