import type { Command } from 'commander';
import { loadConfigFile } from '../../config/index.js';
import type { KafkaConfig } from '../../config/types.js';
import { AuditRouterError } from '../../errors/index.js';
import { createKafkaEngine } from '../../kafka/index.js';
import { fileSource, loadPublicKey, readCheckpointTopic, verifyTrail, type TrailSource, type VerifyResult } from '../../evidence/index.js';
import { archiveTrails } from '../../sinks/archive/trail-sources.js';
import { createLogger } from '../../observability/logger.js';
import { fail } from '../output.js';

interface VerifyFlags {
  publicKey: string;
  checkpointsFromTopic?: string;
  config?: string;
  brokers?: string;
  s3Endpoint?: string;
  s3Region?: string;
  s3ForcePathStyle?: boolean;
}

const HOST_PORT = /^[^\s:/]+:\d{1,5}$/;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

interface Trails {
  readonly sources: readonly TrailSource[];
  /** An object under an archive prefix that belongs to no trail: the first thing broken there. */
  readonly foreign: string | undefined;
  close(): void;
}

/** A file is one trail; an archive prefix (s3://bucket/prefix) holds one per input partition. */
async function trailsAt(location: string, flags: VerifyFlags): Promise<Trails> {
  if (!/^s3:\/\//i.test(location)) return { sources: [fileSource(location)], foreign: undefined, close: () => undefined };
  const archive = await archiveTrails(location, {
    endpoint: flags.s3Endpoint,
    region: flags.s3Region,
    forcePathStyle: flags.s3ForcePathStyle,
  });
  return { sources: archive.trails, foreign: archive.foreign[0], close: () => archive.close() };
}

/** Kafka settings for reading the checkpoint topic: the router config's (TLS, SASL), or plain --brokers. */
function kafkaFor(flags: VerifyFlags): KafkaConfig {
  if (flags.config !== undefined) return loadConfigFile(flags.config).kafka;
  const brokers = (flags.brokers ?? '').split(',').map((b) => b.trim());
  const bad = brokers.find((b) => !HOST_PORT.test(b));
  if (flags.brokers === undefined || bad !== undefined) {
    throw new AuditRouterError(
      'AR_ERR_USAGE',
      `--checkpoints-from-topic needs -c <router config> or --brokers host:port[,…]${bad ? `; got ${JSON.stringify(bad)}` : ''}`,
    );
  }
  return { brokers, clientId: 'audit-router-verify', connectionTimeoutMs: 3_000, requestTimeoutMs: 30_000 };
}

/** What was found besides tampering: torn lines and re-deliveries are what at-least-once leaves after a crash. */
function infoLines(result: VerifyResult, topic: string | undefined): string[] {
  const lines: string[] = [];
  if (result.torn.length > 0) {
    const shown = result.torn.slice(0, 5).join(', ') + (result.torn.length > 5 ? ', …' : '');
    lines.push(`info: ${plural(result.torn.length, 'torn line')} left by a crash (${shown}): not records; the chain continues across them`);
  }
  if (result.duplicates > 0)
    lines.push(`info: ${plural(result.duplicates, 're-delivered event')} (an id written before: at-least-once after a restart)`);
  if (result.unsigned > 0)
    lines.push(`info: ${plural(result.unsigned, 'event record')} after the last checkpoint (${result.lastCheckpointPlace}) not signed yet`);
  if (topic === undefined)
    lines.push('info: the end of the trail was not compared with a copy outside it (--checkpoints-from-topic finds a truncated tail)');
  else if (result.topic)
    lines.push(
      `checkpoint topic ${topic}: ${plural(result.topic.checkpoints, 'checkpoint')} of this trail, newest at seq ${result.topic.newestSeq}`,
    );
  return lines;
}

async function readCheckpoints(kafka: KafkaConfig, topic: string) {
  const engine = await createKafkaEngine(kafka, createLogger(process.env.AR_LOG_LEVEL ?? 'silent'));
  return readCheckpointTopic(engine, kafka, topic);
}

async function verify(location: string, flags: VerifyFlags): Promise<void> {
  let trails: Trails | undefined;
  try {
    const publicKey = loadPublicKey(flags.publicKey, '--public-key');
    trails = await trailsAt(location, flags);
    if (trails.foreign !== undefined) {
      throw new AuditRouterError(
        'AR_ERR_EVIDENCE_BROKEN',
        `inserted object at ${trails.foreign}: it belongs to no trail (no ar-trail metadata, or no offset in its key)`,
      );
    }
    if (trails.sources.length === 0)
      throw new AuditRouterError(
        'AR_ERR_EVIDENCE_BROKEN',
        `missing checkpoint at ${location}: no trail in it: not even a genesis checkpoint`,
      );
    const topicName = flags.checkpointsFromTopic;
    const topic = topicName === undefined ? undefined : { name: topicName, checkpoints: await readCheckpoints(kafkaFor(flags), topicName) };
    // An archive's trails one after the other: each is checked whole, and the first broken one stops verify.
    for (const source of trails.sources) {
      const result = await verifyTrail(source, publicKey, topic);
      const counts = `${plural(result.records, 'record')} (${plural(result.events, 'event')}, ${plural(result.checkpoints, 'checkpoint')}), seq 1..${result.lastSeq}, trail ${result.trail ?? '(none)'}`;
      const { broken } = result;
      if (broken) {
        process.stdout.write(`${source.name}: BROKEN after ${counts}\n`);
        const seq = broken.seq === undefined ? '' : ` (seq ${broken.seq})`;
        throw new AuditRouterError('AR_ERR_EVIDENCE_BROKEN', `${broken.kind} at ${broken.place}${seq}: ${broken.detail}`);
      }
      process.stdout.write([`${source.name}: intact: ${counts}`, ...infoLines(result, topicName)].join('\n') + '\n');
    }
  } catch (err) {
    fail(err);
  } finally {
    trails?.close();
  }
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check a tamper-evident trail: exit 0 with counts when intact, 1 naming the first broken place')
    .argument('<trail>', "a log sink file, or an archive sink's s3://bucket/prefix, written with evidence on")
    .requiredOption('--public-key <file>', 'the PEM public key of the key pair that signs the trail (audit-router keygen)')
    .option(
      '--checkpoints-from-topic <topic>',
      "also compare with the checkpoints in this topic (the sink's evidence.checkpointTopic): finds a truncated tail",
    )
    .option('-c, --config <file>', 'router config to take kafka settings (brokers, TLS, SASL) from, for --checkpoints-from-topic')
    .option('-b, --brokers <list>', 'comma-separated host:port list, for --checkpoints-from-topic without -c')
    .option(
      '--s3-endpoint <url>',
      'for s3://: an S3-compatible store (MinIO, Ceph, ...); AWS S3 when absent. Credentials: the AWS default chain',
    )
    .option('--s3-region <region>', "for s3://: the bucket's region (default us-east-1)")
    .option('--s3-force-path-style', 'for s3://: bucket in the path (http://host/bucket/key), as most self-hosted stores want')
    .addHelpText(
      'after',
      `
Broken means: a modified, removed, reordered or inserted record, a truncated tail, or a forged or missing
checkpoint. Torn lines and re-delivered events, which a crash leaves under at-least-once, are reported as info.`,
    )
    .action((location: string, flags: VerifyFlags) => verify(location, flags));
}
