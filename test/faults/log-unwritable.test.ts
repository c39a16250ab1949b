import assert from 'node:assert/strict';
import { appendFileSync, linkSync, readFileSync, renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { validateConfig } from '../../src/config/index.js';
import { RouterApp } from '../../src/runtime/router-app.js';
import { LogSink } from '../../src/sinks/log/log-sink.js';
import { logSinkConfigSchema } from '../../src/sinks/log/config.js';
import type { SinkEvent } from '../../src/sinks/types.js';
import { makeEvent, makeEvents } from '../helpers/events.js';
import { committedOffsets, createTopic, deleteTopics, produce, readAll } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { routerConfig, tempDir } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';
import { capturingLogger, logIds } from './support.js';

const sum = (offsets: Map<number, string>) => [...offsets.values()].reduce((n, o) => n + Math.max(0, Number(o)), 0);

async function scrape(url: string, name: string, labels: string): Promise<number> {
  const text = await (await request(`${url}/metrics`)).body.text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/**
 * Replaces `file` by `target` atomically (a rename over it), as a log
 * rotation or an operator would, so the sink never sees the path missing.
 */
function swapIn(file: string, makeTarget: (tmp: string) => void): void {
  const tmp = `${file}.tmp`;
  makeTarget(tmp);
  renameSync(tmp, file);
}

describe('fault: unwritable log file', () => {
  it('disk full (the path becomes a symlink to /dev/full): failure is visible, offsets hold, and delivery resumes once writable', async () => {
    const topic = await createTopic('fault-logfull', 2);
    const groupId = uniqueName('fault-logfull');
    const dir = tempDir();
    const file = join(dir, 'audit.log');
    const saved = join(dir, 'audit.log.saved');
    const sink = { name: 'archive', type: 'log', file, batch: { maxWaitMs: 10 }, retry: { initialBackoffMs: 20, maxBackoffMs: 200 } };
    const config = validateConfig(routerConfig({ topic, groupId, sinks: [sink], extra: { admin: { listen: '127.0.0.1:0' } } }));
    const { logger, lines } = capturingLogger('warn');
    let url = '';
    const app = await RouterApp.start(config, { logger, onAdminListening: (u) => (url = u) });
    try {
      const first = makeEvents(100, 'before');
      await produce(
        topic,
        first.map((e, i) => ({ value: JSON.stringify(e), partition: i % 2 })),
      );
      await waitFor(() => logIds(file).length === 100, { what: 'the first events in the file' });
      await waitFor(async () => sum(await committedOffsets(groupId, topic)) === 100, { what: 'the first events committed' });

      // The disk fills: the path now leads to /dev/full (ENOSPC on every write). The old file is kept under another name.
      linkSync(file, saved);
      swapIn(file, (tmp) => symlinkSync('/dev/full', tmp));
      const second = makeEvents(200, 'during');
      await produce(
        topic,
        second.map((e, i) => ({ value: JSON.stringify(e), partition: i % 2 })),
      );
      await waitFor(async () => (await scrape(url, 'audit_router_sink_retries_total', 'sink="archive",code="AR_ERR_SINK_WRITE"')) >= 3, {
        what: 'retries of the failing write counted in /metrics',
      });
      const warning = lines()
        .split('\n')
        .find((l) => l.includes('"code":"AR_ERR_SINK_WRITE"'));
      assert.ok(warning, `a warn log with AR_ERR_SINK_WRITE; logs:\n${lines().slice(-1500)}`);
      assert.match(warning, /"level":40/);
      assert.match(warning, /ENOSPC/);
      assert.equal(sum(await committedOffsets(groupId, topic)), 100, 'nothing past the unwritten events is committed');
      assert.equal(logIds(saved).length, 100, 'no event went to the old file behind the new path');
      assert.ok(app.isReady, 'the router keeps running');

      // Space again: the regular file returns to the path.
      renameSync(saved, file);
      await waitFor(() => logIds(file).length >= 300, { what: `every event in the file (have ${logIds(file).length})` });
      assert.deepEqual(new Set(logIds(file)), new Set([...first, ...second].map((e) => e.id)));
      await waitFor(async () => sum(await committedOffsets(groupId, topic)) === 300, { what: 'all offsets committed after recovery' });
      assert.equal((await readAll(config.deadLetter.topic)).length, 0, 'a full disk parks nothing: it stops the pipeline');
    } finally {
      await app.stop();
      await deleteTopics(topic, config.deadLetter.topic);
    }
  });

  it('a rotated file (renamed away) is reopened at the path, and a torn last line is not glued to the next event', async () => {
    const file = join(tempDir(), 'audit.log');
    const config = logSinkConfigSchema.parse({ type: 'log', name: 'archive', file });
    const item = (id: string): SinkEvent => {
      const event = makeEvent({ id });
      return { event, json: JSON.stringify(event), key: null, source: { topic: 't', partition: 0, offset: '0' } };
    };
    const sink = new LogSink(config);
    try {
      await sink.send([item('a')]);
      renameSync(file, `${file}.1`);
      await sink.send([item('b')]);
      assert.deepEqual(logIds(`${file}.1`), ['a']);
      assert.deepEqual(logIds(file), ['b'], 'written to the new file at the path, not to the rotated one');
    } finally {
      await sink.close();
    }
    // A SIGKILL during a large write can leave the last line without its newline; the next process must start a new line.
    appendFileSync(file, '{"id":"torn","vers');
    const next = new LogSink(config);
    try {
      await next.send([item('c')]);
    } finally {
      await next.close();
    }
    assert.deepEqual(readFileSync(file, 'utf8').split('\n').slice(1), ['{"id":"torn","vers', JSON.stringify(item('c').event), '']);
  });
});
