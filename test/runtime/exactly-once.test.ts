import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, validateConfig } from '../../src/config/index.js';
import { makeEvents } from '../helpers/events.js';
import { committedOffsets, createTopic, deleteTopics, produce, readTopic, withAdmin } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { RouterProcess, routerConfig, tempDir, writeConfig } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';

describe('exactly-once into topic sinks', () => {
  it('SIGKILL mid-stream leaves no duplicate for a read_committed consumer', async () => {
    const input = await createTopic('eos-in', 3);
    const output = await createTopic('eos-out', 3);
    const groupId = uniqueName('eos');
    const total = 20_000;
    const configFile = writeConfig(
      tempDir(),
      routerConfig({ topic: input, groupId, sinks: [{ name: 'copy', type: 'topic', topic: output, exactlyOnce: true }] }),
    );
    try {
      const first = new RouterProcess(configFile);
      await first.joined();
      const producing = produce(
        input,
        makeEvents(total, 'eos').map((e, i) => ({ value: JSON.stringify(e), partition: i % 3 })),
      );
      // Some transactions committed, more in flight: then the crash.
      await waitFor(
        async () => [...(await committedOffsets(groupId, input)).values()].reduce((s, o) => s + Math.max(0, Number(o)), 0) >= 3_000,
        { what: 'the first committed transactions', timeoutMs: 60_000 },
      );
      first.kill('SIGKILL');
      assert.equal((await first.exited).signal, 'SIGKILL');
      await producing;

      const second = new RouterProcess(configFile);
      await second.joined();
      const high = await withAdmin((admin) => admin.fetchTopicOffsets(input));
      await waitFor(
        async () => {
          const committed = await committedOffsets(groupId, input);
          return high.every((p) => committed.get(p.partition) === p.high);
        },
        { what: 'every input offset committed', timeoutMs: 180_000 },
      );
      assert.equal((await second.stop()).code, 0);

      const copied = await readTopic(output, { count: total, isolation: 'read_committed', timeoutMs: 120_000 });
      const ids = copied.map((m) => m.headers['ar.event.id']);
      assert.equal(new Set(ids).size, total, 'every event is in the output');
      assert.equal(ids.length, total, `no duplicates for read_committed (${ids.length - new Set(ids).size} extra)`);
    } finally {
      await deleteTopics(input, output, `${input}.dlq`);
    }
  });

  it('needs every sink to take part in the transaction', () => {
    const tree = routerConfig({
      topic: 'in',
      groupId: 'g',
      sinks: [
        { name: 'copy', type: 'topic', topic: 'out', exactlyOnce: true },
        { name: 'archive', type: 'log' },
      ],
    });
    assert.throws(
      () => validateConfig(tree),
      (err: ConfigError) => err.issues.some((i) => i.path === 'sinks[1].type' && /exactlyOnce needs every sink/.test(i.message)),
    );
  });
});
