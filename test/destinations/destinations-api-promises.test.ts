import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startAdminServer } from '../../src/admin/admin-server.js';
import { destinationsApi } from '../../src/destinations/api.js';
import { validateConfig } from '../../src/config/index.js';
import { buildVocabulary } from '../../src/filter/index.js';
import { createLogger, silentLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { RouterApp } from '../../src/runtime/router-app.js';
import { makeEvents } from '../helpers/events.js';
import { HttpReceiver } from '../helpers/http-receiver.js';
import { createTopic, deleteTopics, produce } from '../helpers/kafka.js';
import { idsIn } from '../helpers/log-files.js';
import { uniqueName } from '../helpers/names.js';
import { routerConfig, tempDir } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';

const ADMIN = 'admin-token-PROMISES-0123456789';

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await request(`${base}/api/v1/destinations${path}`, {
    method: method as 'GET',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('destinations API while the destinations are loading', () => {
  it('answers 503 AR_ERR_API_UNAVAILABLE to reads and writes, and /healthz answers', async () => {
    // The handler RouterApp mounts, in the state it has until the destinations topic is read: no store yet.
    const routes = destinationsApi({
      store: () => undefined,
      tokens: [{ name: 'ops', token: ADMIN, readOnly: false }],
      vocabulary: buildVocabulary(),
      reservedNames: new Set(),
      allowPrivateNetworks: true,
      maxDestinations: 10,
      audit: async () => undefined,
      logger: silentLogger(),
    });
    const server = await startAdminServer({
      listen: '127.0.0.1:0',
      metrics: new Metrics({ defaultMetrics: false }),
      logger: silentLogger(),
      isReady: () => ({ ready: false, reasons: ['destinations loading'] }),
      routes,
    });
    try {
      for (const [method, path, body] of [
        ['GET', '', undefined],
        ['GET', '/some-id', undefined],
        ['POST', '', { name: 'x', url: 'https://example.com/' }],
      ] as const) {
        const res = await call(server.url, method, path, body);
        assert.equal(res.status, 503, `${method} ${path}`);
        assert.equal((res.json.error as { code: string }).code, 'AR_ERR_API_UNAVAILABLE');
      }
      assert.equal((await request(`${server.url}/healthz`)).statusCode, 200);
    } finally {
      await server.close();
    }
  });
});

describe('destinations API: cursor paging, active: false and PATCH', () => {
  let topic: string;
  let groupId: string;
  let dir: string;
  let receiver: HttpReceiver;
  let app: RouterApp;
  let base = '';

  before(async () => {
    topic = await createTopic('dest-promises', 1);
    groupId = uniqueName('dest-promises');
    dir = tempDir();
    receiver = new HttpReceiver((_req, res) => void res.writeHead(200).end());
    await receiver.start();
    const config = validateConfig(
      routerConfig({
        topic,
        groupId,
        sinks: [{ name: 'archive', type: 'log', file: join(dir, 'archive.log'), batch: { maxWaitMs: 10 } }],
        extra: { admin: { listen: '127.0.0.1:0', api: { tokens: [{ name: 'ops', token: ADMIN }], allowPrivateNetworks: true } } },
      }),
    );
    app = await RouterApp.start(config, { logger: createLogger('warn'), onAdminListening: (u) => (base = u) });
  });

  after(async () => {
    await app.stop();
    await receiver.close();
    await deleteTopics(topic, `${topic}.dlq`, `${groupId}.destinations`);
  });

  it('?limit= and ?cursor= page through every destination once, in creation order', async () => {
    const names = ['page-a', 'page-b', 'page-c'];
    for (const name of names)
      assert.equal((await call(base, 'POST', '', { name, url: receiver.url, events: ['rule:*'], active: false })).status, 201);
    const first = await call(base, 'GET', '?limit=2');
    assert.deepEqual(
      (first.json.items as { name: string }[]).map((d) => d.name),
      ['page-a', 'page-b'],
    );
    assert.equal(first.json.total, 3);
    assert.equal(typeof first.json.nextCursor, 'string');
    const second = await call(base, 'GET', `?limit=2&cursor=${String(first.json.nextCursor)}`);
    assert.deepEqual(
      (second.json.items as { name: string }[]).map((d) => d.name),
      ['page-c'],
    );
    assert.equal(second.json.nextCursor, null);
  });

  it('active: false receives nothing and keeps its config; PATCH active: true starts it, keeping its secret', async () => {
    const created = await call(base, 'POST', '', {
      name: 'sleeper',
      url: receiver.url,
      events: ['flag:*'],
      active: false,
      batch: { maxEvents: 1, maxWaitMs: 10 },
      signingSecret: 'whsec-PATCH-KEEPS-ME',
    });
    assert.equal(created.status, 201);
    const id = created.json.id as string;
    assert.ok(!app.router.currentRoutes.some((r) => r.name === 'sleeper'), 'an inactive destination has no route');

    const before = makeEvents(2, 'while-inactive', ['flag:created']);
    await produce(
      topic,
      before.map((e) => ({ value: JSON.stringify(e) })),
    );
    await waitFor(() => idsIn(join(dir, 'archive.log')).filter((i) => i.startsWith('while-inactive')).length === 2, {
      what: 'the events in the config sink',
    });
    assert.equal(receiver.requests.length, 0, 'the inactive destination received events');

    const patched = await call(base, 'PATCH', `/${id}`, { active: true });
    assert.equal(patched.status, 200);
    assert.equal(patched.json.active, true);
    assert.equal(patched.json.signingSecret, '********', 'the secret is kept (and masked)');
    assert.deepEqual(patched.json.events, ['flag:*'], 'the rest of the config is kept');
    await waitFor(() => app.router.currentRoutes.some((r) => r.name === 'sleeper'), { what: 'the patched destination to start' });

    const after = makeEvents(1, 'after-patch', ['flag:updated']);
    await produce(
      topic,
      after.map((e) => ({ value: JSON.stringify(e) })),
    );
    await waitFor(() => receiver.requests.some((r) => r.body.includes(after[0]!.id!)), {
      what: 'the event at the re-activated destination',
    });
    const request = receiver.requests.find((r) => r.body.includes(after[0]!.id!))!;
    assert.match(String(request.headers['x-audit-signature']), /^t=\d+,v1=[0-9a-f]{64}$/, 'signed with the kept secret');
    assert.ok(
      !receiver.requests.some((r) => before.some((e) => r.body.includes(e.id!))),
      'events from while it was inactive are not sent later',
    );
  });
});
