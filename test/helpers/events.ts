import { readFileSync } from 'node:fs';
import type { AuditEvent } from '../../src/event/index.js';

const fixtures = JSON.parse(readFileSync(new URL('../fixtures/reference-events.json', import.meta.url), 'utf8'));

/** The reference docs' example events, by name ("flipt-0.1", "flipt-0.2"). */
export const referenceEvents: Record<string, Record<string, unknown>> = Object.fromEntries(
  Object.entries(fixtures).filter(([k]) => !k.startsWith('_')),
) as Record<string, Record<string, unknown>>;

/** An event of the reference shape with the given noun, verb and overrides. */
export function makeEvent(overrides: Partial<AuditEvent> & { namespace?: string; key?: string } = {}): AuditEvent {
  const { namespace = 'default', key = 'flipt', ...rest } = overrides;
  return {
    id: null,
    version: '0.2',
    type: 'flag',
    action: 'created',
    status: 'success',
    metadata: { actor: { authentication: 'token', ip: '10.0.0.1', email: 'ops@example.com' } },
    payload: { description: 'a flag', enabled: true, key, name: key, namespace_key: namespace },
    timestamp: '2026-11-22T10:00:00Z',
    ...rest,
  };
}

/** n events with ids `${prefix}-0..n-1`, cycling through the given noun:verb pairs. */
export function makeEvents(n: number, prefix: string, pairs: string[] = ['flag:created']): AuditEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const [type, action] = pairs[i % pairs.length]!.split(':') as [string, string];
    return makeEvent({ id: `${prefix}-${i}`, type, action, key: `k${i}` });
  });
}
