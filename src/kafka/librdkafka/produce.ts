import type { OutgoingRecord, TopicRecords } from '../types.js';
import type { NativeError, NativeProducer } from './native.js';

const ERR_QUEUE_FULL = -184;

function nativeHeaders(headers: OutgoingRecord['headers']): Record<string, Buffer | string>[] | undefined {
  if (headers === undefined) return undefined;
  const out: Record<string, Buffer | string>[] = [];
  for (const name in headers) out.push({ [name]: headers[name]! });
  return out;
}

function valueBytes(value: OutgoingRecord['value']): Buffer | null {
  return typeof value === 'string' ? Buffer.from(value) : value;
}

/** Handed to librdkafka with each record and back with its delivery report: counts what is still unreported. */
export interface Queued {
  pending: number;
}

/**
 * Queues every record with librdkafka, which batches them into requests by
 * itself. When its local queue is full, waits for `drained` (the next
 * delivery report or flush) and goes on: no await per record otherwise.
 * Rejects on a record librdkafka refuses at once; those queued before it
 * are still counted in `opaque.pending`.
 */
export async function produceAll(
  producer: NativeProducer,
  batches: readonly TopicRecords[],
  opaque: Queued,
  drained: () => Promise<void>,
): Promise<void> {
  for (const { topic, records } of batches) {
    for (const record of records) {
      const value = valueBytes(record.value);
      const headers = nativeHeaders(record.headers);
      for (;;) {
        try {
          producer.produce(topic, record.partition ?? null, value, record.key ?? null, null, opaque, headers);
          opaque.pending++;
          break;
        } catch (err) {
          if ((err as NativeError).code !== ERR_QUEUE_FULL) throw err;
          await drained();
        }
      }
    }
  }
}
