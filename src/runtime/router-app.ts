import { EventEmitter } from 'node:events';
import { startAdminServer, type AdminServer } from '../admin/index.js';
import { destinationsApi } from '../admin/destinations-api.js';
import { destinationAuditTrail } from '../destinations/audit-trail.js';
import { DestinationRoutes } from '../destinations/destination-routes.js';
import { DestinationStore } from '../destinations/store.js';
import type { Config, SinkConfig } from '../config/index.js';
import { DeadLetterWriter } from '../deadletter/dead-letter-writer.js';
import { Decoder } from '../decode/index.js';
import { AuditRouterError } from '../errors/index.js';
import { buildVocabulary, compileRules } from '../filter/index.js';
import { createKafkaEngine, createTopicsIfMissing, describeKafkaError, type GroupConsumer, type KafkaEngine, type RecordWriter } from '../kafka/index.js';
import type { Logger } from '../observability/logger.js';
import { Metrics } from '../observability/metrics.js';
import { EventRouter, type Route } from '../route/event-router.js';
import { isExactlyOnce } from '../sinks/registry.js';
import { SinkRunner } from '../sinks/runner.js';
import { KafkaSource } from '../source/kafka-source.js';
import { ExactlyOnceWriter } from '../source/exactly-once.js';
import { inputConsumerOptions } from '../source/consumer-options.js';
import { createSinkRoute } from '../sinks/sink-route.js';

interface RouterAppOptions {
  logger: Logger;
  metrics?: Metrics;
  /** Called with the admin URL as soon as it listens (port 0 in tests). */
  onAdminListening?: (url: string) => void;
}

/**
 * One running router: the source, the sinks with their runners, the
 * dead-letter writer. `fatal` is emitted when the Kafka client gives up for
 * good; the CLI then exits non-zero.
 */
export class RouterApp extends EventEmitter<{ fatal: [AuditRouterError] }> {
  readonly metrics: Metrics;
  readonly router: EventRouter<SinkRunner>;
  private stopping: Promise<void> | undefined;
  private admin: AdminServer | undefined;
  private destinations: { store: DestinationStore; routes: DestinationRoutes } | undefined;
  private transactions: ExactlyOnceWriter | undefined;

  private constructor(
    readonly config: Config,
    private readonly logger: Logger,
    metrics: Metrics,
    /** The Kafka client in use (name and version are logged at start). */
    readonly kafkaEngine: KafkaEngine,
    /** True while starting: the clients' own errors are then logged at debug. */
    private readonly quiet: () => boolean,
    private readonly consumer: GroupConsumer,
    private readonly writer: RecordWriter,
    private readonly deadLetter: DeadLetterWriter,
    private readonly shutdown: AbortController,
    private source: KafkaSource | undefined,
  ) {
    super();
    this.metrics = metrics;
    this.router = new EventRouter<SinkRunner>(compileRules(config.events), []);
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
    const app = new RouterApp(config, logger, metrics, engine, quiet, consumer, writer, deadLetter, shutdown, undefined);
    try {
      // First, so /healthz answers and /readyz says "not ready" while we connect and join.
      if (config.admin) {
        const api = config.admin.api;
        const apiRoutes = api
          ? destinationsApi({
              store: () => app.destinations?.store,
              tokens: api.tokens,
              vocabulary: buildVocabulary(config.vocabulary),
              reservedNames: new Set(config.sinks.map((s) => s.name)),
              allowPrivateNetworks: api.allowPrivateNetworks,
              maxDestinations: api.maxDestinations,
              audit: destinationAuditTrail(writer, config.source.topic),
              logger,
            })
          : undefined;
        app.admin = await startAdminServer({ listen: config.admin.listen, metrics, logger, isReady: () => app.readiness(), routes: apiRoutes });
        logger.info(`admin listener on ${app.admin.url} (/metrics, /healthz, /readyz${api ? ', /api/v1/destinations' : ''})`);
        options.onAdminListening?.(app.admin.url);
      }
      // Exactly-once writes dead letters in its transactions and has no API: this writer would idle.
      if (!exactlyOnce) await writer.connect();
      await app.ensureTopics();
      const routes = await Promise.all(config.sinks.map((sink) => app.createRoute(sink)));
      app.router.setRoutes(routes);
      if (config.admin?.api) app.destinations = await app.loadDestinations(routes);
      await consumer.connect();
      const decoder = new Decoder(config.source.format, config.source.maxMessageBytes, config.schemaRegistry);
      app.transactions = exactlyOnce ? new ExactlyOnceWriter(engine, consumer, config.source.topic) : undefined;
      app.source = new KafkaSource(consumer, config.source, decoder, app.router, deadLetter, metrics, logger, app.transactions);
      // Inside the try: starting to consume can still fail (a client reconnects to subscribe), and then everything opened above must close.
      await app.source.start((err) => app.emit('fatal', describeKafkaError(err, config.kafka)));
    } catch (err) {
      await app.teardown();
      throw describeKafkaError(err, config.kafka);
    }
    starting = false;
    // The engine is named here, not before connecting: a failed start prints its one error line and nothing else.
    const kafkaEngine = `${engine.name} ${engine.version}`;
    logger.info({ topic: config.source.topic, groupId: config.source.groupId, sinks: app.router.currentRoutes.map((r) => r.name), kafkaEngine }, `audit-router running (Kafka engine: ${kafkaEngine})`);
    return app;
  }

  private get destinationsTopic(): string {
    return `${this.config.source.groupId}.destinations`;
  }

  /** True once the group is joined: the readiness probe. */
  get isReady(): boolean {
    return this.readiness().ready;
  }

  /** Ready = in the group with partitions assigned, and not shutting down. */
  readiness(): { ready: boolean; reasons: string[] } {
    const reasons: string[] = [];
    if (!this.source?.isJoined) reasons.push(`not yet joined consumer group ${this.config.source.groupId}`);
    if (this.stopping) reasons.push('shutting down');
    return { ready: reasons.length === 0, reasons };
  }

  /**
   * Reads the destinations topic to its end before consuming starts, so a
   * destination created before a restart receives events from the first batch.
   */
  private async loadDestinations(configRoutes: readonly Route<SinkRunner>[]) {
    const store = new DestinationStore(this.kafkaEngine, this.writer, this.destinationsTopic, this.logger, this.quiet);
    // The API checked the URL when it was stored; the sink checks every connection, since DNS answers change.
    const blockPrivateNetworks = !this.config.admin?.api?.allowPrivateNetworks;
    const build = (c: SinkConfig) => this.createRoute(c.type === 'webhook' && blockPrivateNetworks ? { ...c, blockPrivateNetworks } : c);
    const routes = new DestinationRoutes(this.router, configRoutes, build, buildVocabulary(this.config.vocabulary), this.logger);
    store.on('change', (all) => void routes.reconcile(all));
    await store.start();
    await routes.reconcile(store.all);
    return { store, routes };
  }

  /** Builds a sink and its runner from a validated sink config; the destinations API uses this too. */
  createRoute(config: SinkConfig): Promise<Route<SinkRunner>> {
    return createSinkRoute(config, {
      config: this.config,
      kafkaEngine: this.kafkaEngine,
      logger: this.logger,
      metrics: this.metrics,
      deadLetter: (failure) => this.deadLetter.parkUndeliverable(failure),
    });
  }

  /**
   * Graceful stop, bounded by shutdown.timeoutMs: stop fetching, let sinks
   * deliver what they hold, commit what settled, disconnect. Whatever was not
   * acknowledged by the deadline stays uncommitted and is read again on restart.
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopNow();
    return this.stopping;
  }

  private async stopNow(): Promise<void> {
    const deadline = Date.now() + this.config.shutdown.timeoutMs;
    const remaining = () => Math.max(0, deadline - Date.now());
    this.logger.info(`stopping: draining sinks (at most ${this.config.shutdown.timeoutMs} ms)`);
    await withTimeout(this.source?.pause(), remaining());
    const runners = this.router.currentRoutes.map((r) => r.target);
    const drained = await Promise.all(runners.map((r) => r.drain(remaining())));
    if (drained.includes(false)) this.logger.warn('shutdown deadline reached with events in flight; they will be read again on restart');
    await withTimeout(this.source?.stop(), remaining() + 5_000);
    await this.teardown();
    this.logger.info('stopped');
  }

  private async teardown(): Promise<void> {
    this.shutdown.abort();
    await this.destinations?.store.stop().catch(() => undefined);
    // After the store stopped (no new changes): waits for one being applied, and closes retiring destinations too.
    await this.destinations?.routes.close();
    await this.transactions?.close();
    await Promise.allSettled(this.router.currentRoutes.map((r) => r.target.close()));
    await Promise.allSettled([this.consumer.close(), this.writer.close(), this.admin?.close()]);
  }

  /** The dead-letter topic must exist before anything is parked, and the destinations topic before it is read. */
  private async ensureTopics(): Promise<void> {
    const admin = this.kafkaEngine.admin({ quiet: this.quiet });
    try {
      await admin.connect();
      const destinations = this.config.admin?.api ? [DestinationStore.topicSpec(this.destinationsTopic)] : [];
      await createTopicsIfMissing(admin, [{ topic: this.config.deadLetter.topic }, ...destinations], this.logger);
    } finally {
      await admin.close();
    }
  }

}

async function withTimeout(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise?.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
