import type { Admin, Kafka } from 'kafkajs';
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
 * Commits the offsets for the group as a member of it: join with auto-commit
 * off, pause every partition so nothing is fetched, commit exactly the given
 * offsets, leave. (kafkajs's admin.setOffsets commits whatever its consumer
 * resolved when it stops on its first fetch, which under load was not always
 * the seeks it was given.) Joining also closes the race with a router starting
 * between the check above and this call: kafkajs would then share the group.
 */
export async function setGroupOffsets(kafka: Kafka, admin: Admin, groupId: string, topic: string, offsets: ReadonlyMap<number, number>): Promise<void> {
  await commitAsMember(kafka, admin, groupId, topic, offsets);
  // Read back after leaving: a reset that did not take must not look like one that did.
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const now = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  if (![...offsets].every(([partition, offset]) => now.get(partition) === offset)) {
    throw new AuditRouterError('AR_ERR_KAFKA', `offsets of group ${groupId} did not take (a member joined meanwhile?); run the command again`);
  }
}

async function commitAsMember(kafka: Kafka, admin: Admin, groupId: string, topic: string, offsets: ReadonlyMap<number, number>): Promise<void> {
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    const joined = new Promise<string[]>((resolve) =>
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        consumer.pause([{ topic }]);
        resolve(Object.keys(payload.memberAssignment));
      }),
    );
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    await joined;
    const { groups } = await admin.describeGroups([groupId]);
    const members = groups.find((g) => g.groupId === groupId)?.members.length ?? 0;
    if (members > 1) throw active(groupId, `${members} member(s) joined while resetting`);
    await consumer.commitOffsets([...offsets].map(([partition, offset]) => ({ topic, partition, offset: String(offset) })));
  } finally {
    await consumer.disconnect();
  }
}

function active(groupId: string, detail: string): AuditRouterError {
  return new AuditRouterError('AR_ERR_GROUP_ACTIVE', `consumer group ${groupId} is in use (${detail}); stop every audit-router in the group, then reset its offsets`);
}
