import type { KafkaConfig } from '../config.js';
import { checkConsumerProtocol } from '../consumer-protocol-check.js';
import type { Logger } from '../../observability/logger.js';
import type { GroupConsumerOptions } from '../group-consumer.js';
import { LibrdkafkaGroupConsumer } from './group-consumer.js';
import type { NativeModule } from './native.js';

/**
 * A librdkafka group consumer joining with KIP-848 (groupProtocol consumer):
 * before its first connect it asks a broker whether it offers the protocol,
 * as librdkafka itself would only retry its join, silently, for ever.
 */
export class ConsumerProtocolGroupConsumer extends LibrdkafkaGroupConsumer {
  private checked: Promise<void> | undefined;

  constructor(
    native: NativeModule,
    private readonly kafka: KafkaConfig,
    logger: Logger,
    options: GroupConsumerOptions,
  ) {
    super(native, kafka, logger, options);
  }

  override connect(): Promise<void> {
    this.checked ??= checkConsumerProtocol(this.kafka);
    return this.checked.then(() => super.connect());
  }
}
