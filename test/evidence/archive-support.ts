import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { evidenceConfigSchema } from '../../src/evidence/config.js';
import { ObjectEvidence } from '../../src/evidence/object-evidence.js';
import { silentLogger } from '../../src/observability/logger.js';
import { ArchiveSink } from '../../src/sinks/archive/archive-sink.js';
import { archiveSinkConfigSchema } from '../../src/sinks/archive/config.js';
import { runCli, type CliResult } from '../helpers/router-process.js';
import { listKeys, objectLines, S3_CREDENTIALS, s3Endpoint, testS3 } from '../sinks/archive/store.js';

const gzipAsync = promisify(gzip);

/** One stored object of an archive trail: its key, metadata and lines, as the router wrote them. */
export interface TrailObject {
  key: string;
  metadata: Record<string, string>;
  lines: string[];
}

/** The objects under a prefix, read whole. */
export async function readTrailObjects(bucket: string, prefix: string): Promise<TrailObject[]> {
  const s3 = testS3();
  const out: TrailObject[] = [];
  for (const key of (await listKeys(bucket)).filter((k) => k.startsWith(`${prefix}/`))) {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    out.push({ key, metadata: res.Metadata ?? {}, lines: await objectLines(key, Buffer.from(await res.Body!.transformToByteArray())) });
  }
  return out;
}

/**
 * Writes objects under another prefix, gzipped with their metadata as the
 * sink stores them: a copy of the trail for one case of tampering, edited by
 * someone with write access to the bucket.
 */
export async function writeTrailObjects(bucket: string, from: string, to: string, objects: readonly TrailObject[]): Promise<void> {
  const s3 = testS3();
  for (const o of objects) {
    const body = await gzipAsync(Buffer.from(o.lines.map((l) => l + '\n').join(''), 'utf8'));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${to}/${o.key.slice(from.length + 1)}`, Body: body, Metadata: o.metadata }));
  }
}

/** verify on an s3:// location of the test store, with its credentials from the AWS chain as an operator would give them. */
export function verifyArchive(location: string, publicKey: string, extra: string[] = []): Promise<CliResult> {
  return runCli(['verify', location, '--public-key', publicKey, '--s3-endpoint', s3Endpoint(), '--s3-force-path-style', ...extra], {
    env: { AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' },
  });
}

/**
 * An archive sink with evidence, as the router makes one at each start.
 * Without a checkpoint topic the evidence never reaches Kafka, so it is given none.
 */
export async function archiveSinkWithEvidence(settings: Record<string, unknown>, signingKey: string): Promise<ArchiveSink> {
  const config = archiveSinkConfigSchema.parse({ type: 'archive', name: 'vault', ...settings });
  const evidence = await ObjectEvidence.open(evidenceConfigSchema.parse({ signingKey }), 'vault', undefined as never, silentLogger());
  return new ArchiveSink(config, silentLogger(), evidence);
}
