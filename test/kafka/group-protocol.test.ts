import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, validateConfig } from '../../src/config/index.js';
import { AuditRouterError } from '../../src/errors/index.js';
import { createKafkaEngine } from '../../src/kafka/index.js';
import { groupProtocolConfig } from '../../src/kafka/librdkafka/group-protocol.js';
import { silentLogger } from '../../src/observability/logger.js';
import { inputConsumerOptions } from '../../src/source/consumer-options.js';

const base = { kafka: { brokers: ['127.0.0.1:9092'] }, sinks: [{ name: 'a', type: 'log' }] };
const source = (extra: Record<string, unknown> = {}) => ({ topic: 'in', groupId: 'g', ...extra });

function issuesOf(tree: Record<string, unknown>): Map<string, string> {
  try {
    validateConfig(tree);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return new Map(err.issues.map((i) => [i.path, i.message]));
  }
  assert.fail('expected a ConfigError');
}

describe('source.groupProtocol', () => {
  test('defaults to classic, accepts consumer, and reaches the input consumer options', () => {
    assert.equal(validateConfig({ ...base, source: source() }).source.groupProtocol, 'classic');
    const config = validateConfig({
      ...base,
      kafka: { ...base.kafka, engine: 'librdkafka' },
      source: source({ groupProtocol: 'consumer' }),
    });
    assert.equal(inputConsumerOptions(config.source, 'g').groupProtocol, 'consumer');
  });

  test('refuses other protocols, consumer with kafka.engine kafkajs, and consumer with a client-side assignor, each at its path', () => {
    assert.match(issuesOf({ ...base, source: source({ groupProtocol: 'eager' }) }).get('source.groupProtocol') ?? '', /classic.*consumer/);
    const issues = issuesOf({
      ...base,
      kafka: { ...base.kafka, engine: 'kafkajs', assignor: 'roundrobin' },
      source: source({ groupProtocol: 'consumer' }),
    });
    assert.equal(issues.get('source.groupProtocol'), 'consumer needs the librdkafka engine; kafkajs speaks only the classic protocol');
    assert.equal(issues.get('kafka.assignor'), 'applies to source.groupProtocol classic only; with consumer the broker assigns partitions');
  });

  test('the kafkajs engine (chosen by AR_KAFKA_ENGINE or auto, after the config check) refuses consumer with a one-line error naming the engine', async () => {
    const engine = await createKafkaEngine(
      { brokers: ['127.0.0.1:9'], clientId: 't', connectionTimeoutMs: 1_000, requestTimeoutMs: 1_000, engine: 'kafkajs' },
      silentLogger(),
    );
    assert.throws(
      () => engine.groupConsumer({ groupId: 'g', groupProtocol: 'consumer' }),
      (err: unknown) =>
        err instanceof AuditRouterError &&
        err.code === 'AR_ERR_CONFIG_INVALID' &&
        err.path === 'source.groupProtocol' &&
        err.message === 'source.groupProtocol: consumer needs the librdkafka engine; kafkajs speaks only the classic protocol',
    );
    // classic (or unset) still builds a consumer: the refusal is about the protocol only.
    await engine.groupConsumer({ groupId: 'g', groupProtocol: 'classic' }).close();
  });

  test('on librdkafka, consumer sends group.protocol and none of the client-side settings KIP-848 forbids', () => {
    const kafka = {
      brokers: ['127.0.0.1:9'],
      clientId: 't',
      connectionTimeoutMs: 1_000,
      requestTimeoutMs: 1_000,
      assignor: 'roundrobin' as const,
    };
    const timing = { groupId: 'g', sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500 };
    assert.deepEqual(groupProtocolConfig(kafka, { ...timing, groupProtocol: 'consumer' }), { 'group.protocol': 'consumer' });
    assert.deepEqual(groupProtocolConfig(kafka, timing), {
      'partition.assignment.strategy': 'roundrobin',
      'session.timeout.ms': 6_000,
      'heartbeat.interval.ms': 500,
    });
  });
});
