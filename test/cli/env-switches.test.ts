import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTopic, deleteTopics } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { RouterProcess, routerConfig, runCli, tempDir, writeConfig } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';

describe('AR_DEBUG and AR_LOG_LEVEL', () => {
  let topic: string;

  before(async () => {
    topic = await createTopic('env-switches', 1);
  });
  after(async () => {
    await deleteTopics(topic, `${topic}.dlq`);
  });

  it('an error is one line, and AR_DEBUG=1 adds its stack', async () => {
    const file = writeConfig(tempDir(), { kafka: { brokers: ['nope'] }, source: { topic: 't', groupId: 'g' }, sinks: [] });
    const plain = await runCli(['run', '-c', file], { env: { AR_DEBUG: '' } });
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /^audit-router: error AR_ERR_CONFIG_INVALID: /);
    assert.equal(plain.stderr.trim().split('\n').length, 1, plain.stderr);
    const debug = await runCli(['run', '-c', file], { env: { AR_DEBUG: '1' } });
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, /^audit-router: error AR_ERR_CONFIG_INVALID: .*\n.*Error.*\n\s+at /);
  });

  it('AR_LOG_LEVEL overrides logging.level', async () => {
    const config = routerConfig({
      topic,
      groupId: uniqueName('env-switches'),
      sinks: [{ name: 'out', type: 'log', file: `${tempDir()}/out.log` }],
      extra: { logging: { level: 'error' } },
    });
    const router = new RouterProcess(writeConfig(tempDir(), config), { AR_LOG_LEVEL: 'debug' });
    try {
      // Debug lines (pino level 20) appear although the file says error; "assigned partitions" is info (30).
      await waitFor(() => router.stderr.includes('"level":20') && router.stderr.includes('assigned partitions'), {
        what: `debug and info lines; stderr:\n${router.stderr.slice(-1000)}`,
      });
    } finally {
      assert.equal((await router.stop()).code, 0);
    }
  });
});
