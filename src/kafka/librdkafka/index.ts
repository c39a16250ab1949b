import type { KafkaConfig } from '../config.js';
import type { Logger } from '../../observability/logger.js';
import type { ClientOptions } from '../client-options.js';
import type { KafkaEngine } from '../engine.js';
import type { GroupConsumerOptions } from '../group-consumer.js';
import type { RecordWriterOptions, TransactionalWriterOptions } from '../record-writer.js';
import { LibrdkafkaAdmin } from './admin.js';
import { ConsumerProtocolGroupConsumer } from './consumer-protocol-consumer.js';
import { LibrdkafkaGroupConsumer } from './group-consumer.js';
import { loadNative, type NativeModule } from './native.js';
import { LibrdkafkaRecordWriter } from './record-writer.js';
import { LibrdkafkaTransactionalWriter } from './transactional-writer.js';

/** The native engine: librdkafka through @confluentinc/kafka-javascript's native API, cooperative rebalancing by default. */
function createLibrdkafkaEngine(native: NativeModule, config: KafkaConfig, logger: Logger): KafkaEngine {
  return {
    name: 'librdkafka',
    version: native.librdkafkaVersion,
    groupConsumer: (options: GroupConsumerOptions) =>
      options.groupProtocol === 'consumer'
        ? new ConsumerProtocolGroupConsumer(native, config, logger, options)
        : new LibrdkafkaGroupConsumer(native, config, logger, options),
    recordWriter: (options: RecordWriterOptions = {}) => new LibrdkafkaRecordWriter(native, config, logger, options),
    transactionalWriter: (options: TransactionalWriterOptions) => new LibrdkafkaTransactionalWriter(native, config, logger, options),
    admin: (options: ClientOptions = {}) => new LibrdkafkaAdmin(native, config, logger, options),
  };
}

/** Rejects when the native module cannot be loaded (not installed, or its binary not built for this machine). */
export async function createEngine(config: KafkaConfig, logger: Logger): Promise<KafkaEngine> {
  return createLibrdkafkaEngine(loadNative(), config, logger);
}
