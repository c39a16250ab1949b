import type { KafkaConfig } from '../config.js';
import type { Logger } from '../../observability/logger.js';
import type { RecordWriter, RecordWriterOptions } from '../record-writer.js';
import type { TopicRecords } from '../types.js';
import { baseConfig, connectTimeoutMs } from './client-config.js';
import { bridgeLogs } from './client-log.js';
import { connectNative } from './connect.js';
import type { NativeError, NativeModule, NativeProducer } from './native.js';
import { produceAll, type Queued } from './produce.js';

/** See message.max.bytes below; librdkafka still splits what it sends into batch.size (1 MB) batches. */
export const MAX_REQUEST_BYTES = 100 * 1024 * 1024;

/** One send() call: settles once every record it queued has its delivery report. */
class Delivery implements Queued {
  pending = 0;
  private queuing = true;
  private error: NativeError | undefined;
  readonly done: Promise<void>;
  private settle!: (err?: unknown) => void;

  constructor() {
    this.done = new Promise<void>((resolve, reject) => (this.settle = (err) => (err === undefined ? resolve() : reject(err))));
  }

  report(err: NativeError | null): void {
    this.pending--;
    if (err && !this.error) this.error = err;
    this.check();
  }

  /** Nothing more will be queued; `err` when queuing itself failed. */
  queued(err?: unknown): void {
    this.queuing = false;
    if (err !== undefined && !this.error) this.error = err as NativeError;
    this.check();
  }

  private check(): void {
    if (!this.queuing && this.pending === 0) this.settle(this.error);
  }
}

/**
 * An idempotent librdkafka producer (acks from all in-sync replicas, no
 * duplicates or reordering on retry). Settings are fixed per producer, as
 * librdkafka takes them; records are queued without an await each and
 * librdkafka batches them (linger.ms); delivery reports are served by a
 * background thread.
 */
export class LibrdkafkaRecordWriter implements RecordWriter {
  private readonly producer: NativeProducer;
  private disconnect: (() => Promise<void>) | undefined;
  private connecting: Promise<void> | undefined;
  private waiting: (() => void)[] = [];

  constructor(
    native: NativeModule,
    private readonly config: KafkaConfig,
    logger: Logger,
    options: RecordWriterOptions,
  ) {
    this.producer = new native.Producer({
      ...baseConfig(config, logger, options.clientIdSuffix),
      'enable.idempotence': true,
      acks: -1,
      'compression.codec': options.compression ?? 'none',
      // A write librdkafka cannot complete fails after this long, so the sink's retry budget and breaker see it.
      'message.timeout.ms': config.requestTimeoutMs,
      // The broker's limit (message.max.bytes, a topic's max.message.bytes) is the one that counts, as on
      // kafkajs: librdkafka's own 1 MB default refused the original bytes of large undecodable messages.
      'message.max.bytes': MAX_REQUEST_BYTES,
      'allow.auto.create.topics': options.allowAutoTopicCreation ?? true,
      dr_cb: true,
    });
    bridgeLogs(this.producer, logger, config, options.quiet);
    this.producer.on('delivery-report', (err, report) => {
      (report.opaque as Delivery).report(err);
      this.wake();
    });
  }

  connect(): Promise<void> {
    this.connecting ??= connectNative(this.producer, this.config.brokers.length, connectTimeoutMs(this.config)).then((disconnect) => {
      this.disconnect = disconnect;
      this.producer.setPollInBackground(true);
    });
    return this.connecting;
  }

  async send(batches: readonly TopicRecords[]): Promise<void> {
    const delivery = new Delivery();
    try {
      await produceAll(this.producer, batches, delivery, () => this.drained());
      delivery.queued();
    } catch (err) {
      delivery.queued(err);
    }
    return delivery.done;
  }

  /** Resolves at the next delivery report: librdkafka's queue has room again. */
  private drained(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private wake(): void {
    if (this.waiting.length === 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }

  async close(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    const disconnect = this.disconnect;
    this.disconnect = undefined;
    if (!disconnect) return;
    // disconnect() flushes what is still queued first.
    await disconnect();
  }
}
