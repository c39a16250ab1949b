import type { SinkConfig } from '../config/index.js';
import type { Vocabulary } from '../filter/index.js';
import type { Logger } from '../observability/logger.js';
import type { EventRouter, Route } from '../route/event-router.js';
import type { SinkRunner } from '../sinks/runner.js';
import { validateDestination, type StoredDestination } from './model.js';

interface Running {
  version: string;
  route: Route<SinkRunner>;
}

/**
 * Keeps the router's routes equal to the config-file sinks plus every active
 * destination. Changes are applied one at a time, in the order they arrive.
 *
 * A removed or replaced destination stops receiving new events at once, but
 * its runner is not closed until it has delivered (or dead-lettered) what it
 * holds: closing it early would leave events unacknowledged and hold back
 * their partitions' committed offsets.
 */
export class DestinationRoutes {
  private readonly running = new Map<string, Running>();
  /** Replaced routes still delivering what they hold; close() must close them too, or their retries outlive the router. */
  private readonly retiring = new Set<Route<SinkRunner>>();
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly router: EventRouter<SinkRunner>,
    private readonly configRoutes: readonly Route<SinkRunner>[],
    private readonly build: (config: SinkConfig) => Promise<Route<SinkRunner>>,
    private readonly vocabulary: Vocabulary,
    private readonly logger: Logger,
  ) {}

  reconcile(destinations: ReadonlyMap<string, StoredDestination>): Promise<void> {
    // A change read after close() would build a route nothing closes.
    if (this.closed) return this.queue;
    const snapshot = new Map(destinations);
    this.queue = this.queue.then(() => this.apply(snapshot)).catch((err) => this.logger.error({ err }, 'applying destinations failed'));
    return this.queue;
  }

  private async apply(destinations: ReadonlyMap<string, StoredDestination>): Promise<void> {
    const retired: Route<SinkRunner>[] = [];
    for (const [id, current] of this.running) {
      const wanted = destinations.get(id);
      if (!wanted || !wanted.active || wanted.updatedAt !== current.version) {
        this.running.delete(id);
        retired.push(current.route);
      }
    }
    for (const [id, destination] of destinations) {
      if (this.closed) break;
      if (!destination.active || this.running.has(id)) continue;
      const checked = validateDestination(
        { name: destination.name, active: destination.active, secretHeaders: destination.secretHeaders, sink: destination.sink },
        this.vocabulary,
      );
      if (!checked.ok) {
        this.logger.error({ id, issues: checked.issues }, `destination ${destination.name} is invalid and was not started`);
        continue;
      }
      this.running.set(id, { version: destination.updatedAt, route: await this.build(checked.config) });
    }
    this.router.setRoutes([...this.configRoutes, ...[...this.running.values()].map((r) => r.route)]);
    for (const route of retired) {
      this.retiring.add(route);
      void route.target
        .drain(7 * 24 * 3600_000)
        .then(() => route.target.close())
        .finally(() => this.retiring.delete(route));
    }
    if (retired.length > 0 || destinations.size > 0) {
      this.logger.info({ active: this.running.size, retired: retired.length }, `destinations applied: ${this.running.size} active`);
    }
  }

  /** Waits for a change in progress (a route being built now is closed too), then closes every route, retiring ones included. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    await Promise.allSettled([...[...this.running.values()].map((r) => r.route), ...this.retiring].map((route) => route.target.close()));
  }
}
