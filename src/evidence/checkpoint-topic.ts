import type { KafkaConfig } from '../kafka/config.js';
import { createTopicIfMissing, describeKafkaError, type KafkaEngine, type RecordWriter } from '../kafka/index.js';
import { AuditRouterError } from '../errors/index.js';
import type { Logger } from '../observability/logger.js';
import { checkpointFrom, checkpointJson, type Checkpoint } from './checkpoint.js';

/**
 * Everything evidence does with Kafka, in one file so it can move behind the
 * project's Kafka interfaces as a whole: produce checkpoints, read them back.
 */

const RETRY_MS = 1_000;
const LINGER_MS = 1_000;
const CLOSE_WAIT_MS = 5_000;

/** Checkpoints on their way to the topic, in order; a failed send is retried, never dropped, until close. */
export interface CheckpointPublisher {
  publish(checkpoints: readonly Checkpoint[]): void;
  close(): Promise<void>;
}

/**
 * Connects an idempotent producer (so a retried send cannot duplicate or
 * reorder) and creates the topic when missing. Sends run behind the file
 * write, off the acknowledgement path: a slow broker never holds up the
 * trail; what it delays is only the outside copy of the head.
 */
export async function connectCheckpointPublisher(
  engine: KafkaEngine,
  kafkaConfig: KafkaConfig,
  topic: string,
  sink: string,
  logger: Logger,
): Promise<CheckpointPublisher> {
  const writer = engine.recordWriter({ clientIdSuffix: `evidence-${sink}`, allowAutoTopicCreation: false });
  const admin = engine.admin({ clientIdSuffix: `evidence-${sink}` });
  try {
    await Promise.all([writer.connect(), admin.connect()]);
    await createTopicIfMissing(admin, { topic }, logger);
  } catch (err) {
    await Promise.allSettled([writer.close()]);
    throw describeKafkaError(err, kafkaConfig);
  } finally {
    await admin.close().catch(() => undefined);
  }
  return new QueuedPublisher(writer, topic, sink, logger);
}

class QueuedPublisher implements CheckpointPublisher {
  private pending: Checkpoint[] = [];
  private running: Promise<void> | undefined;
  /** close() was called: send what is pending without lingering. */
  private flushing = false;
  /** close() gave up waiting: stop retrying. */
  private closing = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly writer: RecordWriter,
    private readonly topic: string,
    private readonly sink: string,
    private readonly logger: Logger,
  ) {}

  publish(checkpoints: readonly Checkpoint[]): void {
    if (checkpoints.length === 0) return;
    this.pending.push(...checkpoints);
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 && !this.closing) {
      const batch = this.pending.slice();
      try {
        // Keyed by trail: one trail's checkpoints stay in one partition, in order.
        await this.writer.send([
          { topic: this.topic, records: batch.map((c) => ({ key: c.trail, value: checkpointJson(c), headers: { 'ar.sink': this.sink } })) },
        ]);
        this.pending.splice(0, batch.length);
      } catch (err) {
        if (this.closing) return;
        this.logger.warn(
          { code: 'AR_ERR_KAFKA', topic: this.topic, waiting: this.pending.length },
          `evidence: checkpoints not produced to ${this.topic} yet: ${describeKafkaError(err).message}`,
        );
        await this.pause(RETRY_MS);
        continue;
      }
      // A produce request costs the router about a millisecond of CPU: checkpoints due within LINGER_MS share one.
      if (!this.flushing) await this.pause(LINGER_MS);
    }
  }

  /** Waits `ms`, or until close() wakes it. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  async close(): Promise<void> {
    this.flushing = true;
    this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise((r) => (timer = setTimeout(r, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
    this.closing = true;
    this.wake?.();
    if (this.pending.length > 0)
      this.logger.warn({ topic: this.topic }, `evidence: ${this.pending.length} checkpoints not produced to ${this.topic} before close`);
    await this.writer.close().catch(() => undefined);
  }
}

/** A checkpoint read from the topic, with where it was read (a forged one is named by partition and offset). */
export interface TopicCheckpoint {
  readonly checkpoint: Checkpoint | undefined;
  readonly place: string;
}

/**
 * Every checkpoint in the topic, read from the beginning to the end as it was
 * when reading started, with a throwaway consumer group that is deleted after.
 */
export async function readCheckpointTopic(
  engine: KafkaEngine,
  kafkaConfig: KafkaConfig,
  topic: string,
  timeoutMs = 60_000,
): Promise<TopicCheckpoint[]> {
  const admin = engine.admin({ clientIdSuffix: 'verify' });
  const groupId = `audit-router-verify-${Date.now()}-${process.pid}`;
  const consumer = engine.groupConsumer({ groupId, clientIdSuffix: 'verify', fetch: { maxWaitMs: 200 } });
  try {
    await admin.connect();
    if (!(await admin.listTopics()).includes(topic)) {
      throw new AuditRouterError('AR_ERR_USAGE', `--checkpoints-from-topic: topic ${topic} does not exist`);
    }
    const ends = new Map((await admin.watermarks(topic)).filter((p) => p.high > p.low).map((p) => [p.partition, p.high]));
    if (ends.size === 0) return [];
    const found: TopicCheckpoint[] = [];
    let complete!: () => void;
    const done = new Promise<void>((resolve) => (complete = resolve));
    await consumer.connect();
    await consumer.run(topic, {
      fromBeginning: true,
      eachBatch: async (batch) => {
        const end = ends.get(batch.partition);
        let last: number | undefined;
        for (const record of batch.records) {
          last = record.offset;
          if (end === undefined || record.offset >= end) continue;
          found.push({ checkpoint: parseValue(record.value), place: `${topic} partition ${batch.partition} offset ${record.offset}` });
        }
        // The end as it was when reading started: later checkpoints belong to a later verify.
        if (end !== undefined && batch.nextOffset >= end) ends.delete(batch.partition);
        if (ends.size === 0) complete();
        return last;
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new AuditRouterError('AR_ERR_KAFKA', `reading ${topic} did not reach its end within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([done, timedOut]);
    } finally {
      clearTimeout(timer);
    }
    return found;
  } catch (err) {
    throw describeKafkaError(err, kafkaConfig);
  } finally {
    await consumer.close().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.close().catch(() => undefined);
  }
}

function parseValue(value: Buffer | null): Checkpoint | undefined {
  try {
    return checkpointFrom(JSON.parse(value?.toString('utf8') ?? 'null'));
  } catch {
    return undefined;
  }
}
