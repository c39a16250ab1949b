import type { KafkaConfig } from '../config.js';
import type { Logger } from '../../observability/logger.js';
import type { TransactionalWriter, TransactionalWriterOptions } from '../record-writer.js';
import type { TopicPartitionOffset, TopicRecords } from '../types.js';
import { baseConfig, connectTimeoutMs } from './client-config.js';
import { bridgeLogs } from './client-log.js';
import { connectNative } from './connect.js';
import { LibrdkafkaGroupConsumer } from './group-consumer.js';
import type { NativeError, NativeModule, NativeProducer } from './native.js';
import { produceAll } from './produce.js';
import { MAX_REQUEST_BYTES } from './record-writer.js';

type Step = (cb: (err?: NativeError | null) => void) => void;

const step = (run: Step): Promise<void> => new Promise((resolve, reject) => run((err) => (err ? reject(err) : resolve())));

/**
 * A transactional librdkafka producer: one transaction per call holds the
 * records and the consumer's offsets (sendOffsetsToTransaction, with the
 * group metadata of the consumer, so a zombie member is fenced too).
 * librdkafka reports delivery failures at commit, so no delivery report is
 * awaited per record. After a fatal error (fenced by a newer writer with the
 * same transactional id) the producer is replaced on the next call.
 */
export class LibrdkafkaTransactionalWriter implements TransactionalWriter {
  private producer: NativeProducer | undefined;
  private ready: Promise<NativeProducer> | undefined;
  private readonly consumer: LibrdkafkaGroupConsumer;

  constructor(
    private readonly native: NativeModule,
    private readonly config: KafkaConfig,
    private readonly logger: Logger,
    private readonly options: TransactionalWriterOptions,
  ) {
    if (!(options.consumer instanceof LibrdkafkaGroupConsumer)) {
      throw new TypeError('a librdkafka transactional writer commits offsets for a librdkafka group consumer only');
    }
    this.consumer = options.consumer;
  }

  connect(): Promise<void> {
    return this.open().then(() => undefined);
  }

  private open(): Promise<NativeProducer> {
    this.ready ??= this.create().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private async create(): Promise<NativeProducer> {
    const producer = new this.native.Producer({
      ...baseConfig(this.config, this.logger, this.options.clientIdSuffix),
      'transactional.id': this.options.transactionalId,
      'enable.idempotence': true,
      acks: -1,
      'message.max.bytes': MAX_REQUEST_BYTES,
    });
    bridgeLogs(producer, this.logger, this.config, this.options.quiet);
    await connectNative(producer, this.config.brokers.length, connectTimeoutMs(this.config));
    // Fences any older producer with this id and aborts its open transaction.
    try {
      await step((cb) => producer.initTransactions(this.config.requestTimeoutMs, cb));
    } catch (err) {
      // Not kept: the next batch makes a new one, and this one's threads and sockets must not outlive it.
      await this.disconnect(producer);
      throw err;
    }
    this.producer = producer;
    return producer;
  }

  async sendWithOffsets(batches: readonly TopicRecords[], offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const producer = await this.open();
    const timeout = this.config.requestTimeoutMs;
    await step((cb) => producer.beginTransaction(cb));
    try {
      // Queue-full waits flush what is queued so far: within a transaction nothing is visible before the commit anyway.
      await produceAll(producer, batches, { pending: 0 }, () => step((cb) => producer.flush(timeout, cb)).catch(() => undefined));
      if (offsets.length > 0) {
        const list = offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset }));
        await step((cb) => producer.sendOffsetsToTransaction(list, this.consumer.client, timeout, cb));
      }
      await this.commit(producer, timeout);
    } catch (err) {
      await this.abort(producer, err as NativeError);
      throw err;
    }
  }

  /**
   * A retriable error from commitTransaction (a timeout, say) means the outcome is not known yet, and
   * librdkafka's contract is to commit again until it is. Aborting instead could follow a commit that did
   * land: the batch would then be written again in the next transaction, twice for read_committed readers.
   */
  private async commit(producer: NativeProducer, timeout: number): Promise<void> {
    for (;;) {
      try {
        return await step((cb) => producer.commitTransaction(timeout, cb));
      } catch (err) {
        if (!(err as NativeError).isRetriable || (err as NativeError).isTxnRequiresAbort) throw err;
        this.logger.warn(
          { err: { code: (err as NativeError).code, message: (err as Error).message } },
          'transaction commit not confirmed; committing again',
        );
      }
    }
  }

  private async abort(producer: NativeProducer, err: NativeError): Promise<void> {
    if (err.isFatal) {
      this.logger.warn(
        { err: { code: err.code, message: err.message } },
        `transactional producer ${this.options.transactionalId} failed for good; it is replaced on the next batch`,
      );
      this.ready = undefined;
      this.producer = undefined;
      await this.disconnect(producer);
      return;
    }
    await step((cb) => producer.abortTransaction(this.config.requestTimeoutMs, cb)).catch((abortErr: unknown) =>
      this.logger.warn({ err: { message: (abortErr as Error).message } }, 'transaction abort failed'),
    );
  }

  private disconnect(producer: NativeProducer): Promise<void> {
    return new Promise((resolve) => producer.disconnect(() => resolve()));
  }

  async close(): Promise<void> {
    await this.ready?.catch(() => undefined);
    const producer = this.producer;
    this.producer = undefined;
    this.ready = undefined;
    if (producer) await this.disconnect(producer);
  }
}
