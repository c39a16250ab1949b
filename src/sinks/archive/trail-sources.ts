import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { ZodError } from 'zod';
import { AuditRouterError } from '../../errors/index.js';
import type { TrailLine, TrailSource } from '../../evidence/trail-source.js';
import { archiveSinkConfigSchema } from './config.js';
import { S3Store, TRAIL } from './s3-store.js';

const gunzipAsync = promisify(gunzip);

/** Where verify reaches the store: the archive sink's settings of the same names; credentials from the AWS chain. */
interface ArchiveReadOptions {
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
  readonly forcePathStyle?: boolean | undefined;
}

/** An archive prefix read as trails: one per partition, and the objects that belong to none. */
interface ArchiveTrails {
  readonly trails: readonly TrailSource[];
  /** Objects under the prefix without a trail (ar-trail metadata): not written by an archive sink with evidence. */
  readonly foreign: readonly string[];
  close(): void;
}

/** The first offset a key names: the digits just before its extension (the key template keeps {offset} there). */
const OFFSET_IN_KEY = /(\d{1,16})(?:\.jsonl(?:\.gz)?)?$/;

/**
 * Lists `s3://bucket/prefix`, groups its objects by the trail their
 * metadata names, and orders each trail's objects by the offset in their
 * keys: the order the sink wrote them in. The metadata only groups; the
 * order comes from the keys, so objects swapped or renamed break the chain
 * where verify can name them.
 */
export async function archiveTrails(url: string, options: ArchiveReadOptions): Promise<ArchiveTrails> {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(url);
  if (!match) throw new AuditRouterError('AR_ERR_USAGE', `${url}: expected s3://bucket/prefix`);
  const [, bucket, rawPrefix] = match as unknown as [string, string, string];
  let config;
  try {
    config = archiveSinkConfigSchema.parse({ type: 'archive', name: 'verify', bucket, prefix: rawPrefix, ...definedOnly(options) });
  } catch (err) {
    const issue = err instanceof ZodError ? err.issues[0] : undefined;
    throw new AuditRouterError('AR_ERR_USAGE', `${url}: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'not an archive location'}`);
  }
  const store = new S3Store(config, 'verify');
  const signal = new AbortController().signal;
  try {
    // A prefix names a folder: trail/ must not also list trail-old/.
    const prefix = rawPrefix === '' || rawPrefix.endsWith('/') ? rawPrefix : `${rawPrefix}/`;
    const byTrail = new Map<string, { key: string; first: number }[]>();
    const foreign: string[] = [];
    for (const key of await store.listKeys(prefix, signal)) {
      // Some stores list folders as empty objects ending in '/'.
      if (key.endsWith('/')) continue;
      const trail = (await store.metadata(key, signal))[TRAIL];
      const first = OFFSET_IN_KEY.exec(key)?.[1];
      if (trail === undefined || first === undefined) {
        foreign.push(key);
        continue;
      }
      const objects = byTrail.get(trail) ?? [];
      objects.push({ key, first: Number(first) });
      byTrail.set(trail, objects);
    }
    const trails = [...byTrail.values()].map((objects) => {
      const keys = objects.sort((a, b) => a.first - b.first).map((o) => o.key);
      // Named by where it begins: the first object says which topic and partition the trail is.
      return objectsSource(store, `${keys.length} object${keys.length === 1 ? '' : 's'} from s3://${bucket}/${keys[0]!}`, bucket, keys);
    });
    return { trails, foreign, close: () => store.close() };
  } catch (err) {
    store.close();
    throw err;
  }
}

function definedOnly(options: ArchiveReadOptions): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

/** One trail's objects, read one at a time, split on newline bytes only (the exact bytes each hash covers). */
function objectsSource(store: S3Store, name: string, bucket: string, keys: readonly string[]): TrailSource {
  return {
    name,
    async *lines(): AsyncIterable<TrailLine> {
      for (const key of keys) {
        const raw = await store.body(key, new AbortController().signal);
        const data = raw[0] === 0x1f && raw[1] === 0x8b ? await gunzipAsync(raw) : raw;
        let no = 0;
        let from = 0;
        for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, from)) {
          yield { bytes: data.subarray(from, nl), place: `s3://${bucket}/${key} line ${++no}`, terminated: true, objectStart: no === 1 };
          from = nl + 1;
        }
        if (from < data.length)
          yield { bytes: data.subarray(from), place: `s3://${bucket}/${key} line ${++no}`, terminated: false, objectStart: no === 1 };
      }
    },
  };
}
