import type { KafkaConfig } from './config.js';
import { AuditRouterError } from '../errors/index.js';
import type { Logger } from '../observability/logger.js';
import type { KafkaEngine } from './engine.js';

export type EngineChoice = NonNullable<KafkaConfig['engine']>;

/**
 * What an engine's folder exports from its index.ts. createEngine rejects
 * when the client library cannot be loaded (a native module not built).
 */
export interface EngineModule {
  createEngine(config: KafkaConfig, logger: Logger): Promise<KafkaEngine>;
}

const CHOICES: readonly EngineChoice[] = ['auto', 'kafkajs', 'librdkafka'];

const INSTALL_HINT =
  'npm install @confluentinc/kafka-javascript (it fetches a prebuilt binary; offline, build it with CKJS_LINKING=dynamic after installing libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev libcurl4-openssl-dev), or set kafka.engine: kafkajs';

/**
 * kafka.engine, else AR_KAFKA_ENGINE (so CI can run the whole suite once per engine), else auto:
 * librdkafka where its native client loads (faster, cooperative rebalancing), kafkajs elsewhere.
 * A router that switches engine this way inside a group of kafkajs routers is refused by the group
 * and stops with AR_ERR_KAFKA_GROUP_PROTOCOL, naming kafka.assignor: roundrobin (README: Rolling upgrade).
 */
export function engineChoice(config: Pick<KafkaConfig, 'engine'>, env: NodeJS.ProcessEnv = process.env): EngineChoice {
  if (config.engine !== undefined) return config.engine;
  const fromEnv = env.AR_KAFKA_ENGINE;
  if (fromEnv === undefined || fromEnv === '') return 'auto';
  if (!(CHOICES as readonly string[]).includes(fromEnv)) {
    throw new AuditRouterError('AR_ERR_CONFIG_INVALID', `AR_KAFKA_ENGINE: ${JSON.stringify(fromEnv)} is not one of ${CHOICES.join(', ')}`, {
      path: 'kafka.engine',
    });
  }
  return fromEnv as EngineChoice;
}

// A variable, not a literal: the folder is optional, and neither tsc nor the build may require it.
const LIBRDKAFKA_MODULE = './librdkafka/index.js';

async function loadLibrdkafka(config: KafkaConfig, logger: Logger): Promise<KafkaEngine> {
  const module = (await import(LIBRDKAFKA_MODULE)) as EngineModule;
  return module.createEngine(config, logger);
}

async function loadKafkajs(config: KafkaConfig, logger: Logger): Promise<KafkaEngine> {
  const module = (await import('./kafkajs/index.js')) as EngineModule;
  return module.createEngine(config, logger);
}

/**
 * The engine `kafka.engine` asks for. `auto` takes librdkafka when its native
 * client loads (faster, cooperative rebalancing) and kafkajs otherwise;
 * asking for librdkafka when it cannot load is a one-line config error.
 */
export async function createKafkaEngine(config: KafkaConfig, logger: Logger): Promise<KafkaEngine> {
  const choice = engineChoice(config);
  if (choice === 'kafkajs') return loadKafkajs(config, logger);
  try {
    return await loadLibrdkafka(config, logger);
  } catch (err) {
    if (choice === 'auto') {
      logger.debug({ err: { message: (err as Error).message } }, 'kafka.engine auto: librdkafka did not load; using kafkajs');
      return loadKafkajs(config, logger);
    }
    if (err instanceof AuditRouterError) throw err;
    throw new AuditRouterError('AR_ERR_CONFIG_INVALID', `kafka.engine: librdkafka cannot be loaded (${firstLine(err)}); ${INSTALL_HINT}`, {
      path: 'kafka.engine',
      cause: err,
    });
  }
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!;
}
