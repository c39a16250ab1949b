import type { KafkaRecord, RecordHeaders } from '../types.js';
import type { NativeMessage } from './native.js';

type HeaderValue = string | Buffer;

/** librdkafka hands headers as a list of one-key objects; ours are one object, a repeated name becoming a list. */
function recordHeaders(list: NativeMessage['headers']): RecordHeaders | undefined {
  if (list === undefined || list.length === 0) return undefined;
  const out: Record<string, HeaderValue | HeaderValue[]> = {};
  for (const header of list) {
    for (const name in header) {
      const value = header[name]!;
      const seen = out[name];
      if (seen === undefined) out[name] = value;
      else if (Array.isArray(seen)) seen.push(value);
      else out[name] = [seen, value];
    }
  }
  return out;
}

/** One plain object per message, the shape the rest of the router reads. */
export function toRecord(m: NativeMessage): KafkaRecord {
  const key = m.key === undefined || m.key === null ? null : typeof m.key === 'string' ? Buffer.from(m.key) : m.key;
  return { offset: m.offset, key, value: m.value, headers: recordHeaders(m.headers), timestamp: m.timestamp ?? -1 };
}
