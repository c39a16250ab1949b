import { createRequire } from 'node:module';
import type { KafkaConfig } from '../config.js';
import { AuditRouterError } from '../../errors/index.js';
import type { Logger } from '../../observability/logger.js';
import type { ClientOptions } from '../client-options.js';
import type { KafkaEngine } from '../engine.js';
import type { GroupConsumerOptions } from '../group-consumer.js';
import type { RecordWriterOptions, TransactionalWriterOptions } from '../record-writer.js';
import { KafkajsAdmin } from './admin.js';
import { createKafka } from './client.js';
import { KafkajsGroupConsumer } from './group-consumer.js';
import { KafkajsRecordWriter, KafkajsTransactionalWriter } from './record-writer.js';

const VERSION = (createRequire(import.meta.url)('kafkajs/package.json') as { version: string }).version;

/** The pure-JavaScript engine: installs anywhere, rebalances eagerly (round-robin). */
function createKafkajsEngine(config: KafkaConfig, logger: Logger): KafkaEngine {
  // One kafkajs client per created client: each carries its own clientId suffix and quiet switch.
  const kafka = (options: ClientOptions = {}) => createKafka(config, logger, options.clientIdSuffix, options.quiet);
  return {
    name: 'kafkajs',
    version: VERSION,
    groupConsumer: (options: GroupConsumerOptions) => {
      // kafkajs has no KIP-848; joining with the classic protocol instead would quietly not be what was asked.
      if (options.groupProtocol === 'consumer') {
        throw new AuditRouterError(
          'AR_ERR_CONFIG_INVALID',
          'source.groupProtocol: consumer needs the librdkafka engine; kafkajs speaks only the classic protocol',
          { path: 'source.groupProtocol' },
        );
      }
      return new KafkajsGroupConsumer(kafka(options), options, logger);
    },
    recordWriter: (options: RecordWriterOptions = {}) => new KafkajsRecordWriter(kafka(options), options),
    transactionalWriter: (options: TransactionalWriterOptions) => new KafkajsTransactionalWriter(kafka(options), options, logger),
    admin: (options: ClientOptions = {}) => new KafkajsAdmin(kafka(options)),
  };
}

export async function createEngine(config: KafkaConfig, logger: Logger): Promise<KafkaEngine> {
  return createKafkajsEngine(config, logger);
}
