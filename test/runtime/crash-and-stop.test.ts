import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { committedOffsets, createTopic, deleteTopics, produce } from '../helpers/kafka.js';
import { idsIn } from '../helpers/log-files.js';
import { uniqueName } from '../helpers/names.js';
import { RouterProcess, routerConfig, tempDir, writeConfig } from '../helpers/router-process.js';
import { makeEvent } from '../helpers/events.js';
import { waitFor } from '../helpers/wait.js';

const PARTITIONS = 3;

/** Events without ids: each gets `<topic>/<partition>/<offset>`, so a log line tells where it was read. */
function anonymousEvents(n: number) {
  return Array.from({ length: n }, (_, i) => ({ value: JSON.stringify(makeEvent({ key: `k${i}` })), partition: i % PARTITIONS }));
}

function coordinates(id: string): { partition: number; offset: number } {
  const [, partition, offset] = id.split('/');
  return { partition: Number(partition), offset: Number(offset) };
}

async function setup(prefix: string) {
  const topic = await createTopic(prefix, PARTITIONS);
  const groupId = uniqueName(`${prefix}-group`);
  const dir = tempDir();
  const file = join(dir, 'audit.log');
  const configFile = writeConfig(
    dir,
    routerConfig({ topic, groupId, sinks: [{ name: 'archive', type: 'log', file, batch: { maxEvents: 200, maxWaitMs: 20 } }] }),
  );
  return { topic, groupId, file, configFile };
}

describe('crash and stop', () => {
  it('SIGKILL mid-stream of 20,000 events: every event is delivered, duplicates only past the committed offsets', async () => {
    const { topic, groupId, file, configFile } = await setup('sigkill');
    const total = 20_000;
    try {
      const first = new RouterProcess(configFile);
      await first.joined();
      const producing = produce(topic, anonymousEvents(total));
      await waitFor(() => idsIn(file).length >= 4_000, { what: 'the first events to arrive', timeoutMs: 60_000 });
      first.kill('SIGKILL');
      assert.equal((await first.exited).signal, 'SIGKILL');
      const committedAtKill = await committedOffsets(groupId, topic);
      const beforeRestart = idsIn(file).length;
      await producing;

      const second = new RouterProcess(configFile);
      await second.joined();
      await waitFor(() => new Set(idsIn(file)).size >= total, {
        what: `all ${total} events (have ${new Set(idsIn(file)).size})`,
        timeoutMs: 240_000,
      });
      const ids = idsIn(file);
      assert.equal(new Set(ids).size, total, 'every event id at least once');
      const seen = new Map<string, number>();
      for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
      const duplicates = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
      for (const id of duplicates) {
        const { partition, offset } = coordinates(id);
        const committed = Number(committedAtKill.get(partition) ?? -1);
        assert.ok(
          offset >= committed,
          `duplicate ${id} lies before the committed offset ${committed}: it was acknowledged and committed, yet redelivered`,
        );
      }
      console.log(
        `# SIGKILL after ${beforeRestart} lines (committed then: ${JSON.stringify([...committedAtKill])}): ${duplicates.length} duplicates, all at or past the committed offsets`,
      );
      assert.equal((await second.stop()).code, 0);
    } finally {
      await deleteTopics(topic, `${topic}.dlq`);
    }
  });

  it('SIGTERM mid-stream exits 0, and a restart delivers nothing twice', async () => {
    const { topic, file, configFile } = await setup('sigterm');
    const total = 10_000;
    try {
      const first = new RouterProcess(configFile);
      await first.joined();
      const producing = produce(topic, anonymousEvents(total));
      await waitFor(() => idsIn(file).length >= 2_000, { what: 'the first events to arrive', timeoutMs: 60_000 });
      const exit = await first.stop();
      assert.equal(exit.code, 0, `exit code after SIGTERM (signal ${exit.signal}); stderr:\n${first.stderr.slice(-1500)}`);
      assert.match(first.stderr, /"msg":"stopped"/);
      await producing;

      const second = new RouterProcess(configFile);
      await second.joined();
      await waitFor(() => idsIn(file).length >= total, { what: `all ${total} events`, timeoutMs: 120_000 });
      assert.equal((await second.stop()).code, 0);
      const ids = idsIn(file);
      assert.equal(ids.length, total, 'no event was written twice');
      assert.equal(new Set(ids).size, total);
    } finally {
      await deleteTopics(topic, `${topic}.dlq`);
    }
  });
});
