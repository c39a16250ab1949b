import { setTimeout as delay } from 'node:timers/promises';
import type { KafkaConfig } from '../config.js';
import type { Logger } from '../../observability/logger.js';
import type { BatchControl, GroupConsumer, GroupConsumerOptions, GroupConsumerRun } from '../group-consumer.js';
import type { RecordBatch, TopicPartition, TopicPartitionOffset } from '../types.js';
import { baseConfig, connectTimeoutMs } from './client-config.js';
import { isInconsistentGroupProtocol } from '../errors.js';
import { bridgeLogs } from './client-log.js';
import { CommitResults } from './commit-results.js';
import { connectNative } from './connect.js';
import { ConsumeSize } from './consume-size.js';
import { groupProtocolConfig } from './group-protocol.js';
import type { NativeConsumer, NativeError, NativeMessage, NativeModule, NativeTopicPartition } from './native.js';
import { toRecord } from './records.js';

const ERR_ASSIGN_PARTITIONS = -175;
const ERR_REVOKE_PARTITIONS = -174;
const DEFAULT_WAIT_MS = 500;
/** After a handler threw, the batch is read again: not at once, as kafkajs waits before it restarts too. */
const RETRY_AFTER_FAILURE_MS = 1000;

function consumeOnce(consumer: NativeConsumer, count: number): Promise<NativeMessage[]> {
  return new Promise((resolve, reject) => consumer.consume(count, (err, messages) => (err ? reject(err) : resolve(messages))));
}

/** Whether this member still owns a partition; a new object per assignment, so a batch knows when it went stale. */
interface Ownership {
  stale: boolean;
}

interface PendingBatch {
  batch: RecordBatch;
  ownership: Ownership;
}

/**
 * A librdkafka KafkaConsumer behind the GroupConsumer contract, on the
 * native API: one consume() call returns up to a few thousand messages of
 * every assigned partition, handed over as one batch per partition, with no
 * promise per message. librdkafka heartbeats in a background thread.
 *
 * Rebalances are cooperative (cooperative-sticky) unless kafka.assignor says
 * roundrobin: only the partitions that change hands are revoked, and the
 * others keep flowing. Offsets are never committed by librdkafka itself.
 */
export class LibrdkafkaGroupConsumer implements GroupConsumer {
  readonly groupId: string;
  private consumer: NativeConsumer | undefined;
  private offsetReset: 'earliest' | 'latest' = 'latest';
  private connecting: Promise<void> | undefined;
  private disconnect: (() => Promise<void>) | undefined;
  private closing: Promise<void> | undefined;
  private topic = '';
  private run_: GroupConsumerRun | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly owned = new Map<number, Ownership>();
  private pausedAll = false;
  private readonly paused = new Set<number>();
  /** Seeks asked for inside onAssigned, before librdkafka has the partitions: they become the assignment's offsets. */
  private readonly pendingSeeks = new Map<number, number>();
  private assigning = false;
  /** The end of each partition as librdkafka last reported it (partition EOF), transaction markers included. */
  private readonly ends = new Map<number, number>();
  /** Per partition, the offset after the last record handed over. */
  private readonly handedTo = new Map<number, number>();
  private serving: Promise<void> | undefined;
  private readonly commitResults = new CommitResults();
  private readonly consumeSize = new ConsumeSize();

  constructor(
    private readonly native: NativeModule,
    private readonly config: KafkaConfig,
    private readonly logger: Logger,
    private readonly options: GroupConsumerOptions,
  ) {
    this.groupId = options.groupId;
  }

  /** The native consumer, for transactions: librdkafka commits their offsets with this member's group metadata. */
  get client(): NativeConsumer {
    if (!this.consumer) throw new Error(`consumer of group ${this.groupId} is not connected`);
    return this.consumer;
  }

  connect(): Promise<void> {
    this.connecting ??= this.open('latest');
    return this.connecting;
  }

  /**
   * librdkafka fixes where a partition without a committed offset starts
   * (auto.offset.reset) when the client is created, and only run() says
   * which: a run() that wants the other end replaces the client.
   */
  private async open(offsetReset: 'earliest' | 'latest'): Promise<void> {
    const { options } = this;
    const fetch = options.fetch ?? {};
    const consumer = new this.native.KafkaConsumer(
      {
        ...baseConfig(this.config, this.logger, options.clientIdSuffix),
        'group.id': options.groupId,
        ...groupProtocolConfig(this.config, options),
        'enable.auto.commit': false,
        'enable.auto.offset.store': false,
        // Tells where a partition ends past records consumers never see (transaction markers).
        'enable.partition.eof': true,
        ...(fetch.maxWaitMs !== undefined && { 'fetch.wait.max.ms': fetch.maxWaitMs }),
        ...(fetch.maxBytesPerPartition !== undefined && { 'max.partition.fetch.bytes': fetch.maxBytesPerPartition }),
        // The prefetch queue holds two fetches' worth: it bounds memory as fetch.maxBytes does on kafkajs.
        ...(fetch.maxBytes !== undefined && {
          'fetch.max.bytes': fetch.maxBytes,
          'queued.max.messages.kbytes': Math.ceil((2 * fetch.maxBytes) / 1024),
        }),
        // With a queue that small, the default 1 s pause of a partition's fetches once it is full left the pipeline idle.
        'fetch.queue.backoff.ms': 10,
        rebalance_cb: (err: NativeError, assignment: NativeTopicPartition[]) => this.onRebalance(err, assignment),
        // The broker's answer to each commit: commitCb() only says that it was queued.
        offset_commit_cb: (err: NativeError | undefined, offsets: NativeTopicPartition[]) => this.commitResults.answered(err, offsets),
      },
      { 'auto.offset.reset': offsetReset },
    );
    bridgeLogs(consumer, this.logger, this.config, options.quiet);
    consumer.on('partition.eof', ({ topic, partition, offset }) => {
      if (topic === this.topic) this.ends.set(partition, offset);
    });
    this.consumer = consumer;
    this.offsetReset = offsetReset;
    this.disconnect = await connectNative(consumer, this.config.brokers.length, connectTimeoutMs(this.config));
  }

  async run(topic: string, options: GroupConsumerRun): Promise<void> {
    await this.connect();
    const offsetReset = options.fromBeginning ? 'earliest' : 'latest';
    if (offsetReset !== this.offsetReset) {
      await this.disconnect?.();
      this.connecting = this.open(offsetReset);
      await this.connecting;
    }
    const consumer = this.client;
    this.topic = topic;
    this.run_ = options;
    this.running = true;
    consumer.setDefaultConsumeTimeout(this.options.fetch?.maxWaitMs ?? DEFAULT_WAIT_MS);
    // Wait for the first message only; take whatever else is queued without waiting for more.
    consumer.setDefaultIsTimeoutOnlyForFirstMessage(true);
    consumer.subscribe([topic]);
    this.loop = this.consumeLoop(consumer).catch((err: unknown) => {
      this.running = false;
      if (options.onFatal) options.onFatal(err);
      else this.logger.error({ err: { message: (err as Error).message } }, `consumer of group ${this.groupId} stopped`);
    });
  }

  private async consumeLoop(consumer: NativeConsumer): Promise<void> {
    while (this.running) {
      let messages: NativeMessage[];
      try {
        const started = performance.now();
        messages = await consumeOnce(consumer, this.consumeSize.current);
        this.consumeSize.observe(messages.length, performance.now() - started);
      } catch (err) {
        // A group that refuses this member's assignor refuses it at every retry: say so and stop, so a rolling upgrade halts here.
        if ((err as NativeError).isFatal || isInconsistentGroupProtocol(err)) throw err;
        if (!this.running) break;
        this.logger.warn({ err: { code: (err as NativeError).code, message: (err as Error).message } }, 'consume failed; trying again');
        await delay(RETRY_AFTER_FAILURE_MS);
        continue;
      }
      if (!this.running) break;
      const batches = await this.split(consumer, messages);
      if (batches.length > 0) await this.handAll(batches);
    }
  }

  /** One batch per owned, unpaused partition; plus an empty one where the end moved past hidden records. */
  private async split(consumer: NativeConsumer, messages: NativeMessage[]): Promise<PendingBatch[]> {
    const byPartition = new Map<number, NativeMessage[]>();
    for (const m of messages) {
      if (m.topic !== this.topic) continue;
      const list = byPartition.get(m.partition);
      if (list) list.push(m);
      else byPartition.set(m.partition, [m]);
    }
    for (const [partition, end] of this.ends) {
      const handed = this.handedTo.get(partition);
      if (!byPartition.has(partition) && (handed === undefined || end > handed)) byPartition.set(partition, []);
    }
    const out: PendingBatch[] = [];
    for (const [partition, list] of byPartition) {
      const ownership = this.owned.get(partition);
      if (!ownership) continue; // revoked meanwhile: the new owner reads these
      if (this.isPaused(partition)) {
        // Fetched before the pause took effect: read again on resume.
        if (list.length > 0) await this.seekNow(consumer, partition, list[0]!.offset);
        continue;
      }
      const records = list.map(toRecord);
      const afterLast = records.length > 0 ? records[records.length - 1]!.offset + 1 : -1;
      const end = this.ends.get(partition) ?? -1;
      this.ends.delete(partition);
      out.push({
        ownership,
        batch: {
          topic: this.topic,
          partition,
          records,
          nextOffset: Math.max(afterLast, end),
          highWatermark: this.highWatermark(consumer, partition),
        },
      });
    }
    return out.filter((b) => b.batch.records.length > 0 || b.batch.nextOffset >= 0);
  }

  private highWatermark(consumer: NativeConsumer, partition: number): number {
    try {
      const high = consumer.getWatermarkOffsets(this.topic, partition).highOffset;
      return high >= 0 ? high : -1;
    } catch {
      return -1;
    }
  }

  /** Hands the batches over, `concurrency` partitions at a time, and waits for all before the next consume. */
  private async handAll(batches: PendingBatch[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < batches.length) await this.handOne(batches[next++]!);
    };
    const workers = Math.max(1, Math.min(this.run_?.concurrency ?? 1, batches.length));
    await Promise.all(Array.from({ length: workers }, worker));
  }

  private async handOne({ batch, ownership }: PendingBatch): Promise<void> {
    const consumer = this.client;
    const { partition, records } = batch;
    const first = records[0]?.offset;
    if (ownership.stale) return;
    if (this.isPaused(partition)) {
      if (first !== undefined) await this.seekNow(consumer, partition, first);
      return;
    }
    const control: BatchControl = { heartbeat: () => this.heartbeat(), isRunning: () => this.running, isStale: () => ownership.stale };
    let last: number | undefined;
    try {
      last = await this.run_!.eachBatch(batch, control);
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message }, partition }, 'handling a batch failed; reading it again');
      last = undefined;
      await delay(RETRY_AFTER_FAILURE_MS);
    }
    if (ownership.stale || first === undefined) {
      if (!ownership.stale) this.handedTo.set(partition, batch.nextOffset);
      return;
    }
    if (last !== undefined && last >= records[records.length - 1]!.offset) {
      this.handedTo.set(partition, batch.nextOffset);
      return;
    }
    // Not all of it was handled: librdkafka has fetched on, so go back to the first record not handled.
    const from = last === undefined ? first : last + 1;
    this.handedTo.set(partition, from);
    await this.seekNow(consumer, partition, from);
  }

  /**
   * A handler that waits (a full sink, a registry outage) calls heartbeat().
   * librdkafka heartbeats by itself, but serves rebalances, and restarts its
   * max.poll.interval.ms clock, only inside consume(), which the loop does
   * not call until the batches in hand return: without this, one waiting
   * batch would hold up every rebalance of the group. So it calls consume()
   * here, with the owned partitions paused so nothing is fetched meanwhile;
   * pausing drops what was prefetched, which is fetched again on resume
   * (only on this slow path). Concurrent calls share one.
   */
  private heartbeat(): Promise<void> {
    this.serving ??= this.serveGroup().finally(() => (this.serving = undefined));
    return this.serving;
  }

  private async serveGroup(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer || !this.running) return;
    const held = this.owning(this.owned.keys());
    if (held.length > 0) consumer.pause(held);
    let messages: NativeMessage[] = [];
    try {
      messages = await consumeOnce(consumer, this.consumeSize.current);
    } catch (err) {
      this.logger.debug({ err: { message: (err as Error).message } }, 'consume while waiting failed');
    }
    // Whatever came anyway (partitions assigned meanwhile) is read again by the loop.
    const firsts = new Map<number, number>();
    for (const m of messages) if (m.topic === this.topic && !firsts.has(m.partition)) firsts.set(m.partition, m.offset);
    for (const [partition, offset] of firsts) if (this.owned.has(partition)) await this.seekNow(consumer, partition, offset);
    const resume = this.owning(held.map((tp) => tp.partition)).filter((tp) => !this.isPaused(tp.partition));
    if (resume.length > 0) consumer.resume(resume);
  }

  /**
   * Moves a partition's position and waits until librdkafka took it: the
   * next consume() must not return what was fetched from the old position.
   */
  private seekNow(consumer: NativeConsumer, partition: number, offset: number): Promise<void> {
    return new Promise((resolve) => {
      consumer.seek({ topic: this.topic, partition, offset }, 0, (err) => {
        if (err) this.logger.debug({ partition, offset, err: { message: err.message } }, 'seek failed (partition no longer assigned?)');
        resolve();
      });
    });
  }

  private onRebalance(err: NativeError, assignment: NativeTopicPartition[]): void {
    const consumer = this.consumer;
    if (!consumer) return;
    const mine: TopicPartition[] = assignment.filter((tp) => tp.topic === this.topic).map(({ topic, partition }) => ({ topic, partition }));
    try {
      const cooperative = consumer.rebalanceProtocol() === 'COOPERATIVE';
      if (err.code === ERR_ASSIGN_PARTITIONS) {
        this.assigned(consumer, assignment, mine, cooperative);
      } else if (err.code === ERR_REVOKE_PARTITIONS) {
        this.revoked(consumer, assignment, mine, cooperative);
      } else {
        this.logger.error({ err: { code: err.code, message: err.message } }, `rebalance of group ${this.groupId} failed`);
        consumer.unassign();
      }
    } catch (e) {
      this.logger.warn({ err: { message: (e as Error).message } }, `handling a rebalance of group ${this.groupId} failed`);
    }
  }

  private assigned(consumer: NativeConsumer, assignment: NativeTopicPartition[], mine: TopicPartition[], cooperative: boolean): void {
    for (const { partition } of mine) {
      this.owned.set(partition, { stale: false });
      this.handedTo.delete(partition);
      this.ends.delete(partition);
    }
    this.assigning = true;
    try {
      this.run_?.onAssigned?.(mine);
    } catch (e) {
      this.logger.error({ err: { message: (e as Error).message } }, 'onAssigned failed');
    } finally {
      this.assigning = false;
    }
    const positioned = assignment.map(({ topic, partition }) => {
      const offset = topic === this.topic ? this.pendingSeeks.get(partition) : undefined;
      return offset === undefined ? { topic, partition } : { topic, partition, offset };
    });
    this.pendingSeeks.clear();
    if (cooperative) consumer.incrementalAssign(positioned);
    else consumer.assign(positioned);
    const toPause = mine.filter((tp) => this.isPaused(tp.partition));
    if (toPause.length > 0) consumer.pause(toPause);
    this.logger.debug({ partitions: mine.map((p) => p.partition), cooperative }, `group ${this.groupId}: assigned`);
  }

  private revoked(consumer: NativeConsumer, assignment: NativeTopicPartition[], mine: TopicPartition[], cooperative: boolean): void {
    for (const { partition } of mine) {
      const ownership = this.owned.get(partition);
      if (ownership) ownership.stale = true;
      this.owned.delete(partition);
      this.handedTo.delete(partition);
      this.ends.delete(partition);
    }
    if (consumer.assignmentLost())
      this.logger.warn({ partitions: mine.map((p) => p.partition) }, `group ${this.groupId}: assignment lost (session timed out?)`);
    try {
      this.run_?.onRevoked?.(mine);
    } catch (e) {
      this.logger.error({ err: { message: (e as Error).message } }, 'onRevoked failed');
    }
    if (cooperative) consumer.incrementalUnassign(assignment);
    else consumer.unassign();
  }

  private isPaused(partition: number): boolean {
    return this.pausedAll || this.paused.has(partition);
  }

  private owning(partitions: Iterable<number>): NativeTopicPartition[] {
    return [...partitions].filter((p) => this.owned.has(p)).map((partition) => ({ topic: this.topic, partition }));
  }

  pause(topic: string, partitions?: readonly number[]): void {
    if (topic !== this.topic && this.topic !== '') return;
    if (partitions === undefined) this.pausedAll = true;
    else for (const p of partitions) this.paused.add(p);
    // Inside onAssigned librdkafka does not have the partitions yet: assigned() pauses them after assigning.
    if (this.assigning || !this.consumer) return;
    const targets = this.owning(partitions ?? this.owned.keys());
    if (targets.length > 0) this.consumer.pause(targets);
  }

  resume(topic: string, partitions?: readonly number[]): void {
    if (topic !== this.topic && this.topic !== '') return;
    if (partitions === undefined) {
      this.pausedAll = false;
      this.paused.clear();
    } else {
      for (const p of partitions) this.paused.delete(p);
    }
    if (this.assigning || !this.consumer) return;
    const targets = this.owning(partitions ?? this.owned.keys());
    if (targets.length > 0) this.consumer.resume(targets);
  }

  seek({ partition, offset }: TopicPartitionOffset): void {
    if (this.assigning || !this.consumer || !this.owned.has(partition)) {
      this.pendingSeeks.set(partition, offset);
      return;
    }
    this.handedTo.set(partition, offset);
    void this.seekNow(this.consumer, partition, offset);
  }

  /** Resolves once the broker accepted the offsets (served by the consume loop), not when they were queued. */
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return Promise.resolve();
    const consumer = this.client;
    const list = offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset }));
    const answer = this.commitResults.expect(list);
    consumer.commitCb(list, (err) => {
      if (err) this.commitResults.failed(list, err);
    });
    return answer;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.running = false;
    await this.connecting?.catch(() => undefined);
    await this.loop;
    const disconnect = this.disconnect;
    this.disconnect = undefined;
    // Leaving the group revokes what this member owns (onRevoked), then closes the connections.
    if (disconnect) await disconnect();
    this.commitResults.abandon(new Error(`consumer of group ${this.groupId} closed before the broker answered an offset commit`));
  }
}
