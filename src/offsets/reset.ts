import { AuditRouterError } from '../errors/index.js';
import type { KafkaAdmin, KafkaEngine } from '../kafka/index.js';

/** States in which no consumer holds the group: its offsets are safe to move. */
const INACTIVE = new Set(['Empty', 'Dead']);

/**
 * Refuses while routers run in the group: they would keep reading from
 * their own positions and commit over the reset.
 */
export async function assertGroupInactive(admin: KafkaAdmin, groupId: string): Promise<void> {
  const group = await admin.describeGroup(groupId);
  if (INACTIVE.has(group.state)) return;
  throw active(groupId, `${group.members.length} member(s), state ${group.state}`);
}

/**
 * Commits the offsets for the group as a member of it: join, pause every
 * partition so nothing is fetched, commit exactly the given offsets, leave.
 * (kafkajs's admin.setOffsets commits whatever its consumer resolved when it
 * stops on its first fetch, which under load was not always the seeks it was
 * given; librdkafka's admin has no such call.) Joining also closes the race
 * with a router starting between the check above and this call: it would
 * then share the group, and the member count below says so.
 */
export async function setGroupOffsets(
  engine: KafkaEngine,
  admin: KafkaAdmin,
  groupId: string,
  topic: string,
  offsets: ReadonlyMap<number, number>,
): Promise<void> {
  await commitAsMember(engine, admin, groupId, topic, offsets);
  // Read back after leaving: a reset that did not take must not look like one that did.
  const now = new Map((await admin.groupOffsets(groupId, topic)).map((p) => [p.partition, p.offset]));
  if (![...offsets].every(([partition, offset]) => now.get(partition) === offset)) {
    throw new AuditRouterError(
      'AR_ERR_KAFKA',
      `offsets of group ${groupId} did not take (a member joined meanwhile?); run the command again`,
    );
  }
}

async function commitAsMember(
  engine: KafkaEngine,
  admin: KafkaAdmin,
  groupId: string,
  topic: string,
  offsets: ReadonlyMap<number, number>,
): Promise<void> {
  const consumer = engine.groupConsumer({ groupId, clientIdSuffix: 'offsets-reset' });
  try {
    await consumer.connect();
    let markJoined!: () => void;
    const joined = new Promise<void>((resolve) => (markJoined = resolve));
    const onAssigned = () => {
      consumer.pause(topic);
      markJoined();
    };
    await consumer.run(topic, { fromBeginning: true, eachBatch: async () => undefined, onAssigned });
    await joined;
    const members = (await admin.describeGroup(groupId)).members.length;
    if (members > 1) throw active(groupId, `${members} member(s) joined while resetting`);
    await consumer.commit([...offsets].map(([partition, offset]) => ({ topic, partition, offset })));
  } finally {
    await consumer.close();
  }
}

function active(groupId: string, detail: string): AuditRouterError {
  return new AuditRouterError(
    'AR_ERR_GROUP_ACTIVE',
    `consumer group ${groupId} is in use (${detail}); stop every audit-router in the group, then reset its offsets`,
  );
}
