/**
 * 2,000 events/s for 30 s (10 s with --quick) into scenario c's sinks, per engine; latency from produce time to arrival.
 * Beside it, two figures that say where the time goes: the same kind of reader on the input topic (one Kafka hop, no
 * router: the floor of this measurement on this machine), and the output records' CreateTime (the router's share, up
 * to its produce call).
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Consumer } from 'kafkajs';
import type { BenchContext } from './context.js';
import type { EngineName } from './engines.js';
import { benchEvent } from './events.js';
import { createTopics, until } from './kafka.js';
import { log, quick, run } from './options.js';
import type { LatencyResult, Percentiles } from './results.js';
import { routerConfig, startRouter, stopRouter } from './router.js';

const RATE = 2_000;
const WARM_UP = 200;

/** Reads a topic from its start and passes each event's sent_at and the record's timestamp (CreateTime) as they arrive. */
async function readSentAt(ctx: BenchContext, topic: string, groupId: string, seen: (sentAt: number, createTime: number) => void): Promise<Consumer> {
  const consumer = ctx.kafka.consumer({ groupId, maxWaitTimeInMs: 10 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const sent = (JSON.parse(message.value!.toString()).payload as { sent_at?: number }).sent_at;
      if (sent) seen(sent, Number(message.timestamp));
    },
  });
  return consumer;
}

function summary(xs: number[]): Percentiles {
  const s = [...xs].sort((a, b) => a - b);
  const pct = (p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
  return { p50: pct(50), p99: pct(99), max: s[s.length - 1] ?? 0, count: s.length };
}

export async function measureLatency(ctx: BenchContext, engine: EngineName): Promise<LatencyResult> {
  const seconds = quick ? 10 : 30;
  const topic = `bench-lat-in-${engine}-${run}`;
  const outTopic = `bench-lat-out-${engine}-${run}`;
  await createTopics(ctx.kafka, [topic, outTopic]);
  ctx.receiver.latencies = [];
  ctx.receiver.events = 0;
  const sinks = [
    { name: 'flags', type: 'topic', events: ['*:*'], topic: outTopic },
    { name: 'archive', type: 'log', events: ['*:*'], file: join(tmpdir(), `bench-lat-${engine}-${run}.log`) },
    { name: 'siem', type: 'webhook', events: ['*:*'], url: ctx.receiver.url, batch: { maxEvents: 500, maxWaitMs: 50 } },
  ];
  // A fresh topic read from its start: no event can fall between the group join and an offset reset to latest.
  const config = routerConfig(engine, topic, sinks);
  const child = startRouter(config, `latency-${engine}`);
  const topicLatencies: number[] = [];
  const routerShare: number[] = [];
  const inputHop: number[] = [];
  const readers: Consumer[] = [];
  const producer = ctx.kafka.producer();
  try {
    readers.push(
      await readSentAt(ctx, outTopic, `bench-lat-reader-${engine}-${run}`, (sent, created) => {
        topicLatencies.push(Date.now() - sent);
        routerShare.push(created - sent);
      }),
      await readSentAt(ctx, topic, `bench-lat-input-reader-${engine}-${run}`, (sent) => inputHop.push(Date.now() - sent)),
    );
    await producer.connect();
    // Warm-up events (no sent_at, so not counted) until the webhook has them all: the router is then joined,
    // fetching and delivering end to end, and start-up is not measured as latency.
    await producer.send({ topic, messages: Array.from({ length: WARM_UP }, (_, i) => ({ value: JSON.stringify(benchEvent(i)) })) });
    await until(() => ctx.receiver.events >= WARM_UP, 120_000, `the ${engine} router delivering its warm-up events`);
    const total = RATE * seconds;
    const t0 = Date.now();
    for (let sent = 0; sent < total; ) {
      const due = Math.min(total, Math.floor(((Date.now() - t0) / 1000) * RATE));
      const messages = [];
      for (; sent < due; sent++) messages.push({ value: JSON.stringify(benchEvent(sent, Date.now())) });
      if (messages.length > 0) await producer.send({ topic, messages, acks: 1 });
      await new Promise((r) => setTimeout(r, 10)); // pacing the load, not waiting for a condition
    }
    await until(() => ctx.receiver.latencies.length >= total && topicLatencies.length >= total, 60_000, `latency events (${engine})`).catch((err: Error) => {
      throw new Error(`${err.message}: ${ctx.receiver.latencies.length} of ${total} at the webhook, ${topicLatencies.length} in the output topic`);
    });
  } finally {
    await Promise.allSettled([producer.disconnect(), ...readers.map((r) => r.disconnect())]);
    await stopRouter(child);
  }
  const hop = summary(inputHop);
  const share = summary(routerShare);
  const result: LatencyResult = {
    engine,
    ratePerSecond: RATE,
    seconds,
    outputTopic: summary(topicLatencies),
    webhook: summary(ctx.receiver.latencies),
    inputHop: hop,
    routerShare: share,
  };
  log(
    `latency at ${RATE}/s [${engine}]: topic p50 ${result.outputTopic.p50} ms p99 ${result.outputTopic.p99} ms; webhook p50 ${result.webhook.p50} ms p99 ${result.webhook.p99} ms; ` +
      `one hop, no router: p99 ${hop.p99} ms; router's share: p99 ${share.p99} ms`,
  );
  return result;
}
