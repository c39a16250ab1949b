import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { validateConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Route } from '../../src/route/event-router.js';
import { RouterApp } from '../../src/runtime/router-app.js';
import type { SinkRunner } from '../../src/sinks/runner.js';
import { makeEvents } from '../helpers/events.js';
import { HttpReceiver } from '../helpers/http-receiver.js';
import { createTopic, deleteTopics, produce } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { routerConfig, tempDir } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';

const ADMIN = 'admin-token-TEARDOWN-0123456789';

describe('RouterApp.stop closes every destination route, including one still retrying after its removal', () => {
  let topic: string;
  let groupId: string;
  let receiver: HttpReceiver;
  let retired: Route<SinkRunner> | undefined;

  before(async () => {
    topic = await createTopic('teardown', 1);
    groupId = uniqueName('teardown');
    receiver = new HttpReceiver((_req, res) => void res.writeHead(500).end('down'));
    await receiver.start();
  });

  after(async () => {
    // Closed by stop() when the fix holds; closed here otherwise, so a failing run does not retry for ever.
    await retired?.target.close().catch(() => undefined);
    await receiver.close();
    await deleteTopics(topic, `${topic}.dlq`, `${groupId}.destinations`);
  });

  it('a deleted destination whose runner retries for ever is closed by stop()', async () => {
    const config = validateConfig(
      routerConfig({
        topic,
        groupId,
        sinks: [{ name: 'archive', type: 'log', file: join(tempDir(), 'archive.log') }],
        extra: { admin: { listen: '127.0.0.1:0', api: { tokens: [{ name: 'ops', token: ADMIN }], allowPrivateNetworks: true } } },
      }),
    );
    let base = '';
    const app = await RouterApp.start(config, { logger: createLogger('warn'), onAdminListening: (u) => (base = u) });
    const api = (method: 'POST' | 'DELETE', path: string, body?: unknown) =>
      request(`${base}/api/v1/destinations${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    // Retries for ever (maxElapsedMs 0, no breaker): after its deletion it drains, which never ends.
    const created = await api('POST', '', {
      name: 'forever',
      url: receiver.url,
      events: ['flag:*'],
      batch: { maxEvents: 1, maxWaitMs: 10 },
      retry: { initialBackoffMs: 50, maxBackoffMs: 100, maxElapsedMs: 0 },
      circuitBreaker: { failureThreshold: 0 },
    });
    const text = await created.body.text();
    assert.equal(created.statusCode, 201, text);
    const { id } = JSON.parse(text) as { id: string };
    retired = await waitFor(() => app.router.currentRoutes.find((r) => r.name === 'forever'), { what: 'the destination route' });
    await produce(
      topic,
      makeEvents(1, 'teardown', ['flag:created']).map((e) => ({ value: JSON.stringify(e) })),
    );
    await waitFor(() => receiver.requests.length >= 2, { what: 'the destination to be retrying' });

    assert.equal((await api('DELETE', `/${id}`)).statusCode, 204);
    await waitFor(() => !app.router.currentRoutes.some((r) => r.name === 'forever'), { what: 'the route to be retired' });
    await app.stop();

    // Closed: its sink refuses to send (undici's closed client), rather than reaching the receiver.
    const before = receiver.requests.length;
    const event = makeEvents(1, 'after-stop', ['flag:created'])[0]!;
    const err = await retired.target.target
      .send([{ event, json: JSON.stringify(event), key: null, source: { topic, partition: 0, offset: '0' } }], new AbortController().signal)
      .then(
        () => assert.fail('the retired sink still sends after stop()'),
        (e: unknown) => e as Error,
      );
    assert.doesNotMatch(err.message, /HTTP 500/, 'the retired sink reached the receiver after stop()');
    assert.match(err.message, /closed|destroyed/i);
    assert.equal(receiver.requests.length, before);
  });
});
