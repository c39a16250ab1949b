import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuditRouterError, type ErrorCode } from '../../../src/errors/index.js';
import { makeEvents } from '../../helpers/events.js';
import { HttpReceiver } from '../../helpers/http-receiver.js';
import { waitFor } from '../../helpers/wait.js';
import { NO_ABORT, sinkEvent, startReceiver, startSink, webhookConfig } from './sink-fixtures.js';

const batch = makeEvents(2, 'err').map(sinkEvent);

/** Runs `promise`, expects an AuditRouterError with `code` and `retriable`, and returns it. */
async function failure(promise: Promise<void>, code: ErrorCode, retriable: boolean): Promise<AuditRouterError> {
  const err = await promise.then(
    () => assert.fail('send() resolved'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AuditRouterError, String(err));
  assert.equal(err.code, code, err.message);
  assert.equal(err.retriable, retriable, err.message);
  return err;
}

test('2xx answers resolve, whatever their body', async (t) => {
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url));
  for (const [status, body] of [
    [200, 'ok'],
    [201, '{"id":1}'],
    [202, ''],
    [204, ''],
  ] as const) {
    receiver.respondWith((_req, res) => void res.writeHead(status).end(body));
    await sink.send(batch, NO_ABORT);
  }
  assert.equal(receiver.requests.length, 4);
});

test('500, 502, 503, 429 and 408 are retriable AR_ERR_SINK_UNAVAILABLE with the status and Retry-After', async (t) => {
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url));
  for (const status of [500, 502, 503, 429, 408]) {
    receiver.respondWith((_req, res) => void res.writeHead(status, { 'retry-after': '1' }).end(`down for maintenance ${status}`));
    const err = await failure(sink.send(batch, NO_ABORT), 'AR_ERR_SINK_UNAVAILABLE', true);
    assert.equal(err.status, status);
    assert.equal(err.retryAfterMs, 1000);
    assert.match(err.message, new RegExp(`HTTP ${status}.*down for maintenance ${status}`));
  }
  receiver.respondWith((_req, res) => void res.writeHead(503).end());
  assert.equal((await failure(sink.send(batch, NO_ABORT), 'AR_ERR_SINK_UNAVAILABLE', true)).retryAfterMs, undefined);
  const date = new Date(Date.now() + 30_000).toUTCString();
  receiver.respondWith((_req, res) => void res.writeHead(429, { 'retry-after': date }).end());
  const err = await failure(sink.send(batch, NO_ABORT), 'AR_ERR_SINK_UNAVAILABLE', true);
  assert.ok(err.retryAfterMs! > 25_000 && err.retryAfterMs! <= 30_000, String(err.retryAfterMs));
});

test('400, 401, 403, 404 and 3xx are non-retriable AR_ERR_SINK_REJECTED with the status', async (t) => {
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url));
  for (const status of [400, 401, 403, 404, 413, 302, 301, 307]) {
    receiver.respondWith((_req, res) => void res.writeHead(status, { location: '/elsewhere', 'retry-after': '5' }).end(`no ${status}`));
    const err = await failure(sink.send(batch, NO_ABORT), 'AR_ERR_SINK_REJECTED', false);
    assert.equal(err.status, status);
    assert.equal(err.retryAfterMs, undefined);
    assert.match(err.message, new RegExp(`HTTP ${status}.*no ${status}`));
    if (status < 400) assert.match(err.message, /redirects are not followed/);
  }
  // Redirects were not followed: one request per send.
  assert.deepEqual(
    receiver.requests.map((r) => r.url),
    Array(8).fill('/hook'),
  );
});

test('followRedirects follows 307/308 within the origin with the same method, body and headers', async (t) => {
  const receiver = await startReceiver(t, (req, res) => {
    if (req.url === '/hook') return void res.writeHead(307, { location: '/moved' }).end();
    if (req.url === '/moved') return void res.writeHead(308, { location: 'final?x=1' }).end();
    res.writeHead(200).end();
  });
  const sink = startSink(
    t,
    webhookConfig(receiver.url, { method: 'PATCH', followRedirects: true, signingSecret: 'whsec-redirect', headers: { 'X-Team': 'a' } }),
  );
  await sink.send(batch, NO_ABORT);
  assert.deepEqual(
    receiver.requests.map((r) => r.url),
    ['/hook', '/moved', '/final?x=1'],
  );
  for (const request of receiver.requests) {
    assert.equal(request.method, 'PATCH');
    assert.equal(request.body, receiver.requests[0]!.body);
    assert.equal(request.headers['x-team'], 'a');
    assert.equal(request.headers['x-audit-signature'], receiver.requests[0]!.headers['x-audit-signature']);
  }
});

test('followRedirects still refuses 301/302/303, other origins and endless chains', async (t) => {
  const other = await startReceiver(t);
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url, { followRedirects: true }));
  const cases: [number, string, RegExp][] = [
    [302, '/moved', /only 307 and 308 are followed/],
    [301, '/moved', /only 307 and 308 are followed/],
    [303, '/moved', /only 307 and 308 are followed/],
    [307, other.url, /another origin/],
    [307, '/hook', /more than 5 redirects/],
  ];
  for (const [status, location, reason] of cases) {
    receiver.respondWith((_req, res) => void res.writeHead(status, { location }).end());
    const err = await failure(sink.send(batch, NO_ABORT), 'AR_ERR_SINK_REJECTED', false);
    assert.equal(err.status, status);
    assert.match(err.message, reason);
  }
  receiver.respondWith((_req, res) => void res.writeHead(307).end());
  assert.match((await failure(sink.send(batch, NO_ABORT), 'AR_ERR_SINK_REJECTED', false)).message, /no Location header/);
  assert.equal(other.requests.length, 0, 'nothing was sent to the other origin');
});

test('a receiver that never answers is a retriable timeout after about timeoutMs', async (t) => {
  const receiver = await startReceiver(t, () => undefined);
  const sink = startSink(t, webhookConfig(receiver.url, { timeoutMs: 300 }));
  const started = Date.now();
  const err = await failure(sink.send(batch, NO_ABORT), 'AR_ERR_SINK_UNAVAILABLE', true);
  const elapsed = Date.now() - started;
  assert.match(err.message, /no complete answer within 300 ms/);
  assert.equal(err.status, undefined);
  assert.ok(elapsed >= 280 && elapsed < 2_000, `took ${elapsed} ms`);
});

test('a 2xx whose body never ends also times out (the whole attempt is bounded)', async (t) => {
  const receiver = await startReceiver(t, (_req, res) => void res.writeHead(200, { 'content-length': '100' }).write('partial'));
  const sink = startSink(t, webhookConfig(receiver.url, { timeoutMs: 300 }));
  assert.match((await failure(sink.send(batch, NO_ABORT), 'AR_ERR_SINK_UNAVAILABLE', true)).message, /within 300 ms/);
});

test('a socket destroyed before or during the response is retriable', async (t) => {
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url));
  receiver.respondWith((_req, res) => void res.socket!.destroy());
  assert.match((await failure(sink.send(batch, NO_ABORT), 'AR_ERR_SINK_UNAVAILABLE', true)).message, /request failed/);
  receiver.respondWith((_req, res) => {
    res.writeHead(200, { 'content-length': '1000' });
    res.write('partial', () => res.socket!.destroy());
  });
  const err = await failure(sink.send(batch, NO_ABORT), 'AR_ERR_SINK_UNAVAILABLE', true);
  assert.match(err.message, /request failed/);
  // The same sink recovers once the receiver behaves.
  receiver.respondWith((_req, res) => void res.writeHead(200).end());
  await sink.send(batch, NO_ABORT);
});

test('a refused connection is retriable', async (t) => {
  const closed = new HttpReceiver();
  const url = await closed.start();
  await closed.close();
  const sink = startSink(t, webhookConfig(url));
  assert.match((await failure(sink.send(batch, NO_ABORT), 'AR_ERR_SINK_UNAVAILABLE', true)).message, /ECONNREFUSED/);
});

test('a 10 MB error body is not downloaded: the message quotes a short prefix and the stream is dropped at the cap', async (t) => {
  let clientHungUp = false;
  const receiver = await startReceiver(t, (_req, res) => {
    res.on('close', () => (clientHungUp = true));
    res.writeHead(500, { 'content-type': 'text/plain' });
    // Never ended: a client that read to the end would wait for timeoutMs instead.
    res.write(Buffer.concat([Buffer.from('ERRORSTART '), Buffer.alloc(10 * 1024 * 1024, 'x')]));
  });
  const sink = startSink(t, webhookConfig(receiver.url, { timeoutMs: 10_000, maxResponseBytes: 65_536 }));
  const started = Date.now();
  const err = await failure(sink.send(batch, NO_ABORT), 'AR_ERR_SINK_UNAVAILABLE', true);
  const elapsed = Date.now() - started;
  assert.equal(err.status, 500);
  assert.ok(err.message.includes('"ERRORSTART xxx'), err.message);
  assert.ok(err.message.length < 400, `message is ${err.message.length} chars`);
  assert.ok(elapsed < 5_000, `took ${elapsed} ms`);
  await waitFor(() => clientHungUp, { timeoutMs: 5_000, what: 'the client to drop the connection' });
});

test('error messages never show the secret, the token or header values, even when the receiver echoes them', async (t) => {
  const secret = 'whsec-ECHO-SECRET-3b9f';
  const token = 'token-ECHO-TOKEN-77aa';
  const headerValue = 'Bearer ECHO-HEADER-VALUE-1c2d';
  const receiver = await startReceiver(t, (req, res) => {
    res.writeHead(400).end(`you sent ${token} and ${req.headers.authorization} signed with ${secret}`);
  });
  const sink = startSink(
    t,
    webhookConfig(receiver.url, { signingSecret: secret, verificationToken: token, headers: { Authorization: headerValue } }),
  );
  const err = await failure(sink.send(batch, NO_ABORT), 'AR_ERR_SINK_REJECTED', false);
  for (const value of [secret, token, headerValue, 'ECHO-HEADER-VALUE']) assert.ok(!err.message.includes(value), err.message);
  assert.match(err.message, /you sent \[redacted\] and \[redacted\] signed with \[redacted\]/);
  // A value straddling the quoted prefix's end is redacted before the cut, so no piece of it shows either.
  receiver.respondWith((_req, res) => void res.writeHead(500).end('p'.repeat(250) + token));
  const cut = await failure(sink.send(batch, NO_ABORT), 'AR_ERR_SINK_UNAVAILABLE', true);
  assert.ok(!cut.message.includes('token-'), cut.message);
});

test('CR/LF in the response body cannot forge log lines', async (t) => {
  const receiver = await startReceiver(t, (_req, res) => void res.writeHead(400).end('bad\r\nlevel=error msg=forged'));
  const sink = startSink(t, webhookConfig(receiver.url));
  const err = await failure(sink.send(batch, NO_ABORT), 'AR_ERR_SINK_REJECTED', false);
  assert.ok(!/[\r\n]/.test(err.message), err.message);
  assert.ok(err.message.includes('bad\\r\\nlevel=error'), err.message);
});

test('aborting the signal stops an in-flight request with AR_ERR_SINK_CLOSED', async (t) => {
  const receiver = await startReceiver(t, () => undefined);
  const sink = startSink(t, webhookConfig(receiver.url, { timeoutMs: 60_000 }));
  const controller = new AbortController();
  const sending = sink.send(batch, controller.signal);
  await waitFor(() => receiver.requests.length === 1, { timeoutMs: 5_000, what: 'the request to arrive' });
  const started = Date.now();
  controller.abort();
  await failure(sending, 'AR_ERR_SINK_CLOSED', true);
  assert.ok(Date.now() - started < 1_000);
  await failure(sink.send(batch, controller.signal), 'AR_ERR_SINK_CLOSED', true);
  assert.equal(receiver.requests.length, 1, 'an already aborted signal sends nothing');
});

test('blockPrivateNetworks refuses a private address on every connection, by literal or by name, before any request', async (t) => {
  const receiver = await startReceiver(t);
  const port = new URL(receiver.url).port;
  for (const host of ['127.0.0.1', 'localhost']) {
    const sink = startSink(t, webhookConfig(`http://${host}:${port}/hook`, { blockPrivateNetworks: true }));
    const err = await failure(sink.send(batch, NO_ABORT), 'AR_ERR_SINK_REJECTED', false);
    assert.match(err.message, /refused to connect to (127\.0\.0\.1|::1).*private address \(blockPrivateNetworks\)/);
    if (host === 'localhost') assert.match(err.message, /localhost resolves to it/);
  }
  assert.equal(receiver.requests.length, 0);
  // The same receiver is reachable without the block: the refusal above was the policy, not the network.
  await startSink(t, webhookConfig(`http://localhost:${port}/hook`)).send(batch, NO_ABORT);
  assert.equal(receiver.requests.length, 1);
});
