import type { AuditEvent } from '../event/index.js';
import type { FilterDecision, RuleSet, SinkFilter } from '../filter/index.js';

/** A sink and the rules deciding which events reach it. */
export interface Route<T> {
  readonly name: string;
  readonly target: T;
  readonly filter: SinkFilter;
}

interface RouteExplanation extends FilterDecision {
  sink: string;
}

/**
 * Decides, per event, which sinks receive it: the global `events` rules
 * first, then each sink's own. Routes can be replaced at runtime (the
 * destinations API adds and removes webhook sinks without a restart).
 */
export class EventRouter<T> {
  private routes: readonly Route<T>[];

  constructor(
    private readonly global: RuleSet,
    routes: readonly Route<T>[],
  ) {
    this.routes = routes;
  }

  setRoutes(routes: readonly Route<T>[]): void {
    this.routes = routes;
  }

  get currentRoutes(): readonly Route<T>[] {
    return this.routes;
  }

  match(event: AuditEvent): Route<T>[] {
    if (!this.global.matches(event.type, event.action)) return [];
    const matched: Route<T>[] = [];
    for (const route of this.routes) if (route.filter.matches(event)) matched.push(route);
    return matched;
  }

  /** The same decision as match(), with the reason for every sink (test-route). */
  explain(event: AuditEvent): RouteExplanation[] {
    const pair = `${event.type}:${event.action}`;
    if (!this.global.matches(event.type, event.action)) {
      const reason = `${pair} matches none of the global events [${this.global.rules.join(', ')}]`;
      return this.routes.map((r) => ({ sink: r.name, matched: false, reason }));
    }
    return this.routes.map((r) => ({ sink: r.name, ...r.filter.explain(event) }));
  }
}
