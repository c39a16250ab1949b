import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { GroupConsumer, KafkaEngine, NewTopic, RecordWriter } from '../kafka/index.js';
import type { Logger } from '../observability/logger.js';
import type { StoredDestination } from './model.js';

/**
 * Destinations live in a compacted topic, one record per id, a tombstone on
 * delete. Every router instance reads it from the beginning at start and then
 * follows it, so a destination created through any instance reaches all of
 * them, and survives restarts. Each instance reads with its own throwaway
 * group: the topic is a table to replay, not work to share.
 */
export class DestinationStore extends EventEmitter<{ change: [ReadonlyMap<string, StoredDestination>] }> {
  private readonly destinations = new Map<string, StoredDestination>();
  private consumer: GroupConsumer | undefined;
  private readonly groupId: string;
  private onRead: ((partition: number, nextOffset: number) => void) | undefined;

  constructor(
    private readonly engine: KafkaEngine,
    private readonly writer: RecordWriter,
    readonly topic: string,
    private readonly logger: Logger,
    /** While true (router start-up), the clients' own errors are logged at debug. */
    private readonly quiet: () => boolean = () => false,
  ) {
    super();
    this.groupId = `${topic}.reader-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  }

  /** The topic as the router creates it when missing, with the dead-letter topic (one listing for both). */
  static topicSpec(topic: string): NewTopic {
    // Compacted: one record per destination id survives, a tombstone removes it.
    return { topic, numPartitions: 1, config: { 'cleanup.policy': 'compact' } };
  }

  get all(): ReadonlyMap<string, StoredDestination> {
    return this.destinations;
  }

  /** Loads every destination up to the current end, then follows. The topic must exist (see topicSpec). */
  async start(): Promise<void> {
    const admin = this.engine.admin({ clientIdSuffix: 'destinations', quiet: this.quiet });
    let ends: Map<number, number>;
    try {
      await admin.connect();
      ends = new Map((await admin.watermarks(this.topic)).map((p) => [p.partition, p.high]));
    } finally {
      await admin.close();
    }
    // Loaded = every partition read up to the end it had when we started.
    const pending = new Map([...ends].filter(([, end]) => end > 0));
    const loaded =
      pending.size === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            this.onRead = (partition, next) => {
              if (next < (pending.get(partition) ?? 0)) return;
              pending.delete(partition);
              if (pending.size === 0) {
                this.onRead = undefined;
                resolve();
              }
            };
          });
    this.consumer = this.engine.groupConsumer({
      groupId: this.groupId,
      clientIdSuffix: 'destinations',
      quiet: this.quiet,
      fetch: { maxWaitMs: 100 },
    });
    await this.consumer.connect();
    await this.consumer.run(this.topic, {
      fromBeginning: true,
      eachBatch: async (batch) => {
        for (const record of batch.records) this.apply(record.key?.toString() ?? '', record.value);
        if (batch.records.length > 0) this.emit('change', this.destinations);
        this.onRead?.(batch.partition, batch.nextOffset);
        return batch.records.at(-1)?.offset;
      },
    });
    await loaded;
    this.logger.info(
      { topic: this.topic, destinations: this.destinations.size },
      `loaded ${this.destinations.size} destination(s) from ${this.topic}`,
    );
  }

  private apply(id: string, value: Buffer | null): void {
    if (!id) return;
    if (value === null) {
      this.destinations.delete(id);
      return;
    }
    try {
      this.destinations.set(id, JSON.parse(value.toString('utf8')) as StoredDestination);
    } catch (err) {
      this.logger.error({ id, err: { message: (err as Error).message } }, `unreadable destination record ${id} in ${this.topic}; ignored`);
    }
  }

  /** Writes a destination; resolves once Kafka has it (not once every instance applied it). */
  async put(destination: StoredDestination): Promise<void> {
    await this.writer.send([{ topic: this.topic, records: [{ key: destination.id, value: JSON.stringify(destination) }] }]);
    this.destinations.set(destination.id, destination);
    this.emit('change', this.destinations);
  }

  async remove(id: string): Promise<void> {
    await this.writer.send([{ topic: this.topic, records: [{ key: id, value: null }] }]);
    this.destinations.delete(id);
    this.emit('change', this.destinations);
  }

  async stop(): Promise<void> {
    await this.consumer?.close();
    const admin = this.engine.admin({ clientIdSuffix: 'destinations', quiet: this.quiet });
    try {
      await admin.connect();
      await admin.deleteGroups([this.groupId]).catch(() => undefined);
    } finally {
      await admin.close();
    }
  }
}
