import type { AuditEvent } from '../event/index.js';
import { globToRegExp } from './glob.js';
import { compileRules } from './rules.js';

interface SinkFilterSpec {
  events: readonly string[];
  exclude?: readonly string[] | undefined;
  namespaces?: readonly string[] | undefined;
  status?: readonly string[] | undefined;
}

/** Why an event does or does not reach a sink; test-route prints this. */
export interface FilterDecision {
  matched: boolean;
  reason: string;
}

export interface SinkFilter {
  matches(event: AuditEvent): boolean;
  explain(event: AuditEvent): FilterDecision;
}

function namespaceOf(event: AuditEvent): string | undefined {
  const payload = event.payload;
  if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) {
    const ns = (payload as Record<string, unknown>).namespace_key;
    if (typeof ns === 'string') return ns;
  }
  return undefined;
}

/**
 * A sink receives an event when an `events` rule allows it, no `exclude`
 * rule denies it (deny wins, as in LaunchDarkly policy statements), its
 * `payload.namespace_key` matches a `namespaces` glob (when given; an event
 * without a namespace then never matches) and its `status` is listed (when given).
 */
export function compileSinkFilter(spec: SinkFilterSpec): SinkFilter {
  const allow = compileRules(spec.events);
  const deny = spec.exclude && spec.exclude.length > 0 ? compileRules(spec.exclude) : undefined;
  const namespaces = spec.namespaces?.map(globToRegExp);
  const statuses = spec.status ? new Set(spec.status) : undefined;

  const explain = (event: AuditEvent): FilterDecision => {
    const pair = `${event.type}:${event.action}`;
    if (!allow.matches(event.type, event.action)) {
      return { matched: false, reason: `${pair} matches none of events [${spec.events.join(', ')}]` };
    }
    if (deny?.matches(event.type, event.action)) {
      return { matched: false, reason: `${pair} is denied by exclude [${spec.exclude!.join(', ')}]` };
    }
    if (namespaces) {
      const ns = namespaceOf(event);
      if (ns === undefined || !namespaces.some((re) => re.test(ns))) {
        return {
          matched: false,
          reason: `namespace ${ns === undefined ? '(none)' : JSON.stringify(ns)} matches none of [${spec.namespaces!.join(', ')}]`,
        };
      }
    }
    if (statuses && !statuses.has(event.status)) {
      return { matched: false, reason: `status "${event.status}" is not in [${spec.status!.join(', ')}]` };
    }
    return { matched: true, reason: `${pair} allowed by events [${spec.events.join(', ')}]` };
  };

  // The hot path: no strings built, no reasons.
  const matches = (event: AuditEvent): boolean => {
    if (!allow.matches(event.type, event.action)) return false;
    if (deny?.matches(event.type, event.action)) return false;
    if (namespaces) {
      const ns = namespaceOf(event);
      if (ns === undefined || !namespaces.some((re) => re.test(ns))) return false;
    }
    return !statuses || statuses.has(event.status);
  };

  return { matches, explain };
}
