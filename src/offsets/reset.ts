import type { Admin } from 'kafkajs';
import { AuditRouterError } from '../errors/index.js';

/** States in which no consumer holds the group: its offsets are safe to move. */
const INACTIVE = new Set(['Empty', 'Dead']);

/**
 * Refuses while routers run in the group: they would keep reading from
 * their own positions and commit over the reset.
 */
export async function assertGroupInactive(admin: Admin, groupId: string): Promise<void> {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups.find((g) => g.groupId === groupId);
  if (!group || INACTIVE.has(group.state)) return;
  throw active(groupId, `${group.members.length} member(s), state ${group.state}`);
}

/**
 * Commits the offsets for the group, and reads them back until they took.
 * kafkajs's setOffsets joins the group with a short-lived consumer that
 * commits its seeks as it stops on its first fetch; under load that can end
 * before the seeks were applied, and it still resolves. It also checks that
 * the group is empty, which closes the race with a router starting between
 * the check above and this call.
 */
export async function setGroupOffsets(admin: Admin, groupId: string, topic: string, offsets: ReadonlyMap<number, number>): Promise<void> {
  const wanted = [...offsets].map(([partition, offset]) => ({ partition, offset: String(offset) }));
  for (let attempt = 1; attempt <= 5; attempt++) {
    try {
      await admin.setOffsets({ groupId, topic, partitions: wanted });
    } catch (err) {
      const message = (err as Error).message ?? '';
      if (/no running instances/.test(message)) throw active(groupId, message.replace(/^.*current state: /, 'state '));
      throw err;
    }
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const now = new Map((committed?.partitions ?? []).map((p) => [p.partition, p.offset]));
    if (wanted.every((w) => now.get(w.partition) === w.offset)) return;
  }
  throw new AuditRouterError('AR_ERR_KAFKA', `offsets of group ${groupId} did not take after 5 attempts; run the command again`);
}

function active(groupId: string, detail: string): AuditRouterError {
  return new AuditRouterError('AR_ERR_GROUP_ACTIVE', `consumer group ${groupId} is in use (${detail}); stop every audit-router in the group, then reset its offsets`);
}
