import { EventEmitter } from 'node:events';
import { startAdminServer, type AdminServer } from '../admin/index.js';
import type { Config, SinkConfig } from '../config/index.js';
import { DeadLetterWriter } from '../deadletter/dead-letter-writer.js';
import { Decoder } from '../decode/index.js';
import { RuntimeDestinations } from '../destinations/runtime-destinations.js';
import { AuditRouterError } from '../errors/index.js';
import { compileRules } from '../filter/index.js';
import {
  createKafkaEngine,
  createTopicsIfMissing,
  describeKafkaError,
  type GroupConsumer,
  type KafkaEngine,
  type RecordWriter,
} from '../kafka/index.js';
import type { Logger } from '../observability/logger.js';
import { Metrics } from '../observability/metrics.js';
import { EventRouter } from '../route/event-router.js';
import { isExactlyOnce } from '../sinks/registry.js';
import type { SinkRunner } from '../sinks/runner.js';
import { createSinkRoute } from '../sinks/sink-route.js';
import { ExactlyOnceWriter } from '../source/exactly-once.js';
import { inputConsumerOptions } from '../source/consumer-options.js';
import { KafkaSource } from '../source/kafka-source.js';

interface RouterAppOptions {
  logger: Logger;
  metrics?: Metrics;
  /** Called with the admin URL as soon as it listens (port 0 in tests). */
  onAdminListening?: (url: string) => void;
}

/** Everything a running router holds. start() builds it and, when a step fails, closes whatever it opened. */
interface Parts {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  engine: KafkaEngine;
  consumer: GroupConsumer;
  writer: RecordWriter;
  router: EventRouter<SinkRunner>;
  /** Aborted on teardown: wakes the dead-letter writer's retries. */
  shutdown: AbortController;
  admin?: AdminServer | undefined;
  destinations?: RuntimeDestinations | undefined;
  transactions?: ExactlyOnceWriter | undefined;
  source?: KafkaSource | undefined;
  /** Set once stop() began. */
  stopping?: Promise<void> | undefined;
}

/**
 * One running router: the source, the sinks with their runners, the
 * dead-letter writer. `fatal` is emitted when the Kafka client gives up for
 * good; the CLI then exits non-zero.
 */
export class RouterApp extends EventEmitter<{ fatal: [AuditRouterError] }> {
  readonly config: Config;
  readonly metrics: Metrics;
  readonly router: EventRouter<SinkRunner>;
  /** The Kafka client in use (name and version are logged at start). */
  readonly kafkaEngine: KafkaEngine;

  /** Built in one step, from parts that are all started. */
  private constructor(private readonly parts: Parts) {
    super();
    this.config = parts.config;
    this.metrics = parts.metrics;
    this.router = parts.router;
    this.kafkaEngine = parts.engine;
  }

  static async start(config: Config, options: RouterAppOptions): Promise<RouterApp> {
    const { logger, metrics = new Metrics({ defaultMetrics: true }) } = options;
    const engine = await createKafkaEngine(config.kafka, logger);
    metrics.info.set({ engine: engine.name, version: engine.version }, 1);
    // Until it runs, a failure is reported once by the caller; the client's own retries would repeat it on stderr.
    let starting = true;
    const quiet = () => starting;
    const writer = engine.recordWriter({ quiet, allowAutoTopicCreation: true });
    const consumer = engine.groupConsumer({ ...inputConsumerOptions(config.source, config.source.groupId), quiet });
    const shutdown = new AbortController();
    const exactlyOnce = isExactlyOnce(config.sinks);
    const deadLetter = new DeadLetterWriter(writer, config.deadLetter.topic, metrics, logger, shutdown.signal);
    const router = new EventRouter<SinkRunner>(compileRules(config.events), []);
    const build = (sink: SinkConfig) =>
      createSinkRoute(sink, {
        kafka: config.kafka,
        schemaRegistry: config.schemaRegistry,
        kafkaEngine: engine,
        logger,
        metrics,
        deadLetter: (failure) => deadLetter.parkUndeliverable(failure),
      });
    const parts: Parts = { config, logger, metrics, engine, consumer, writer, router, shutdown };
    // The source may give up before start() returns the app; the app reports what comes after.
    const started: { app?: RouterApp } = {};
    try {
      if (config.admin?.api) parts.destinations = new RuntimeDestinations({ config, engine, writer, router, build, logger, quiet });
      // First, so /healthz answers and /readyz says "not ready" while we connect and join.
      if (config.admin) {
        parts.admin = await startAdminServer({
          listen: config.admin.listen,
          metrics,
          logger,
          isReady: () => readiness(parts),
          routes: parts.destinations?.api,
        });
        logger.info(
          `admin listener on ${parts.admin.url} (/metrics, /healthz, /readyz${parts.destinations ? ', /api/v1/destinations' : ''})`,
        );
        options.onAdminListening?.(parts.admin.url);
      }
      // Exactly-once writes dead letters in its transactions and has no API: this writer would idle.
      if (!exactlyOnce) await writer.connect();
      await ensureTopics(parts, quiet);
      const routes = await Promise.all(config.sinks.map(build));
      router.setRoutes(routes);
      await parts.destinations?.load(routes);
      await consumer.connect();
      const decoder = new Decoder(config.source.format, config.source.maxMessageBytes, config.schemaRegistry);
      parts.transactions = exactlyOnce ? new ExactlyOnceWriter(engine, consumer, config.source.topic) : undefined;
      parts.source = new KafkaSource(consumer, config.source, decoder, router, deadLetter, metrics, logger, parts.transactions);
      // Inside the try: starting to consume can still fail (a client reconnects to subscribe), and then everything opened above must close.
      await parts.source.start((err) => started.app?.emit('fatal', describeKafkaError(err, config.kafka)));
    } catch (err) {
      await teardown(parts);
      throw describeKafkaError(err, config.kafka);
    }
    starting = false;
    const app = (started.app = new RouterApp(parts));
    // The engine is named here, not before connecting: a failed start prints its one error line and nothing else.
    const kafkaEngine = `${engine.name} ${engine.version}`;
    logger.info(
      { topic: config.source.topic, groupId: config.source.groupId, sinks: router.currentRoutes.map((r) => r.name), kafkaEngine },
      `audit-router running (Kafka engine: ${kafkaEngine})`,
    );
    return app;
  }

  /** True once the group is joined: the readiness probe. */
  get isReady(): boolean {
    return readiness(this.parts).ready;
  }

  /**
   * Graceful stop, bounded by shutdown.timeoutMs: stop fetching, let sinks
   * deliver what they hold, commit what settled, disconnect. Whatever was not
   * acknowledged by the deadline stays uncommitted and is read again on restart.
   */
  stop(): Promise<void> {
    this.parts.stopping ??= this.stopNow();
    return this.parts.stopping;
  }

  private async stopNow(): Promise<void> {
    const { config, logger, source, router } = this.parts;
    const deadline = Date.now() + config.shutdown.timeoutMs;
    const remaining = () => Math.max(0, deadline - Date.now());
    logger.info(`stopping: draining sinks (at most ${config.shutdown.timeoutMs} ms)`);
    await withTimeout(source?.pause(), remaining());
    const runners = router.currentRoutes.map((r) => r.target);
    const drained = await Promise.all(runners.map((r) => r.drain(remaining())));
    if (drained.includes(false)) logger.warn('shutdown deadline reached with events in flight; they will be read again on restart');
    await withTimeout(source?.stop(), remaining() + 5_000);
    await teardown(this.parts);
    logger.info('stopped');
  }
}

/** Ready = in the group with partitions assigned, and not shutting down. */
function readiness(parts: Parts): { ready: boolean; reasons: string[] } {
  const reasons: string[] = [];
  if (!parts.source?.isJoined) reasons.push(`not yet joined consumer group ${parts.config.source.groupId}`);
  if (parts.stopping) reasons.push('shutting down');
  return { ready: reasons.length === 0, reasons };
}

/** Closes whatever the parts hold, started or not: after stop(), and after a start that failed half-way. */
async function teardown(parts: Parts): Promise<void> {
  parts.shutdown.abort();
  await parts.destinations?.close();
  await parts.transactions?.close();
  await Promise.allSettled(parts.router.currentRoutes.map((r) => r.target.close()));
  await Promise.allSettled([parts.consumer.close(), parts.writer.close(), parts.admin?.close()]);
}

/** The dead-letter topic must exist before anything is parked, and the destinations topic before it is read. */
async function ensureTopics({ engine, config, destinations, logger }: Parts, quiet: () => boolean): Promise<void> {
  const admin = engine.admin({ quiet });
  try {
    await admin.connect();
    await createTopicsIfMissing(admin, [{ topic: config.deadLetter.topic }, ...(destinations ? [destinations.topicSpec] : [])], logger);
  } finally {
    await admin.close();
  }
}

async function withTimeout(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise?.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
