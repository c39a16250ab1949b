import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeEvents } from '../helpers/events.js';
import { HttpReceiver } from '../helpers/http-receiver.js';
import { DLQ_HEADERS } from '../../src/deadletter/headers.js';
import { parkedId } from '../faults/support.js';
import { createTopic, deleteTopics, produce, readAll, readTopic } from '../helpers/kafka.js';
import { idsIn } from '../helpers/log-files.js';
import { uniqueName } from '../helpers/names.js';
import { RouterProcess, routerConfig, runCli, tempDir, writeConfig } from '../helpers/router-process.js';

describe('redrive --sink sends the failures of one sink to another', () => {
  let topic: string;
  let receiver: HttpReceiver;
  let dir: string;
  let configFile: string;

  before(async () => {
    topic = await createTopic('redrive-sink', 1);
    receiver = new HttpReceiver((_req, res) => void res.writeHead(400).end('no'));
    await receiver.start();
    dir = tempDir();
    configFile = writeConfig(
      dir,
      routerConfig({
        topic,
        groupId: uniqueName('redrive-sink'),
        sinks: [
          { name: 'refuser', type: 'webhook', url: receiver.url, events: ['flag:*'], batch: { maxEvents: 10, maxWaitMs: 10 } },
          // Takes no live events; only what redrive --sink hands it.
          { name: 'spare', type: 'log', file: join(dir, 'spare.log'), events: ['rule:*'] },
        ],
      }),
    );
  });

  after(async () => {
    await receiver.close();
    await deleteTopics(topic, `${topic}.dlq`);
  });

  it('the parked events land in the named sink, not in the sink that failed them', async () => {
    const router = new RouterProcess(configFile);
    await router.joined();
    const events = makeEvents(3, 'redrive-sink', ['flag:created']);
    await produce(
      topic,
      events.map((e) => ({ value: JSON.stringify(e) })),
    );
    await readTopic(`${topic}.dlq`, { count: 3 });
    assert.equal((await router.stop()).code, 0);
    const refusedBefore = receiver.requests.length;

    const result = await runCli(['redrive', '-c', configFile, '--sink', 'spare']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /3 delivered, 0 failed again/);
    assert.deepEqual(idsIn(join(dir, 'spare.log')).sort(), events.map((e) => e.id).sort());
    assert.equal(receiver.requests.length, refusedBefore, 'the failing sink was not tried again');

    const unknown = await runCli(['redrive', '-c', configFile, '--sink', 'nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /AR_ERR_USAGE: --sink nope: no such sink in the config \(have: refuser, spare\)/);
  });

  it('a sink that refuses again: each event is parked anew and counted as failed again (exit 1)', async () => {
    const before = await readAll(`${topic}.dlq`);
    const parkedBefore = before.length;
    const refusedBefore = receiver.requests.length;

    const result = await runCli(['redrive', '-c', configFile]);
    assert.equal(result.code, 1, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /: 0 delivered, 3 failed again \(parked anew\)/);
    assert.ok(receiver.requests.length > refusedBefore, 'the failing sink was tried again');

    // The count matches what was parked: the three are at the end of the dead-letter topic, from this sink, once each.
    const after = await readAll(`${topic}.dlq`);
    const anew = after.slice(parkedBefore);
    assert.equal(after.length, parkedBefore + 3, 'three records parked anew, and no more');
    assert.deepEqual(
      anew.map((r) => r.headers[DLQ_HEADERS.sink]),
      ['refuser', 'refuser', 'refuser'],
    );
    assert.deepEqual(anew.map(parkedId).sort(), before.map(parkedId).sort(), 'the same events, parked anew');
  });
});
