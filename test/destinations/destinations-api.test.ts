import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { validateConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { RouterApp } from '../../src/runtime/router-app.js';
import { makeCertificates, type Certificates } from '../helpers/certificates.js';
import { makeEvents } from '../helpers/events.js';
import { HttpReceiver } from '../helpers/http-receiver.js';
import { createTopic, deleteTopics, produce, readAll } from '../helpers/kafka.js';
import { idsIn, readLogEvents } from '../helpers/log-files.js';
import { uniqueName } from '../helpers/names.js';
import { routerConfig, runCli, tempDir } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';

const ADMIN = 'admin-token-0123456789abcdef';
const READER = 'reader-token-0123456789abcdef';
const SECRET = 'whsec-SHOULD-NEVER-APPEAR-4711';
const HEADER_SECRET = 'Bearer HEADER-SECRET-NEVER-SHOWN-0815';
const CLIENT_SECRET = 'oauth2-CLIENT-SECRET-NEVER-SHOWN-1312';

/** Everything every instance logged, to grep for secrets. */
const logs: string[] = [];
const logSink = new Writable({ write: (chunk, _enc, done) => (logs.push(String(chunk)), done()) });

interface Instance {
  app: RouterApp;
  url: string;
}

function api(instance: Instance, method: string, path: string, { token = ADMIN, body }: { token?: string | null; body?: unknown } = {}) {
  return request(`${instance.url}/api/v1/destinations${path}`, {
    method: method as 'GET',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (res) => ({ status: res.statusCode, text: await res.body.text() }));
}

describe('destinations API', () => {
  let topic: string;
  let groupId: string;
  let receiver: HttpReceiver;
  let dir: string;
  let certs: Certificates;
  const instances: Instance[] = [];
  const responses: string[] = [];

  async function startInstance(name: string, allowPrivateNetworks = true, maxDestinations = 100): Promise<Instance> {
    const config = validateConfig(
      routerConfig({
        topic,
        groupId,
        sinks: [{ name: 'archive', type: 'log', file: join(dir, `${name}.log`), batch: { maxWaitMs: 10 } }],
        extra: {
          admin: {
            listen: '127.0.0.1:0',
            api: {
              tokens: [
                { name: 'ops-admin', token: ADMIN },
                { name: 'auditor', token: READER, readOnly: true },
              ],
              allowPrivateNetworks,
              maxDestinations,
            },
          },
        },
      }),
    );
    let url = '';
    const app = await RouterApp.start(config, { logger: createLogger('debug', logSink), onAdminListening: (u) => (url = u) });
    const instance = { app, url };
    instances.push(instance);
    return instance;
  }

  async function call(instance: Instance, method: string, path: string, options?: { token?: string | null; body?: unknown }) {
    const res = await api(instance, method, path, options);
    responses.push(res.text);
    return res;
  }

  before(async () => {
    topic = await createTopic('destinations', 2);
    groupId = uniqueName('destinations');
    dir = tempDir();
    certs = makeCertificates();
    receiver = new HttpReceiver((_req, res) => void res.writeHead(200).end());
    await receiver.start();
  });

  after(async () => {
    await Promise.all(instances.map((i) => i.app.stop()));
    await receiver.close();
    certs.remove();
    await deleteTopics(topic, `${topic}.dlq`, `${groupId}.destinations`);
  });

  it('a destination created on instance A receives events instance B consumes, within 5 s; delete stops it on both; restarts keep the rest', async () => {
    const a = await startInstance('a');
    const b = await startInstance('b');
    await waitFor(() => a.app.isReady && b.app.isReady, { what: 'both instances to join' });

    const created = await call(a, 'POST', '', {
      body: {
        name: 'siem',
        url: receiver.url,
        events: ['flag:*'],
        batch: { maxEvents: 10, maxWaitMs: 20 },
        signingSecret: SECRET,
        headers: { Authorization: HEADER_SECRET },
        secretHeaders: ['Authorization'],
      },
    });
    assert.equal(created.status, 201, created.text);
    const destination = JSON.parse(created.text) as {
      id: string;
      verificationToken: string;
      signingSecret: string;
      headers: Record<string, string>;
    };
    assert.equal(destination.signingSecret, '********');
    assert.equal(destination.headers.Authorization, '********');
    assert.match(destination.verificationToken, /^[\w-]{20,}$/, 'generated and shown once on create');
    const createdAt = Date.now();
    await waitFor(() => b.app.router.currentRoutes.some((r) => r.name === 'siem'), {
      timeoutMs: 5_000,
      what: 'instance B to run the destination',
    });
    assert.ok(Date.now() - createdAt < 5_000);

    // Events on both partitions: each instance consumes one.
    const events = makeEvents(20, 'dest', ['flag:created', 'segment:deleted']);
    await produce(
      topic,
      events.map((e, i) => ({ value: JSON.stringify(e), partition: i % 2 })),
    );
    const expected = events
      .filter((e) => e.type === 'flag')
      .map((e) => e.id)
      .sort();
    const received = () => receiver.requests.flatMap((r) => (JSON.parse(r.body) as { id: string }[]).map((e) => e.id));
    await waitFor(() => received().length >= expected.length, { what: 'flag events at the destination' });
    assert.deepEqual([...new Set(received())].sort(), expected);
    assert.ok(
      receiver.requests.every(
        (r) => r.headers.authorization === HEADER_SECRET && r.headers['x-audit-verification-token'] === destination.verificationToken,
      ),
    );

    const get = await call(b, 'GET', `/${destination.id}`, { token: READER });
    assert.equal(get.status, 200);
    assert.equal(JSON.parse(get.text).signingSecret, '********');

    const second = await call(a, 'POST', '', { body: { name: 'keeper', url: receiver.url, events: ['segment:*'] } });
    assert.equal(second.status, 201, second.text);
    assert.equal((await call(a, 'POST', '', { body: { name: 'keeper', url: receiver.url } })).status, 409, 'names are unique');
    assert.equal((await call(a, 'POST', '', { body: { name: 'archive', url: receiver.url } })).status, 409, 'config sink names are taken');

    assert.equal((await call(b, 'DELETE', `/${destination.id}`)).status, 204);
    await waitFor(() => instances.every((i) => !i.app.router.currentRoutes.some((r) => r.name === 'siem')), {
      timeoutMs: 5_000,
      what: 'both instances to drop the deleted destination',
    });
    const before = receiver.requests.length;
    const more = makeEvents(10, 'after-delete', ['flag:updated']);
    await produce(
      topic,
      more.map((e, i) => ({ value: JSON.stringify(e), partition: i % 2 })),
    );
    await waitFor(
      () => [a, b].flatMap((_, n) => idsIn(join(dir, `${'ab'[n]}.log`))).filter((id) => id.startsWith('after-delete')).length >= 10,
      { what: 'post-delete events in the config sinks' },
    );
    assert.equal(receiver.requests.length, before, 'a deleted destination receives nothing');

    await Promise.all(instances.splice(0).map((i) => i.app.stop()));
    const a2 = await startInstance('a');
    const b2 = await startInstance('b');
    for (const instance of [a2, b2]) {
      assert.deepEqual(
        instance.app.router.currentRoutes.map((r) => r.name).sort(),
        ['archive', 'keeper'],
        'the remaining destination survives restarts',
      );
    }
    const list = await call(a2, 'GET', '?limit=1', { token: READER });
    assert.equal(list.status, 200);
    assert.deepEqual(
      JSON.parse(list.text).items.map((d: { name: string }) => d.name),
      ['keeper'],
    );
  });

  it('answers 401 without or with a wrong token, 403 to the read-only token on writes', async () => {
    const instance = instances[0] ?? (await startInstance('auth'));
    for (const [method, path] of [
      ['GET', ''],
      ['POST', ''],
      ['GET', '/x'],
      ['PATCH', '/x'],
      ['DELETE', '/x'],
    ] as const) {
      assert.equal(
        (await call(instance, method, path, { token: null, body: method === 'GET' || method === 'DELETE' ? undefined : {} })).status,
        401,
        `${method} ${path} without a token`,
      );
      assert.equal(
        (
          await call(instance, method, path, {
            token: 'wrong-token-0123456789abcdef',
            body: method === 'GET' || method === 'DELETE' ? undefined : {},
          })
        ).status,
        401,
        `${method} ${path} with a wrong token`,
      );
    }
    for (const [method, path] of [
      ['POST', ''],
      ['PATCH', '/x'],
      ['DELETE', '/x'],
    ] as const) {
      const res = await call(instance, method, path, {
        token: READER,
        body: method === 'DELETE' ? undefined : { name: 'x', url: receiver.url },
      });
      assert.equal(res.status, 403, `${method} ${path} with the read-only token`);
      assert.equal(JSON.parse(res.text).error.code, 'AR_ERR_API_FORBIDDEN');
    }
    const invalid = await call(instance, 'POST', '', { body: { name: 'bad', url: 'ftp://example.com', events: ['flg:created'] } });
    assert.equal(invalid.status, 400);
    const issues = JSON.parse(invalid.text).error.issues.map((i: { path: string }) => i.path);
    assert.ok(issues.includes('url') && issues.includes('events[0]'), invalid.text);
  });

  it('refuses a destination on 127.0.0.1 unless allowPrivateNetworks is on', async () => {
    const strict = await startInstance('strict', false);
    const res = await call(strict, 'POST', '', { body: { name: 'local', url: receiver.url } });
    assert.equal(res.status, 400);
    assert.match(res.text, /"path":"url".*127\.0\.0\.1.*allowPrivateNetworks/);

    // Stored when its address was allowed (here: by a lenient instance; in the wild: a name whose DNS answer
    // changed since), the destination still runs on the strict instance, whose sink refuses every connection.
    const lenient = instances.find((i) => i !== strict) ?? (await startInstance('lenient'));
    const created = await call(lenient, 'POST', '', {
      body: { name: 'rebound', url: receiver.url.replace('127.0.0.1', 'localhost'), events: ['token:*'] },
    });
    assert.equal(created.status, 201, created.text);
    const rebound = () => strict.app.router.currentRoutes.find((r) => r.name === 'rebound');
    await waitFor(() => rebound() !== undefined, { timeoutMs: 5_000, what: 'the strict instance to run the stored destination' });
    const event = makeEvents(1, 'rebound', ['token:created'])[0]!;
    const sinkEvent = { event, json: JSON.stringify(event), key: null, source: { topic, partition: 0, offset: '0' } };
    const requestsBefore = receiver.requests.length;
    const err = await rebound()!
      .target.target.send([sinkEvent], new AbortController().signal)
      .then(
        () => assert.fail('the strict instance connected to localhost'),
        (e: unknown) => e as { code?: string; message?: string },
      );
    assert.equal(err.code, 'AR_ERR_SINK_REJECTED');
    assert.match(err.message ?? '', /localhost resolves to it.*blockPrivateNetworks/);
    assert.equal(receiver.requests.length, requestsBefore);
    assert.equal((await call(lenient, 'DELETE', `/${JSON.parse(created.text).id}`)).status, 204);
  });

  it('refuses a destination past admin.api.maxDestinations', async () => {
    const small = await startInstance('small', true, 1);
    const res = await call(small, 'POST', '', { body: { name: 'one-too-many', url: receiver.url } });
    assert.equal(res.status, 409, res.text);
    assert.match(JSON.parse(res.text).error.message, /at most 1 destinations/);
  });

  it('emits destination:created into the input topic, routed like any other event', async () => {
    const events = (await readAll(topic)).map(
      (m) =>
        JSON.parse(m.value!.toString()) as {
          type: string;
          action: string;
          timestamp: string;
          metadata: { actor: { name: string } };
          payload: Record<string, unknown>;
        },
    );
    // The first test's destinations; later tests add their own to the same trail.
    const fromFirstTest = (e: { type: string; payload?: unknown }) =>
      e.type === 'destination' && ['siem', 'keeper'].includes(String((e.payload as { name?: unknown } | undefined)?.name));
    // Keyed by destination id, so spread over partitions: order by time, not by read order.
    const trail = events.filter(fromFirstTest).sort((x, y) => x.timestamp.localeCompare(y.timestamp));
    assert.deepEqual(
      trail.map((e) => e.action),
      ['created', 'created', 'deleted'],
    );
    assert.ok(events.filter((e) => e.type === 'destination').every((e) => e.metadata.actor.name === 'ops-admin'));
    const routed = () =>
      readLogEvents(join(dir, 'a.log'))
        .concat(readLogEvents(join(dir, 'b.log')))
        .filter(fromFirstTest);
    await waitFor(() => routed().length >= 3, { what: 'the admin trail in the config log sinks (events *:*)' });
    assert.deepEqual(
      routed()
        .map((e) => e.action)
        .sort(),
      ['created', 'created', 'deleted'],
    );
  });

  it('the destinations CLI creates, lists and deletes through the API', async () => {
    const instance = instances[0]!;
    const env = { AR_ADMIN_TOKEN: ADMIN };
    const created = await runCli(['destinations', 'create', '--url', instance.url, '-'], {
      env,
      input: JSON.stringify({ name: 'from-cli', url: receiver.url, events: ['rule:*'], signingSecret: SECRET }),
    });
    assert.equal(created.code, 0, created.stderr);
    responses.push(created.stdout);
    const { id } = JSON.parse(created.stdout) as { id: string };
    const listed = await runCli(['destinations', 'list', '--url', instance.url], { env });
    assert.ok((JSON.parse(listed.stdout).items as { name: string }[]).some((d) => d.name === 'from-cli'));
    assert.equal((await runCli(['destinations', 'delete', id, '--url', instance.url], { env })).code, 0);
    const denied = await runCli(['destinations', 'list', '--url', instance.url], {
      env: { AR_ADMIN_TOKEN: 'wrong-token-0123456789abcdef' },
    });
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /^audit-router: error AR_ERR_API_UNAUTHORIZED: HTTP 401/);
    assert.equal(denied.stderr.trim().split('\n').length, 1);
  });

  it('OAuth2 and mutual TLS through the API: client secret and key write-only, a private token endpoint refused', async () => {
    const strict = await startInstance('strict-oauth2', false);
    const auth = {
      type: 'oauth2',
      tokenUrl: 'http://127.0.0.1:9/token',
      clientId: 'audit-router',
      clientSecret: CLIENT_SECRET,
      audience: 'https://siem.example.com',
    };
    // A public address literal, so only the token endpoint is at issue (and nothing is looked up).
    const refused = await call(strict, 'POST', '', { body: { name: 'private-token', url: 'https://93.184.215.14/audit', auth } });
    assert.equal(refused.status, 400, refused.text);
    assert.match(refused.text, /"path":"auth.tokenUrl".*127\.0\.0\.1.*allowPrivateNetworks/);

    const lenient = instances[0]!;
    const tls = { ca: certs.read(certs.caCert), cert: certs.read(certs.clientCert), key: certs.read(certs.clientKey) };
    const body = { name: 'sentinel', url: 'https://127.0.0.1:9/ingest', events: ['variant:*'], auth, tls, format: 'cloudevents' };
    const created = await call(lenient, 'POST', '', { body });
    assert.equal(created.status, 201, created.text);
    const view = JSON.parse(created.text) as { id: string; auth: Record<string, string>; tls: Record<string, string> };
    assert.equal(view.auth.clientSecret, '********');
    assert.equal(view.tls.key, '********');
    assert.equal(view.tls.cert, tls.cert);
    const patched = await call(lenient, 'PATCH', `/${view.id}`, { body: { auth: { ...view.auth, scope: 'audit.write' }, tls: view.tls } });
    assert.equal(patched.status, 200, patched.text);
    const running = () => lenient.app.router.currentRoutes.find((r) => r.name === 'sentinel');
    await waitFor(() => running(), { what: 'the destination to run' });
    const moved = await call(lenient, 'PATCH', `/${view.id}`, {
      body: { auth: { ...view.auth, tokenUrl: 'https://elsewhere.example.net/token' } },
    });
    assert.equal(moved.status, 400);
    assert.match(moved.text, /"path":"auth.clientSecret"/);
    const byPath = await call(lenient, 'PATCH', `/${view.id}`, { body: { tls: { ...view.tls, key: certs.clientKey } } });
    assert.equal(byPath.status, 400);
    assert.match(byPath.text, /"path":"tls.key","message":"give the PEM text itself/);
    assert.equal((await call(lenient, 'DELETE', `/${view.id}`)).status, 204);
  });

  it('never shows a secret in clear: responses, logs, the input topic', async () => {
    const everything = [...responses, ...logs, ...(await readAll(topic)).map((m) => m.value!.toString())].join('\n');
    const keyLine = certs.read(certs.clientKey).split('\n')[1]!;
    for (const secret of [SECRET, HEADER_SECRET, ADMIN, READER, CLIENT_SECRET, keyLine])
      assert.ok(!everything.includes(secret), `${secret} leaked`);
  });
});
