import { spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { uniqueName } from '../../helpers/names.js';

const gunzipAsync = promisify(gunzip);

/** The local account scripts/s3proxy.sh configures. */
export const S3_CREDENTIALS = { accessKeyId: 'local-identity', secretAccessKey: 'local-credential' };

/** Set by scripts/test.mjs (it starts S3Proxy when unset). */
export function s3Endpoint(): string {
  const value = process.env.S3_ENDPOINT;
  if (!value) throw new Error('S3_ENDPOINT is not set: run tests with `npm test`');
  return value;
}

export function testS3(endpoint = s3Endpoint()): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { ...S3_CREDENTIALS },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
}

/** The fields an archive sink needs to reach the test store. */
export function storeFields(bucket: string, endpoint = s3Endpoint()): Record<string, unknown> {
  return { bucket, endpoint, forcePathStyle: true, credentials: { ...S3_CREDENTIALS } };
}

export async function createBucket(prefix: string, endpoint = s3Endpoint()): Promise<string> {
  const bucket = uniqueName(prefix).toLowerCase();
  await testS3(endpoint).send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

export async function listKeys(bucket: string, endpoint = s3Endpoint()): Promise<string[]> {
  const s3 = testS3(endpoint);
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    // S3Proxy's filesystem backend lists the folders of a key as empty objects ending in '/': not ours.
    keys.push(...(page.Contents ?? []).map((c) => c.Key!).filter((k) => !k.endsWith('/')));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Events the bucket holds, from each object's ar-events metadata (no bodies read: cheap enough to poll). */
export async function storedEventCount(bucket: string, endpoint = s3Endpoint()): Promise<number> {
  const s3 = testS3(endpoint);
  let total = 0;
  for (const key of await listKeys(bucket, endpoint)) {
    total += Number((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).Metadata?.['ar-events'] ?? 0);
  }
  return total;
}

export interface StoredObject {
  key: string;
  lines: string[];
  metadata: Record<string, string>;
  contentType: string | undefined;
}

/** Every object of the bucket, gunzipped when it is gzip, split into lines. */
export async function readObjects(bucket: string, endpoint = s3Endpoint()): Promise<StoredObject[]> {
  const s3 = testS3(endpoint);
  const out: StoredObject[] = [];
  for (const key of await listKeys(bucket, endpoint)) {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const lines = await objectLines(key, Buffer.from(await res.Body!.transformToByteArray()));
    out.push({ key, lines, metadata: res.Metadata ?? {}, contentType: res.ContentType });
  }
  return out;
}

/** An object's lines, gunzipped when it is gzip; it must end with a newline. */
export async function objectLines(key: string, raw: Buffer): Promise<string[]> {
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? await gunzipAsync(raw) : raw).toString('utf8');
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new Error(`${key} does not end with a newline`);
  return lines;
}

export async function deleteBucket(bucket: string, endpoint = s3Endpoint()): Promise<void> {
  const s3 = testS3(endpoint);
  try {
    for (const key of await listKeys(bucket, endpoint)) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  } catch {
    // Cleanup only: a store that is down (an outage test that failed) must not hide the test's own error.
  }
}

/** Runs scripts/s3proxy.sh with the test's environment (its port and cache), as the test runner does. */
export function s3proxyScript(command: 'start' | 'stop', env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['scripts/s3proxy.sh', command], {
      cwd: new URL('../../../', import.meta.url),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`scripts/s3proxy.sh ${command} exited ${code}: ${output}`));
    });
  });
}
