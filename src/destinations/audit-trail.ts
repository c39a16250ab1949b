import { randomUUID } from 'node:crypto';
import type { RecordWriter } from '../kafka/index.js';
import type { AuditEvent } from '../event/index.js';

/**
 * The auditor is audited: every change to a destination becomes an audit
 * event (`destination:created|updated|deleted`, the token's name as actor,
 * secrets masked) in the input topic, routed like any other event.
 */
export function destinationAuditTrail(writer: RecordWriter, topic: string) {
  return async (
    change: 'created' | 'updated' | 'deleted',
    view: Record<string, unknown>,
    actor: { name: string; ip: string },
  ): Promise<void> => {
    const event: AuditEvent = {
      id: randomUUID(),
      version: '0.2',
      type: 'destination',
      action: change,
      status: 'success',
      metadata: { actor: { authentication: 'token', name: actor.name, ...(actor.ip ? { ip: actor.ip } : {}) } },
      payload: view,
      timestamp: new Date().toISOString(),
    };
    await writer.send([{ topic, records: [{ key: `destination/${String(view.id)}`, value: JSON.stringify(event) }] }]);
  };
}
