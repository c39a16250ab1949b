import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeEvents } from '../helpers/events.js';
import { HttpReceiver } from '../helpers/http-receiver.js';
import { committedOffsets, createTopic, deleteTopics, produce } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { RouterProcess, routerConfig, tempDir, writeConfig } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';

describe('SIGINT stops cleanly within shutdown.timeoutMs', () => {
  let topic: string;
  let receiver: HttpReceiver;

  before(async () => {
    topic = await createTopic('sigint', 1);
    // Never answers: the delivery stays in flight until the router gives up on it.
    receiver = new HttpReceiver(() => undefined);
    await receiver.start();
  });

  after(async () => {
    await receiver.close();
    await deleteTopics(topic, `${topic}.dlq`);
  });

  it('a delivery still in flight at the deadline is left uncommitted, and the exit is 0', async () => {
    const groupId = uniqueName('sigint');
    const config = routerConfig({
      topic,
      groupId,
      sinks: [{ name: 'stuck', type: 'webhook', url: receiver.url, timeoutMs: 300_000, batch: { maxEvents: 1, maxWaitMs: 10 } }],
      extra: { shutdown: { timeoutMs: 500 } },
    });
    const router = new RouterProcess(writeConfig(tempDir(), config));
    await router.joined();
    await produce(
      topic,
      makeEvents(1, 'sigint').map((e) => ({ value: JSON.stringify(e) })),
    );
    await waitFor(() => receiver.requests.length === 1, { what: 'the delivery to be in flight' });

    router.kill('SIGINT');
    // The webhook's own timeout is 300 s: only shutdown.timeoutMs ends the process before the bound here.
    await waitFor(() => router.child.exitCode !== null || router.child.signalCode !== null, {
      timeoutMs: 60_000,
      what: 'the router to exit after SIGINT',
    });
    const { code, signal } = await router.exited;
    assert.equal(signal, null);
    assert.equal(code, 0, router.stderr.slice(-2000));
    assert.match(router.stderr, /stopping: draining sinks \(at most 500 ms\)/);
    assert.match(router.stderr, /shutdown deadline reached with events in flight/);
    assert.match(router.stderr, /"msg":"stopped"/);
    const committed = await committedOffsets(groupId, topic);
    assert.ok(Number(committed.get(0) ?? -1) <= 0, `offset ${committed.get(0)} committed past an unacknowledged event`);
  });
});
