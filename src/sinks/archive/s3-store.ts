import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { AuditRouterError } from '../../errors/index.js';
import type { ArchiveSinkConfig } from './config.js';

/** What an object says about itself, in its user metadata: enough to resume it after a restart. */
export interface StoredObject {
  readonly body: Buffer;
  readonly lastOffset: number;
  /** The version read, for a rewrite conditional on nobody having replaced it since. */
  readonly etag: string | undefined;
}

/**
 * What a PUT requires of the key: absent (`If-None-Match: *`), still the
 * version of this ETag (`If-Match`), or nothing (conditionalWrites off).
 */
export type PutCondition = { readonly absent: true } | { readonly etag: string } | undefined;

const LAST_OFFSET = 'ar-last-offset';
export const TRAIL = 'ar-trail';

/**
 * The S3 calls the archive sink (and verify, reading an archive) makes, with errors turned into ours.
 * The SDK does not retry (maxAttempts 1): the sink runner owns retries, its
 * budget and the circuit breaker, as for every other sink.
 */
export class S3Store {
  private readonly client: S3Client;

  constructor(
    private readonly config: ArchiveSinkConfig,
    private readonly sinkName: string,
  ) {
    this.client = new S3Client({
      region: config.region,
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle,
      // A copy: the SDK marks the object it is given (a `$source` field), and config objects are frozen.
      credentials: config.credentials && { ...config.credentials },
      maxAttempts: 1,
      requestHandler: {
        connectionTimeout: Math.min(config.requestTimeoutMs, 10_000),
        requestTimeout: config.requestTimeoutMs,
        throwOnRequestTimeout: true,
      },
      // Checksums only where S3 demands them: several S3-compatible stores reject the SDK's default CRC headers.
      // Every PUT carries Content-MD5 instead, which all of them check (and Object Lock requires).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** First offsets of the objects whose keys start with `head` and end with `tail`. */
  async listOffsets(head: string, parse: (key: string) => number | undefined, signal: AbortSignal): Promise<number[]> {
    return (await this.listKeys(head, signal)).flatMap((key) => parse(key) ?? []);
  }

  /** Every key that starts with `prefix`. */
  async listKeys(prefix: string, signal: AbortSignal): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('list', prefix, signal, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: prefix, ContinuationToken: token }), {
          abortSignal: signal,
        }),
      );
      for (const item of page.Contents ?? []) if (item.Key !== undefined) keys.push(item.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  /** The object, or undefined when there is none at that key. */
  async get(key: string, signal: AbortSignal): Promise<StoredObject | undefined> {
    const res = await this.call('get', key, signal, () =>
      this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: key }), { abortSignal: signal }).catch((err: Error) => {
        if (err.name === 'NoSuchKey') return undefined;
        throw err;
      }),
    );
    if (res === undefined) return undefined;
    const lastOffset = Number(res.Metadata?.[LAST_OFFSET]);
    if (!Number.isSafeInteger(lastOffset)) {
      throw new AuditRouterError(
        'AR_ERR_ARCHIVE_FOREIGN_OBJECT',
        `sink ${this.sinkName}: object ${key} has no ${LAST_OFFSET} metadata: another writer uses this key layout`,
      );
    }
    return { body: Buffer.from(await res.Body!.transformToByteArray()), lastOffset, etag: res.ETag };
  }

  /** An object's user metadata (verify groups an archive's objects by their trail with it). */
  async metadata(key: string, signal: AbortSignal): Promise<Record<string, string>> {
    const res = await this.call('head', key, signal, () =>
      this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: key }), { abortSignal: signal }),
    );
    return res.Metadata ?? {};
  }

  /** An object's body as stored, whoever wrote it. */
  async body(key: string, signal: AbortSignal): Promise<Buffer> {
    const res = await this.call('get', key, signal, () =>
      this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: key }), { abortSignal: signal }),
    );
    return Buffer.from(await res.Body!.transformToByteArray());
  }

  /** Stores the object if the key is as `condition` says, and returns the new version's ETag. */
  async put(
    key: string,
    body: Buffer,
    meta: { firstOffset: number; lastOffset: number; events: number; trail: string | undefined },
    condition: PutCondition,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const { compression, objectLock, serverSideEncryption } = this.config;
    const input: PutObjectCommandInput = {
      Bucket: this.config.bucket,
      Key: key,
      Body: body,
      ContentType: compression === 'gzip' ? 'application/gzip' : 'application/x-ndjson',
      ContentMD5: createHash('md5').update(body).digest('base64'),
      Metadata: { 'ar-first-offset': String(meta.firstOffset), [LAST_OFFSET]: String(meta.lastOffset), 'ar-events': String(meta.events) },
    };
    // With evidence: which partition's trail the object belongs to, so verify can read each trail's objects in order.
    if (meta.trail !== undefined) input.Metadata![TRAIL] = meta.trail;
    if (objectLock) {
      input.ObjectLockMode = objectLock.mode;
      input.ObjectLockRetainUntilDate = new Date(Date.now() + objectLock.retainDays * 86_400_000);
    }
    if (serverSideEncryption) {
      input.ServerSideEncryption = serverSideEncryption.algorithm;
      input.SSEKMSKeyId = serverSideEncryption.kmsKeyId;
    }
    if (condition && 'absent' in condition) input.IfNoneMatch = '*';
    else if (condition) input.IfMatch = condition.etag;
    const res = await this.call('put', key, signal, () => this.client.send(new PutObjectCommand(input), { abortSignal: signal }));
    return res.ETag;
  }

  close(): void {
    this.client.destroy();
  }

  private async call<T>(op: 'list' | 'head' | 'get' | 'put', key: string, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      // A bug of ours (a TypeError, say): retrying cannot fix it, the runner reports it as AR_ERR_INTERNAL.
      if (err instanceof TypeError || err instanceof RangeError) throw err;
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      throw s3Error(err, status, this.sinkName, `${op} s3://${this.config.bucket}/${key}`);
    }
  }
}

/**
 * Our error for a failed S3 call. Messages name the request and the store's
 * error name (AccessDenied, NoSuchBucket, ...), never its message body or
 * anything signed: no credential can leak into logs or dead-letter headers.
 */
function s3Error(err: unknown, status: number | undefined, sink: string, what: string): AuditRouterError {
  const name = (err as Error).name || 'Error';
  // ar.error.cause in the dead-letter headers: the store's error name, or the socket's code.
  const cause = { code: (err as NodeJS.ErrnoException).code ?? name };
  const detail = `${what}: ${status ?? 'no response'} ${name}`;
  if (status === 403 || name === 'CredentialsProviderError') {
    return new AuditRouterError('AR_ERR_ARCHIVE_ACCESS', `sink ${sink}: access refused, ${detail}`, { status, cause });
  }
  // 412: the key is not as the conditional PUT required; 409: another conditional write to it was in progress (AWS).
  if (status === 412 || status === 409) {
    return new AuditRouterError('AR_ERR_ARCHIVE_CONFLICT', `sink ${sink}: another writer changed the object, ${detail}`, { status, cause });
  }
  if (status === 404 || name === 'NoSuchBucket') {
    return new AuditRouterError('AR_ERR_ARCHIVE_NO_BUCKET', `sink ${sink}: no such bucket, ${detail}`, { status, cause });
  }
  // 501: the store lacks a feature the config asks for (encryption, conditional writes); waiting will not add it.
  if (status === undefined || status === 408 || status === 429 || (status >= 500 && status !== 501)) {
    return new AuditRouterError('AR_ERR_SINK_UNAVAILABLE', `sink ${sink}: ${detail}`, { status, cause });
  }
  return new AuditRouterError('AR_ERR_SINK_REJECTED', `sink ${sink}: ${detail}`, { status, cause });
}
