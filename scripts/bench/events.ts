/** The input every scenario reads: reference-shaped audit events, ~400 bytes as JSON. */
import type { AuditEvent } from '../../src/event/index.js';
import { run } from './options.js';

const NOUNS = ['flag', 'segment', 'variant', 'constraint', 'rule', 'distribution', 'namespace', 'rollout', 'token'];
const VERBS = ['created', 'updated', 'deleted'];
const NAMESPACES = ['default', 'production', 'staging', 'team-a', 'team-b'];

/** Nouns, verbs and namespaces mixed; `sentAt` (latency runs) rides in the payload so receivers can age it. */
export function benchEvent(i: number, sentAt?: number): AuditEvent {
  return {
    id: `bench-${run}-${i}`,
    version: '0.2',
    type: NOUNS[i % NOUNS.length]!,
    action: VERBS[Math.floor(i / NOUNS.length) % VERBS.length]!,
    status: i % 50 === 0 ? 'denied' : 'success',
    metadata: { actor: { authentication: 'oidc', email: `user${i % 1000}@example.com`, ip: `10.0.${i % 250}.${i % 200}`, name: `User ${i % 1000}` } },
    payload: { description: 'benchmark entity used to measure routing throughput', enabled: i % 2 === 0, key: `entity-${i}`, name: `Entity ${i}`, namespace_key: NAMESPACES[i % NAMESPACES.length], ...(sentAt ? { sent_at: sentAt } : {}) },
    timestamp: '2026-11-22T10:00:00Z',
  };
}

/** How many of the first n events a rule keeps: what a filtered sink must end up with. */
export function expectedCount(rule: (e: AuditEvent) => boolean, n: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (rule(benchEvent(i))) c++;
  return c;
}
