import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTopic, deleteTopics } from '../helpers/kafka.js';
import { idsIn } from '../helpers/log-files.js';
import { makeEvent } from '../helpers/events.js';
import { uniqueName } from '../helpers/names.js';
import { RouterProcess, routerConfig, runCli, tempDir, writeConfig } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';

/** The broker's SASL_PLAINTEXT listener; it advertises itself, so the client stays on SASL after metadata. */
const saslBrokers = (process.env.KAFKA_SASL_BROKERS ?? '127.0.0.1:9094').split(',');
const WRONG_PASSWORD = 'wrong-audit-secret-4d1e';

describe('a router on a SASL (SCRAM-SHA-256) listener', () => {
  let topic: string;
  let dir: string;
  const sasl = (password: string) => ({ mechanism: 'scram-sha-256', username: 'audit', password });
  const config = (file: string, password: string, name: string) =>
    writeConfig(
      dir,
      routerConfig({
        topic,
        groupId: uniqueName('sasl-group'),
        sinks: [{ name: 'archive', type: 'log', file: join(dir, file) }],
        extra: { kafka: { brokers: saslBrokers, clientId: 'audit-router-sasl-test', sasl: sasl(password) } },
      }),
      name,
    );

  before(async () => {
    topic = await createTopic('sasl-router');
    dir = tempDir();
  });

  after(async () => {
    await deleteTopics(topic, `${topic}.dlq`);
  });

  it('produce, run and replay connect with kafka.sasl and route an event', async () => {
    const good = config('run.log', 'audit-secret', 'good.json');
    const event = makeEvent({ id: uniqueName('sasl-event') });
    const produced = await runCli(['produce', '-c', good], { input: JSON.stringify(event) + '\n' });
    assert.equal(produced.code, 0, produced.stderr);

    const router = new RouterProcess(good);
    try {
      await router.joined();
      await waitFor(() => idsIn(join(dir, 'run.log')).includes(event.id!), { what: 'the event in the log sink', timeoutMs: 60_000 });
    } finally {
      assert.equal((await router.stop()).code, 0, router.stderr.slice(-1500));
    }

    const replayed = await runCli(['replay', '-c', config('replay.log', 'audit-secret', 'replay.json'), '--from', 'earliest'], {
      timeoutMs: 60_000,
    });
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.deepEqual(idsIn(join(dir, 'replay.log')), [event.id]);
  });

  it('a wrong password: exit 1, one line naming AR_ERR_KAFKA_AUTH, never the password', async () => {
    const bad = config('bad.log', WRONG_PASSWORD, 'bad.json');
    const commands = [
      ['run', '-c', bad],
      ['replay', '-c', bad, '--from', 'earliest'],
      ['offsets', '-c', bad],
    ];
    for (const args of commands) {
      const result = await runCli(args, { timeoutMs: 60_000 });
      assert.equal(result.code, 1, `${args[0]}: ${result.stderr}`);
      assert.equal(result.stdout, '', args[0]);
      assert.match(
        result.stderr,
        /^audit-router: error AR_ERR_KAFKA_AUTH: Kafka refused the SASL credentials for user audit \(scram-sha-256\)[^\n]*\n$/,
        `${args[0]}: exactly one line:\n${result.stderr}`,
      );
      assert.ok(!result.stderr.includes(WRONG_PASSWORD), `${args[0]} printed the password`);
    }
    const produced = await runCli(['produce', '-c', bad], { input: JSON.stringify(makeEvent()) + '\n', timeoutMs: 60_000 });
    assert.equal(produced.code, 1);
    assert.match(produced.stderr, /^audit-router: error AR_ERR_KAFKA_AUTH: [^\n]*\n$/);
    assert.ok(!produced.stderr.includes(WRONG_PASSWORD) && !produced.stdout.includes(WRONG_PASSWORD));
  });
});
