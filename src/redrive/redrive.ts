import type { Config } from '../config/index.js';
import { DeadLetterWriter } from '../deadletter/dead-letter-writer.js';
import { DLQ_HEADERS } from '../deadletter/headers.js';
import { AuditRouterError } from '../errors/index.js';
import { canonicalJson, validateAuditEvent } from '../event/index.js';
import { createKafkaEngine, describeKafkaError, headerText, type KafkaRecord } from '../kafka/index.js';
import type { Logger } from '../observability/logger.js';
import { Metrics } from '../observability/metrics.js';
import { createSinkRoute } from '../sinks/sink-route.js';
import type { SinkRunner } from '../sinks/runner.js';
import type { OffsetSpec } from '../offsets/offset-spec.js';
import { topicWatermarks } from '../offsets/watermarks.js';
import { RangeReader } from '../replay/range-reader.js';
import { resolveReplayRanges } from '../replay/replay-range.js';

export interface RedriveOptions {
  /** Send every delivery failure to this sink instead of the one that failed it. */
  toSink?: string | undefined;
  /** Only records dead-lettered by this sink. */
  fromSink?: string | undefined;
  sinceMs?: number | undefined;
  logger: Logger;
}

export interface ListedRecord {
  partition: number;
  offset: string;
  code: string;
  message: string;
}

export interface RedriveReport {
  read: number;
  delivered: number;
  /** Failed again: parked anew at the end of the dead-letter topic, nothing lost. */
  failedAgain: number;
  /** Decode failures are listed, never re-sent: the bytes are not an event. */
  undecodable: ListedRecord[];
  /** Records whose sink is not in this config (and no --sink was given), or that are not redrivable. */
  skipped: ListedRecord[];
}

/**
 * Re-sends dead-lettered delivery failures through the same sink runners as
 * `run` (batching, retries, circuit breaker). Reads the dead-letter topic up
 * to its end at start (RangeReader, as replay does) with a throwaway group. Records stay in the topic:
 * receivers de-duplicate on the idempotency key, which is the same as before.
 */
export async function redrive(config: Config, options: RedriveOptions): Promise<RedriveReport> {
  const { logger } = options;
  const report: RedriveReport = { read: 0, delivered: 0, failedAgain: 0, undecodable: [], skipped: [] };
  if (options.toSink && !config.sinks.some((s) => s.name === options.toSink)) {
    throw new AuditRouterError('AR_ERR_USAGE', `--sink ${options.toSink}: no such sink in the config (have: ${config.sinks.map((s) => s.name).join(', ')})`);
  }
  const kafkaEngine = await createKafkaEngine(config.kafka, logger);
  // Quiet until connected: a failure to connect is reported once, as one line, by the CLI.
  let connected = false;
  const client = { clientIdSuffix: 'redrive', quiet: () => !connected };
  const writer = kafkaEngine.recordWriter(client);
  const shutdown = new AbortController();
  const metrics = new Metrics();
  const deadLetter = new DeadLetterWriter(writer, config.deadLetter.topic, metrics, logger, shutdown.signal);
  const runners = new Map<string, SinkRunner>();

  const runnerFor = async (name: string): Promise<SinkRunner | undefined> => {
    const existing = runners.get(name);
    if (existing) return existing;
    const sinkConfig = config.sinks.find((s) => s.name === name);
    if (!sinkConfig) return undefined;
    const route = await createSinkRoute(sinkConfig, {
      config,
      kafkaEngine,
      logger,
      metrics,
      deadLetter: async (failure) => {
        report.failedAgain += failure.items.length;
        await deadLetter.parkUndeliverable(failure);
      },
    });
    runners.set(name, route.target);
    return route.target;
  };

  const handle = async (partition: number, message: KafkaRecord): Promise<boolean> => {
    report.read++;
    const listed = { partition, offset: String(message.offset), code: headerText(message.headers, DLQ_HEADERS.code) ?? '?', message: headerText(message.headers, DLQ_HEADERS.message) ?? '' };
    const stage = headerText(message.headers, DLQ_HEADERS.stage);
    const failedSink = headerText(message.headers, DLQ_HEADERS.sink);
    if (stage === 'decode') {
      report.undecodable.push(listed);
      return true;
    }
    if (options.fromSink && failedSink !== options.fromSink) return true;
    const runner = stage === 'deliver' ? await runnerFor(options.toSink ?? failedSink ?? '') : undefined;
    if (!runner || !message.value) {
      report.skipped.push({ ...listed, message: stage === 'deliver' ? `sink ${failedSink} is not in this config (use --sink)` : 'not an audit-router dead-letter record' });
      return true;
    }
    const event = validateAuditEvent(JSON.parse(message.value.toString('utf8')));
    const source = {
      topic: headerText(message.headers, DLQ_HEADERS.sourceTopic) ?? config.source.topic,
      partition: Number(headerText(message.headers, DLQ_HEADERS.sourcePartition) ?? partition),
      offset: headerText(message.headers, DLQ_HEADERS.sourceOffset) ?? String(message.offset),
    };
    const full = runner.offer(String(source.partition), { event, json: canonicalJson(event), key: message.key, source }, () => report.delivered++);
    if (full) await full;
    return true;
  };

  const admin = kafkaEngine.admin(client);
  // A group of its own, deleted afterwards: no live group's offsets move.
  const groupId = `${config.source.groupId}.redrive-${Date.now()}`;
  const consumer = kafkaEngine.groupConsumer({ groupId, fetch: { maxWaitMs: 200 }, ...client });
  try {
    await Promise.all([writer.connect(), admin.connect(), consumer.connect()]);
    connected = true;
    const topic = config.deadLetter.topic;
    const marks = await topicWatermarks(admin, topic);
    const from: OffsetSpec = options.sinceMs === undefined ? { kind: 'earliest' } : { kind: 'time', ms: options.sinceMs };
    const ranges = await resolveReplayRanges(admin, topic, marks, { from });
    const reader = new RangeReader(consumer, topic, ranges, handle);
    await reader.start(1);
    await reader.done;
    const budget = Math.max(10_000, ...config.sinks.map((s) => s.retry.maxElapsedMs + 10_000));
    await Promise.all([...runners.values()].map((r) => r.drain(budget)));
    report.delivered -= report.failedAgain;
    return report;
  } catch (err) {
    throw describeKafkaError(err, config.kafka);
  } finally {
    await Promise.allSettled([...runners.values()].map((r) => r.close()));
    shutdown.abort();
    await consumer.close().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await Promise.allSettled([writer.close(), admin.close()]);
  }
}
