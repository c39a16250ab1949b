import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { ConfigError, validateConfig, type KafkaConfig } from '../../src/config/index.js';
import { AuditRouterError } from '../../src/errors/index.js';
import { createKafkaEngine, engineChoice } from '../../src/kafka/index.js';
import { silentLogger } from '../../src/observability/logger.js';

const kafka = (overrides: Partial<KafkaConfig> = {}): KafkaConfig => ({
  brokers: ['127.0.0.1:9'],
  clientId: 'engine-test',
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 1_000,
  ...overrides,
});

const kafkajsVersion = (createRequire(import.meta.url)('kafkajs/package.json') as { version: string }).version;

describe('kafka.engine and AR_KAFKA_ENGINE', () => {
  test('the config wins, then the environment variable, then auto (librdkafka where it loads)', () => {
    assert.equal(engineChoice({ engine: 'kafkajs' }, { AR_KAFKA_ENGINE: 'librdkafka' }), 'kafkajs');
    assert.equal(engineChoice({}, { AR_KAFKA_ENGINE: 'librdkafka' }), 'librdkafka');
    assert.equal(engineChoice({}, { AR_KAFKA_ENGINE: '' }), 'auto');
    assert.equal(engineChoice({}, {}), 'auto');
  });

  test('an unknown AR_KAFKA_ENGINE is a config error naming the variable and the choices', () => {
    assert.throws(
      () => engineChoice({}, { AR_KAFKA_ENGINE: 'franz' }),
      (err: unknown) =>
        err instanceof AuditRouterError &&
        err.code === 'AR_ERR_CONFIG_INVALID' &&
        err.path === 'kafka.engine' &&
        err.message === 'AR_KAFKA_ENGINE: "franz" is not one of auto, kafkajs, librdkafka',
    );
  });

  test('the config schema accepts the engines and assignors and refuses others with their paths', () => {
    const base = { source: { topic: 'in', groupId: 'g' }, sinks: [{ name: 'a', type: 'log' }] };
    const ok = validateConfig({ ...base, kafka: { brokers: ['127.0.0.1:9092'], engine: 'librdkafka', assignor: 'roundrobin' } });
    assert.equal(ok.kafka.engine, 'librdkafka');
    assert.equal(ok.kafka.assignor, 'roundrobin');
    assert.throws(
      () => validateConfig({ ...base, kafka: { brokers: ['127.0.0.1:9092'], engine: 'rdkafka', assignor: 'range' } }),
      (err: unknown) => err instanceof ConfigError && ['kafka.engine', 'kafka.assignor'].every((p) => err.issues.some((i) => i.path === p)),
    );
  });
});

describe('createKafkaEngine', () => {
  test('kafkajs is the pure-JS engine, with the installed kafkajs version', async () => {
    const engine = await createKafkaEngine(kafka({ engine: 'kafkajs' }), silentLogger());
    assert.equal(engine.name, 'kafkajs');
    assert.equal(engine.version, kafkajsVersion);
  });

  test('librdkafka either loads, and auto then picks it, or is a one-line error saying how to install it, and auto picks kafkajs', async () => {
    const asked = await createKafkaEngine(kafka({ engine: 'librdkafka' }), silentLogger()).then(
      (engine) => ({ engine }),
      (err: unknown) => ({ err }),
    );
    const auto = await createKafkaEngine(kafka({ engine: 'auto' }), silentLogger());
    if ('engine' in asked) {
      assert.equal(asked.engine.name, 'librdkafka');
      assert.equal(auto.name, 'librdkafka');
      return;
    }
    const err = asked.err;
    assert.ok(err instanceof AuditRouterError, String(err));
    assert.equal(err.code, 'AR_ERR_CONFIG_INVALID');
    assert.equal(err.path, 'kafka.engine');
    assert.ok(!err.message.includes('\n'), err.message);
    assert.match(
      err.message,
      /^kafka\.engine: librdkafka cannot be loaded \(.+\); npm install @confluentinc\/kafka-javascript .*or set kafka\.engine: kafkajs$/,
    );
    assert.equal(auto.name, 'kafkajs');
  });
});
