import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { registerAuditEventSchema } from '../../src/schema-registry/index.js';
import { makeEvents } from '../helpers/events.js';
import { createTopic, deleteTopics, registryUrl } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { RouterProcess, routerConfig, runCli, tempDir, writeConfig } from '../helpers/router-process.js';

const USER = 'registry-user';
const PASSWORD = 'Reg1stry-PASS-s3cret-9931';

/** Every form the password could be printed in. */
const FORMS = [
  PASSWORD,
  encodeURIComponent(PASSWORD),
  JSON.stringify(PASSWORD).slice(1, -1),
  Buffer.from(`${USER}:${PASSWORD}`).toString('base64'),
];

function assertNoPassword(text: string, where: string): void {
  for (const form of FORMS) assert.ok(!text.includes(form), `${where} shows the registry password (${form})`);
}

describe('registry credentials in the URL are never printed', () => {
  let topic: string;
  /** The real registry, with credentials, on a path where registration fails (404). */
  let failingUrl: string;

  before(async () => {
    topic = await createTopic('registry-credentials', 1);
    const real = new URL(registryUrl());
    failingUrl = `${real.protocol}//${USER}:${PASSWORD}@${real.host}/apis/no-such-api/v7`;
  });

  after(async () => {
    await deleteTopics(topic, `${topic}.avro`, `${topic}.dlq`);
  });

  it('a failed registration names the registry with its credentials masked', async () => {
    const err = await registerAuditEventSchema({ url: failingUrl }, `${topic}-value`).then(
      () => assert.fail('registration succeeded on a path with no API'),
      (e: unknown) => e as { code: string; message: string },
    );
    assert.equal(err.code, 'AR_ERR_REGISTRY_UNAVAILABLE');
    assert.match(err.message, /cannot register the audit event schema at http:\/\/\*\*\*@127\.0\.0\.1:\d+\/apis\/no-such-api\/v7/);
    assertNoPassword(err.message, 'the error');
  });

  it('produce --avro: one masked error line', async () => {
    const event = JSON.stringify(makeEvents(1, 'registry-credentials')[0]);
    const result = await runCli(['produce', '--topic', topic, '--avro', '--registry', failingUrl, '-'], {
      input: `${event}\n`,
      env: { AR_DEBUG: '1', AR_LOG_LEVEL: 'debug' },
    });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /AR_ERR_REGISTRY_UNAVAILABLE: cannot register the audit event schema at http:\/\/\*\*\*@/);
    assertNoPassword(result.stdout + result.stderr, 'produce --avro (with AR_DEBUG stack)');
  });

  it('run with an Avro topic sink: the start-up failure and every log line are masked', async () => {
    const dir = tempDir();
    const config = routerConfig({
      topic,
      groupId: uniqueName('registry-credentials'),
      sinks: [{ name: 'avro-out', type: 'topic', topic: `${topic}.avro`, encoding: 'avro' }],
      extra: { schemaRegistry: { url: failingUrl }, logging: { level: 'debug' } },
    });
    const router = new RouterProcess(writeConfig(dir, config, join('router.json')), { AR_LOG_LEVEL: 'debug', AR_DEBUG: '1' });
    const { code } = await router.exited;
    assert.equal(code, 1, router.stderr);
    assert.match(router.stderr, /cannot register the audit event schema at http:\/\/\*\*\*@/);
    assertNoPassword(router.stderr, 'the router');
  });
});
