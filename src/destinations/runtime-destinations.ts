import type { AdminRouteHandler } from '../admin/index.js';
import type { Config, SinkConfig } from '../config/index.js';
import { buildVocabulary } from '../filter/index.js';
import type { KafkaEngine, NewTopic, RecordWriter } from '../kafka/index.js';
import type { Logger } from '../observability/logger.js';
import type { EventRouter, Route } from '../route/event-router.js';
import type { SinkRunner } from '../sinks/runner.js';
import { destinationsApi } from './api.js';
import { destinationAuditTrail } from './audit-trail.js';
import { DestinationRoutes } from './destination-routes.js';
import { DestinationStore } from './store.js';

interface RuntimeDestinationsOptions {
  config: Config;
  engine: KafkaEngine;
  /** The router's writer: the store writes destinations and the audit trail its events with it. */
  writer: RecordWriter;
  router: EventRouter<SinkRunner>;
  /** Builds a sink's route as the config-file sinks' routes were built. */
  build: (config: SinkConfig) => Promise<Route<SinkRunner>>;
  logger: Logger;
  /** True while the router starts: the clients' own errors are then logged at debug. */
  quiet: () => boolean;
}

/**
 * Webhook destinations added at runtime (admin.api): the API's route handler,
 * which answers 503 until load() has read the destinations topic, the store
 * that follows that topic, and the routes kept equal to the config-file sinks
 * plus every active destination.
 */
export class RuntimeDestinations {
  readonly api: AdminRouteHandler;
  /** The compacted topic the destinations live in, one per consumer group. */
  readonly topic: string;
  private parts: { store: DestinationStore; routes: DestinationRoutes } | undefined;
  /** The API sees the store only once it is loaded: until then it answers 503. */
  private loaded = false;

  constructor(private readonly options: RuntimeDestinationsOptions) {
    const { config, writer, logger } = options;
    const api = config.admin!.api!;
    this.topic = `${config.source.groupId}.destinations`;
    this.api = destinationsApi({
      store: () => (this.loaded ? this.parts?.store : undefined),
      tokens: api.tokens,
      vocabulary: buildVocabulary(config.vocabulary),
      reservedNames: new Set(config.sinks.map((s) => s.name)),
      allowPrivateNetworks: api.allowPrivateNetworks,
      maxDestinations: api.maxDestinations,
      audit: destinationAuditTrail(writer, config.source.topic),
      logger,
    });
  }

  /** The topic as the router creates it when missing. */
  get topicSpec(): NewTopic {
    return DestinationStore.topicSpec(this.topic);
  }

  /**
   * Reads the destinations topic to its end before consuming starts, so a
   * destination created before a restart receives events from the first batch.
   */
  async load(configRoutes: readonly Route<SinkRunner>[]): Promise<void> {
    const { config, engine, writer, router, build, logger, quiet } = this.options;
    const store = new DestinationStore(engine, writer, this.topic, logger, quiet);
    // The API checked the URL when it was stored; the sink checks every connection, since DNS answers change.
    const blockPrivateNetworks = !config.admin?.api?.allowPrivateNetworks;
    const buildChecked = (c: SinkConfig) => build(c.type === 'webhook' && blockPrivateNetworks ? { ...c, blockPrivateNetworks } : c);
    const routes = new DestinationRoutes(router, configRoutes, buildChecked, buildVocabulary(config.vocabulary), logger);
    store.on('change', (all) => void routes.reconcile(all));
    await store.start();
    this.parts = { store, routes };
    await routes.reconcile(store.all);
    this.loaded = true;
  }

  /** Stops following the topic, then closes every destination route, retiring ones included. */
  async close(): Promise<void> {
    await this.parts?.store.stop().catch(() => undefined);
    // After the store stopped (no new changes): waits for one being applied, and closes retiring destinations too.
    await this.parts?.routes.close();
  }
}
