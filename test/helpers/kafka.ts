import { Kafka, logLevel, type Admin, type IHeaders, type Producer } from 'kafkajs';
import { uniqueName } from './names.js';
import { waitFor } from './wait.js';

/** Set by scripts/test.mjs (it starts the local broker when unset). */
export function brokers(): string[] {
  const value = process.env.KAFKA_BROKERS;
  if (!value) throw new Error('KAFKA_BROKERS is not set: run tests with `npm test`');
  return value.split(',');
}

export function registryUrl(): string {
  const value = process.env.SCHEMA_REGISTRY_URL;
  if (!value) throw new Error('SCHEMA_REGISTRY_URL is not set: run tests with `npm test`');
  return value;
}

export function testKafka(clientId = uniqueName('test')): Kafka {
  return new Kafka({ clientId, brokers: brokers(), logLevel: logLevel.NOTHING });
}

export async function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

export async function createTopic(prefix: string, partitions = 1): Promise<string> {
  const topic = uniqueName(prefix);
  await withAdmin((admin) => admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true }));
  return topic;
}

export async function deleteTopics(...topics: string[]): Promise<void> {
  await withAdmin((admin) => admin.deleteTopics({ topics })).catch(() => undefined);
}

export interface OutMessage {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  partition?: number;
  headers?: IHeaders;
}

export async function produce(topic: string, messages: OutMessage[]): Promise<void> {
  const producer: Producer = testKafka().producer();
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 5000) {
      await producer.send({ topic, messages: messages.slice(i, i + 5000) });
    }
  } finally {
    await producer.disconnect();
  }
}

export interface ReadMessage {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k] = Array.isArray(v) ? v.map(String).join(',') : String(v ?? '');
  return out;
}

/**
 * Reads a topic from the beginning with a throwaway group until `until(messages)`
 * is true (default: at least `count` messages), then returns what it read.
 */
export async function readTopic(
  topic: string,
  {
    count,
    until,
    timeoutMs = 60_000,
    isolation,
  }: { count?: number; until?: (m: ReadMessage[]) => boolean; timeoutMs?: number; isolation?: 'read_committed' | 'read_uncommitted' } = {},
): Promise<ReadMessage[]> {
  const consumer = testKafka().consumer({ groupId: uniqueName('reader'), readUncommitted: isolation === 'read_uncommitted' });
  const messages: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        messages.push({
          partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: headersToStrings(message.headers),
        });
      },
    });
    const done = until ?? ((m: ReadMessage[]) => m.length >= (count ?? 1));
    await waitFor(() => done(messages), { timeoutMs, what: `messages in ${topic} (have ${messages.length})` });
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

/** Every message currently in the topic (up to the high watermark at call time). */
export async function readAll(topic: string, timeoutMs = 60_000): Promise<ReadMessage[]> {
  const offsets = await withAdmin((admin) => admin.fetchTopicOffsets(topic));
  const total = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  if (total === 0) return [];
  return readTopic(topic, { count: total, timeoutMs });
}

/** The committed offsets of a group, partition → offset. */
export async function committedOffsets(groupId: string, topic: string): Promise<Map<number, string>> {
  const result = await withAdmin((admin) => admin.fetchOffsets({ groupId, topics: [topic] }));
  return new Map((result[0]?.partitions ?? []).map((p) => [p.partition, p.offset]));
}
