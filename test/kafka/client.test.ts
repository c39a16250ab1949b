import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Writable } from 'node:stream';
import { logLevel } from 'kafkajs';
import pino from 'pino';
import type { KafkaConfig } from '../../src/config/index.js';
import { AuditRouterError } from '../../src/errors/index.js';
import { createKafkaEngine, describeKafkaError } from '../../src/kafka/index.js';
import { createKafka } from '../../src/kafka/kafkajs/client.js';
import { pinoLogCreator } from '../../src/kafka/kafkajs/log-creator.js';
import { silentLogger } from '../../src/observability/logger.js';
import { createTopic, deleteTopics } from '../helpers/kafka.js';

const saslBrokers = (process.env.KAFKA_SASL_BROKERS ?? '127.0.0.1:9094').split(',');
const WRONG_PASSWORD = 'not-the-audit-secret-9f3c';

function kafkaConfig(overrides: Partial<KafkaConfig> = {}): KafkaConfig {
  return { brokers: saslBrokers, clientId: 'client-test', connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000, ...overrides };
}

/** A pino logger at trace whose lines the test can read. */
function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), lines };
}

async function listTopicsWith(config: KafkaConfig, logger = silentLogger()): Promise<string[]> {
  const admin = (await createKafkaEngine(config, logger)).admin();
  try {
    await admin.connect();
    return await admin.listTopics();
  } finally {
    await admin.close();
  }
}

/** A port nothing listens on: bind one, release it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('createKafka against the SASL listener', () => {
  let topic: string;
  before(async () => {
    topic = await createTopic('client-sasl');
  });
  after(async () => {
    await deleteTopics(topic);
  });

  test('scram-sha-256 with the right password connects and lists topics', async () => {
    const topics = await listTopicsWith(kafkaConfig({ sasl: { mechanism: 'scram-sha-256', username: 'audit', password: 'audit-secret' } }));
    assert.ok(topics.includes(topic), `expected ${topic} among ${topics.length} topics`);
  });

  test('scram-sha-512 with the right password connects', async () => {
    const topics = await listTopicsWith(kafkaConfig({ sasl: { mechanism: 'scram-sha-512', username: 'audit', password: 'audit-secret' } }));
    assert.ok(topics.includes(topic));
  });

  test('plain with the right password connects', async () => {
    const topics = await listTopicsWith(kafkaConfig({ sasl: { mechanism: 'plain', username: 'audit', password: 'audit-secret' } }));
    assert.ok(topics.includes(topic));
  });

  for (const mechanism of ['scram-sha-256', 'plain'] as const) {
    test(`${mechanism} with a wrong password fails with AR_ERR_KAFKA_AUTH and never shows the password`, async () => {
      const config = kafkaConfig({ sasl: { mechanism, username: 'audit', password: WRONG_PASSWORD } });
      const { logger, lines } = capturingLogger();
      const err = await listTopicsWith(config, logger).then(
        () => assert.fail('connected with a wrong password'),
        (e: unknown) => describeKafkaError(e, config),
      );
      assert.ok(err instanceof AuditRouterError);
      assert.equal(err.code, 'AR_ERR_KAFKA_AUTH');
      assert.equal(err.retriable, false);
      assert.match(err.message, new RegExp(`^Kafka refused the SASL credentials for user audit \\(${mechanism}\\)`));
      assert.ok(!err.message.includes('\n'), 'one line');
      assert.ok(!err.message.includes(WRONG_PASSWORD));
      // kafkajs logged the failure through our logger, and no line carries the password.
      assert.ok(
        lines.some((l) => /SASL/.test(l)),
        `kafkajs logs reached pino (${lines.length} lines)`,
      );
      assert.ok(!lines.some((l) => l.includes(WRONG_PASSWORD)), 'no log line holds the password');
    });
  }
});

describe('describeKafkaError', () => {
  test('a refused connection is AR_ERR_KAFKA_CONNECTION naming the brokers', async () => {
    const port = await closedPort();
    const config = kafkaConfig({ brokers: [`127.0.0.1:${port}`], connectionTimeoutMs: 1_000 });
    const admin = createKafka(config, silentLogger()).admin({ retry: { retries: 1, initialRetryTime: 50 } });
    const err = await admin.connect().then(
      () => assert.fail('connected to a closed port'),
      (e: unknown) => describeKafkaError(e, config),
    );
    await admin.disconnect();
    assert.equal(err.code, 'AR_ERR_KAFKA_CONNECTION');
    assert.equal(err.retriable, true);
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
  });

  test('anything else is AR_ERR_KAFKA; our own errors pass through', () => {
    const other = describeKafkaError(
      Object.assign(new Error('This server does not host this topic-partition'), { name: 'KafkaJSProtocolError' }),
    );
    assert.equal(other.code, 'AR_ERR_KAFKA');
    const ours = new AuditRouterError('AR_ERR_SINK_REJECTED', 'x');
    assert.equal(describeKafkaError(ours), ours);
  });

  test('an SASL error wrapped in "retries exceeded" is still AR_ERR_KAFKA_AUTH, without the password', () => {
    const inner = Object.assign(new Error('SASL PLAIN authentication failed: bad hunter2'), { name: 'KafkaJSSASLAuthenticationError' });
    const outer = Object.assign(new Error('wrapped'), { name: 'KafkaJSNumberOfRetriesExceeded', cause: inner });
    const err = describeKafkaError(outer, { brokers: ['b:1'], sasl: { mechanism: 'plain', username: 'u', password: 'hunter2' } });
    assert.equal(err.code, 'AR_ERR_KAFKA_AUTH');
    assert.equal(err.message, 'Kafka refused the SASL credentials for user u (plain) at b:1');
  });
});

describe('createKafka config mapping', () => {
  test('an unreadable ssl.ca file is AR_ERR_CONFIG_FILE naming the field', () => {
    assert.throws(
      () => createKafka(kafkaConfig({ ssl: { ca: '/nonexistent/ca.pem', rejectUnauthorized: true } }), silentLogger()),
      (err: unknown) => err instanceof AuditRouterError && err.code === 'AR_ERR_CONFIG_FILE' && err.path === 'kafka.ssl.ca',
    );
  });

  test('kafkajs levels map to pino levels and secret fields are dropped', () => {
    const { logger, lines } = capturingLogger();
    const log = pinoLogCreator(logger, ['s3cret'])(logLevel.DEBUG);
    const entry = (level: logLevel, message: string, extra: Record<string, unknown> = {}) =>
      log({ namespace: 'Connection', level, label: '', log: { timestamp: 'now', logger: 'kafkajs', message, ...extra } });
    entry(logLevel.ERROR, 'e');
    entry(logLevel.WARN, 'w');
    entry(logLevel.INFO, 'i', { sasl: { password: 'p' }, broker: 'b:1' });
    entry(logLevel.DEBUG, 'd with s3cret inside');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      parsed.map((p) => [p.level, p.msg]),
      [
        [50, 'e'],
        [40, 'w'],
        [20, 'i'],
        [10, 'd with [redacted] inside'],
      ],
    );
    assert.equal(parsed[2]!.sasl, '[redacted]');
    assert.equal(parsed[2]!.broker, 'b:1');
    assert.equal(parsed[2]!.namespace, 'Connection');
  });
});
