/**
 * node --import tsx scripts/rebalance-pause.ts [--brokers host:port] [--rounds N] [--protocols kafkajs,classic,consumer]
 *
 * How long a group's partitions go unconsumed while a member joins and while
 * one leaves, for each way the router can join its group: kafkajs (classic,
 * eager round-robin), librdkafka classic (cooperative-sticky) and librdkafka
 * consumer (KIP-848, Kafka 4 brokers). Classic members use the router's
 * defaults (source.sessionTimeoutMs 30 s, heartbeatIntervalMs 3 s); consumer
 * members get the broker's (group.consumer.heartbeat.interval.ms, 5 s by
 * default), as a user's would.
 *
 * A producer writes one record to each of 6 partitions every 20 ms. Member A
 * consumes alone, member B joins, then B leaves (a clean close). For each
 * phase the figure is the longest gap, over all partitions, between two
 * records of a partition being handed over for the first time; in steady
 * state that gap is a fetch or two. Prints a Markdown table for
 * docs/benchmarks.md ("Rebalance pause").
 */
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import type { KafkaConfig } from '../src/kafka/config.js';
import { createKafkaEngine, type GroupConsumer, type GroupProtocol } from '../src/kafka/index.js';
import { silentLogger } from '../src/observability/logger.js';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const brokers = (option('brokers') ?? process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`).split(',');
const rounds = Number(option('rounds') ?? 2);
const PARTITIONS = 6;
const PRODUCE_EVERY_MS = 20;
/** How long each phase is watched: long enough for a KIP-848 member to heartbeat (5 s) and reconcile twice. */
const PHASE_MS = 20_000;
const log = (line: string) => process.stderr.write(`[rebalance-pause] ${line}\n`);

interface Setup {
  id: string;
  label: string;
  engine: 'kafkajs' | 'librdkafka';
  protocol: GroupProtocol;
}
const SETUPS: Setup[] = [
  { id: 'kafkajs', label: 'kafkajs, classic (eager, round-robin)', engine: 'kafkajs', protocol: 'classic' },
  { id: 'classic', label: 'librdkafka, classic (cooperative-sticky)', engine: 'librdkafka', protocol: 'classic' },
  { id: 'consumer', label: 'librdkafka, consumer (KIP-848)', engine: 'librdkafka', protocol: 'consumer' },
];
const chosen = new Set((option('protocols') ?? SETUPS.map((s) => s.id).join(',')).split(','));

/** Per partition, when its newest offset was first handed over, and the longest gap since `from`. */
class Gaps {
  private readonly newest = new Map<number, number>();
  private readonly lastAt = new Map<number, number>();
  private longest = 0;
  private from = Infinity;

  seen(partition: number, offset: number): void {
    if (offset <= (this.newest.get(partition) ?? -1)) return; // read again after a move: not progress
    const now = Date.now();
    const last = this.lastAt.get(partition);
    if (last !== undefined && now >= this.from) this.longest = Math.max(this.longest, now - last);
    this.newest.set(partition, offset);
    this.lastAt.set(partition, now);
  }

  /** True once every partition was handed over within the last second: steady state. */
  flowing(): boolean {
    const now = Date.now();
    return this.lastAt.size === PARTITIONS && [...this.lastAt.values()].every((at) => now - at < 1_000);
  }

  /** Starts a phase: gaps that end from now on count, including ones that began just before. */
  start(): void {
    this.from = Date.now();
    this.longest = 0;
  }

  /** The phase's longest gap, counting partitions still waiting now. */
  stop(): number {
    const now = Date.now();
    for (const at of this.lastAt.values()) this.longest = Math.max(this.longest, now - at);
    return this.longest;
  }
}

/** A group member; `handed.n` counts the records it was handed, so a phase can tell that the member took part. */
async function member(setup: Setup, groupId: string, topic: string, gaps: Gaps, suffix: string, handed = { n: 0 }): Promise<GroupConsumer> {
  const config: KafkaConfig = {
    brokers,
    clientId: 'rebalance-pause',
    connectionTimeoutMs: 3_000,
    requestTimeoutMs: 30_000,
    engine: setup.engine,
  };
  const engine = await createKafkaEngine(config, silentLogger());
  const consumer = engine.groupConsumer({
    groupId,
    clientIdSuffix: suffix,
    groupProtocol: setup.protocol,
    sessionTimeoutMs: 30_000,
    heartbeatIntervalMs: 3_000,
    fetch: { maxWaitMs: 250 },
  });
  await consumer.connect();
  await consumer.run(topic, {
    fromBeginning: false,
    concurrency: PARTITIONS,
    eachBatch: async (batch) => {
      for (const r of batch.records) gaps.seen(batch.partition, r.offset);
      handed.n += batch.records.length;
      const last = batch.records.at(-1);
      if (last) await consumer.commit([{ topic, partition: batch.partition, offset: last.offset + 1 }]);
      return last?.offset;
    },
  });
  return consumer;
}

async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function measure(setup: Setup, kafka: Kafka, round: number): Promise<{ join: number; leave: number }> {
  const topic = `rebalance-pause-${setup.id}-${Date.now().toString(36)}`;
  const admin = kafka.admin();
  await admin.connect();
  // Not waitForLeaders: on a loaded machine its metadata polling gave up on a topic still being created;
  // the producer's own retries wait for the leaders instead.
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  let producing = true;
  const stream = (async () => {
    while (producing) {
      await producer.send({ topic, messages: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, value: 'x' })) });
      await new Promise((r) => setTimeout(r, PRODUCE_EVERY_MS));
    }
  })();
  const gaps = new Gaps();
  const groupId = `${topic}-group`;
  const a = await member(setup, groupId, topic, gaps, 'a');
  let b: GroupConsumer | undefined;
  try {
    await until('member A to read every partition', () => gaps.flowing());
    gaps.start();
    const handedToB = { n: 0 };
    b = await member(setup, groupId, topic, gaps, 'b', handedToB);
    await new Promise((r) => setTimeout(r, PHASE_MS));
    const join = gaps.stop();
    // A pause measured while B never got a partition would be no rebalance at all.
    if (handedToB.n === 0) throw new Error(`${setup.label}: member B was handed nothing in ${PHASE_MS} ms`);
    gaps.start();
    await b.close();
    b = undefined;
    await new Promise((r) => setTimeout(r, PHASE_MS));
    const leave = gaps.stop();
    log(`${setup.label}, round ${round}: join ${join} ms, leave ${leave} ms`);
    return { join, leave };
  } finally {
    producing = false;
    await stream;
    await Promise.all([a.close(), b?.close()]);
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

async function main(): Promise<void> {
  const kafka = new Kafka({ clientId: 'rebalance-pause', brokers, logLevel: logLevel.NOTHING });
  const rows: string[] = [];
  for (const setup of SETUPS.filter((s) => chosen.has(s.id))) {
    const results = [];
    for (let round = 1; round <= rounds; round++) results.push(await measure(setup, kafka, round));
    const fmt = (ms: number[]) => ms.map((v) => (v / 1000).toFixed(1)).join(' / ');
    rows.push(`| ${setup.label} | ${fmt(results.map((r) => r.join))} | ${fmt(results.map((r) => r.leave))} |`);
  }
  console.log(
    `| engine, group protocol | longest pause while a member joins (s, per round) | longest pause while a member leaves (s, per round) |`,
  );
  console.log('|---|---|---|');
  for (const row of rows) console.log(row);
}

main().catch((err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
