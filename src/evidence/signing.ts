import type { KafkaConfig } from '../kafka/config.js';
import type { KafkaEngine } from '../kafka/index.js';
import type { Logger } from '../observability/logger.js';
import { connectCheckpointPublisher, type CheckpointPublisher } from './checkpoint-topic.js';
import type { EvidenceConfig } from './config.js';
import { loadSigningKey } from './keys.js';
import { Sealer } from './sealer.js';

/** What every sink with evidence starts from: a sealer with its key, and the checkpoint topic's publisher when one is set. */
interface Signing {
  readonly sealer: Sealer;
  readonly publisher: CheckpointPublisher | undefined;
}

/** `sink` names the key in errors (`sinks.<sink>.evidence.signingKey`); the key itself is never in one. */
export async function openSigning(
  config: EvidenceConfig,
  sink: string,
  kafka: { config: KafkaConfig; engine: KafkaEngine },
  logger: Logger,
): Promise<Signing> {
  const key = loadSigningKey(config.signingKey, `sinks.${sink}.evidence.signingKey`);
  const publisher =
    config.checkpointTopic === undefined
      ? undefined
      : await connectCheckpointPublisher(kafka.engine, kafka.config, config.checkpointTopic, sink, logger);
  return { sealer: new Sealer(key, config.checkpoint.everyEvents), publisher };
}
