import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AuditRouterError } from '../../src/errors/index.js';
import { checkConsumerProtocol } from '../../src/kafka/consumer-protocol-check.js';
import type { KafkaConfig } from '../../src/kafka/config.js';
import { infraScript } from '../faults/support.js';
import { ownKafkaPort } from '../helpers/ports.js';
import { RouterProcess, routerConfig, tempDir, writeConfig } from '../helpers/router-process.js';
import { uniqueName } from '../helpers/names.js';

// A Kafka 3.9.1 broker of this file's own: the oldest release the router supports, where KIP-848 is off.
const PORT = ownKafkaPort('kafka39');
const BROKER = `127.0.0.1:${PORT}`;
const BROKER_ENV = { KAFKA_PORT: String(PORT), KAFKA_SASL_PORT: '0', KAFKA_VERSION: '3.9.1' };
const REFUSAL = `source.groupProtocol: consumer needs Kafka 4.0 or later (KIP-848); broker ${BROKER} does not offer it: use classic`;

const kafka = (brokers: string[]): KafkaConfig => ({
  brokers,
  clientId: 'kip848-check',
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 10_000,
});

describe('source.groupProtocol consumer on a broker without KIP-848 (Kafka 3.9)', () => {
  before(() => infraScript('kafka.sh', 'start', BROKER_ENV, 300_000).then(() => undefined), { timeout: 320_000 });
  after(() => infraScript('kafka.sh', 'clean', BROKER_ENV).then(() => undefined), { timeout: 60_000 });

  test('the check refuses it in one line naming the broker; a broker that cannot be asked is left to the client', async () => {
    await assert.rejects(
      checkConsumerProtocol(kafka([BROKER])),
      (err: unknown) =>
        err instanceof AuditRouterError &&
        err.code === 'AR_ERR_CONFIG_INVALID' &&
        err.path === 'source.groupProtocol' &&
        err.message === REFUSAL,
    );
    // Nothing listens on port 9: the first broker that answers decides.
    await assert.rejects(checkConsumerProtocol(kafka(['127.0.0.1:9', BROKER])), { message: REFUSAL });
    await checkConsumerProtocol(kafka(['127.0.0.1:9']));
  });

  test(
    'a router asked for it exits 1 with that line, instead of waiting unready for a join librdkafka retries for ever',
    { timeout: 120_000 },
    async () => {
      const topic = uniqueName('kip848-check');
      const tree = routerConfig({ topic, groupId: `${topic}-group`, sinks: [{ name: 'out', type: 'log', file: `${tempDir()}/out.log` }] });
      const config = {
        ...tree,
        kafka: { brokers: [BROKER], clientId: 'kip848-check', engine: 'librdkafka' },
        source: { ...(tree.source as object), groupProtocol: 'consumer' },
      };
      const router = new RouterProcess(writeConfig(tempDir(), config, 'router.json'));
      try {
        const { code } = await router.exited;
        assert.equal(code, 1, router.stderr);
        assert.ok(router.stderr.includes(`AR_ERR_CONFIG_INVALID`) && router.stderr.includes(REFUSAL), router.stderr);
      } finally {
        router.kill('SIGKILL');
      }
    },
  );
});
