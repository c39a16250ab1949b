import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuditRouterError } from '../../../src/errors/index.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { Metrics } from '../../../src/observability/metrics.js';
import { SinkRunner, type FailedDelivery } from '../../../src/sinks/runner.js';
import { WebhookSink } from '../../../src/sinks/webhook/webhook-sink.js';
import type { WebhookSinkConfig } from '../../../src/sinks/webhook/config.js';
import { makeEvents } from '../../helpers/events.js';
import type { Responder } from '../../helpers/http-receiver.js';
import { waitFor } from '../../helpers/wait.js';
import { CLIENTS, RESOURCE, SCOPE, startOAuth2Server, type OAuth2Server } from './oauth2-server.js';
import { NO_ABORT, sinkEvent, startReceiver, startSink, webhookConfig } from './sink-fixtures.js';

const batch = makeEvents(2, 'oauth').map(sinkEvent);

async function oauth2Server(t: { after(fn: () => Promise<void>): void }, ttlSeconds?: number): Promise<OAuth2Server> {
  const server = await startOAuth2Server(ttlSeconds);
  t.after(() => server.close());
  return server;
}

/** A resource server: accepts a request only if the provider says its bearer token is active, for RESOURCE, with SCOPE. */
function introspecting(server: OAuth2Server): Responder {
  return async (req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const info = token ? await server.introspect(token) : { active: false };
    const ok = info.active && info.aud === RESOURCE && info.scope?.split(' ').includes(SCOPE);
    res
      .writeHead(ok ? 200 : 401, ok ? {} : { 'www-authenticate': 'Bearer error="invalid_token"' })
      .end(ok ? 'ok' : `refused ${req.headers.authorization}`);
  };
}

function auth(server: OAuth2Server, overrides: Record<string, unknown> = {}) {
  return {
    type: 'oauth2',
    tokenUrl: server.tokenUrl,
    clientId: CLIENTS.basic.id,
    clientSecret: CLIENTS.basic.secret,
    scope: SCOPE,
    audience: RESOURCE,
    ...overrides,
  };
}

function bearer(header: string | string[] | undefined): string {
  return /^Bearer (.+)$/.exec(String(header))![1]!;
}

test('delivers with a token the provider issued; one token request serves every batch, concurrent ones included', async (t) => {
  const server = await oauth2Server(t);
  const receiver = await startReceiver(t, introspecting(server));
  const sink = startSink(t, webhookConfig(receiver.url, { auth: auth(server) }));
  await Promise.all([sink.send(batch, NO_ABORT), sink.send(batch, NO_ABORT), sink.send(batch, NO_ABORT)]);
  await sink.send(batch, NO_ABORT);
  assert.deepEqual(
    receiver.requests.map((r) => r.attempt),
    [1, 2, 3, 4],
  );
  assert.equal(server.tokenRequests, 1);
  assert.equal(new Set(receiver.requests.map((r) => r.headers.authorization)).size, 1);
});

test('client_secret_post sends the credentials as form fields', async (t) => {
  const server = await oauth2Server(t);
  const receiver = await startReceiver(t, introspecting(server));
  const sink = startSink(
    t,
    webhookConfig(receiver.url, {
      auth: auth(server, { clientId: CLIENTS.post.id, clientSecret: CLIENTS.post.secret, clientAuthentication: 'post' }),
    }),
  );
  await sink.send(batch, NO_ABORT);
  assert.equal((await server.introspect(bearer(receiver.requests[0]!.headers.authorization))).client_id, CLIENTS.post.id);
});

test('without the audience the provider issues a token the receiver refuses: audience is what makes it valid there', async (t) => {
  const server = await oauth2Server(t);
  const receiver = await startReceiver(t, introspecting(server));
  const sink = startSink(t, webhookConfig(receiver.url, { auth: auth(server, { audience: undefined }) }));
  const err = await sink.send(batch, NO_ABORT).then(
    () => assert.fail('delivered'),
    (e: AuditRouterError) => e,
  );
  assert.equal(err.code, 'AR_ERR_SINK_REJECTED');
  assert.equal(err.status, 401);
});

test('a token is renewed before it expires: no request is refused for an expired token', async (t) => {
  // The provider issues 2-second tokens; the sink renews once half the lifetime is gone.
  const server = await oauth2Server(t, 2);
  const receiver = await startReceiver(t, introspecting(server));
  const sink = startSink(t, webhookConfig(receiver.url, { auth: auth(server) }));
  await sink.send(batch, NO_ABORT);
  const first = bearer(receiver.requests[0]!.headers.authorization);
  await waitFor(async () => !(await server.introspect(first)).active, { what: 'the provider to expire the first token' });
  await sink.send(batch, NO_ABORT);
  assert.equal(server.tokenRequests, 2);
  assert.notEqual(bearer(receiver.requests[1]!.headers.authorization), first);
  assert.equal(receiver.requests.length, 2, 'the expired token was never sent');
});

test('the cached token is kept until a minute before expires_in, then renewed', async (t) => {
  const server = await oauth2Server(t, 3600);
  const receiver = await startReceiver(t, introspecting(server));
  let now = Date.now();
  const sink = new WebhookSink(webhookConfig(receiver.url, { auth: auth(server) }), { now: () => now });
  t.after(() => sink.close());
  const start = now;
  await sink.send(batch, NO_ABORT);
  now = start + 3_539_000;
  await sink.send(batch, NO_ABORT);
  assert.equal(server.tokenRequests, 1);
  now = start + 3_540_000;
  await sink.send(batch, NO_ABORT);
  assert.equal(server.tokenRequests, 2);
  assert.notEqual(receiver.requests[2]!.headers.authorization, receiver.requests[0]!.headers.authorization);
});

test('a revoked token: the 401 brings one new token and the same batch is delivered in the same attempt', async (t) => {
  const server = await oauth2Server(t);
  const receiver = await startReceiver(t, introspecting(server));
  const sink = startSink(t, webhookConfig(receiver.url, { auth: auth(server) }));
  await sink.send(batch, NO_ABORT);
  const revoked = bearer(receiver.requests[0]!.headers.authorization);
  await server.revoke(revoked, CLIENTS.basic);
  await sink.send(makeEvents(2, 'after-revocation').map(sinkEvent), NO_ABORT);
  const [, refused, accepted] = receiver.requests;
  assert.equal(receiver.requests.length, 3);
  assert.equal(bearer(refused!.headers.authorization), revoked);
  assert.notEqual(bearer(accepted!.headers.authorization), revoked);
  assert.equal(accepted!.body, refused!.body);
  assert.equal(server.tokenRequests, 2);
});

test('a receiver that refuses every token: one renewal per batch, then a 401 rejection that shows no token', async (t) => {
  const server = await oauth2Server(t);
  // Echoes the Authorization header back, as some error pages do.
  const receiver = await startReceiver(t, (req, res) => void res.writeHead(401).end(`bad credentials: ${req.headers.authorization}`));
  const sink = startSink(t, webhookConfig(receiver.url, { auth: auth(server) }));
  const err = await sink.send(batch, NO_ABORT).then(
    () => assert.fail('delivered'),
    (e: AuditRouterError) => e,
  );
  assert.equal(err.code, 'AR_ERR_SINK_REJECTED');
  assert.equal(err.retriable, false);
  assert.equal(err.status, 401);
  assert.equal(receiver.requests.length, 2);
  assert.equal(server.tokenRequests, 2);
  for (const request of receiver.requests) assert.ok(!err.message.includes(bearer(request.headers.authorization)), err.message);
  assert.match(err.message, /Bearer \[redacted\]/);
});

/** A runner around a webhook sink with a short retry budget; parked batches are collected. */
function runnerFor(t: { after(fn: () => Promise<void>): void }, config: WebhookSinkConfig) {
  const parked: FailedDelivery[] = [];
  const delivered: string[] = [];
  const runner = new SinkRunner(new WebhookSink(config), config, async (f) => void parked.push(f), new Metrics(), silentLogger());
  t.after(() => runner.close());
  const offer = (n: number) => makeEvents(n, 'run').forEach((e, i) => runner.offer('0', sinkEvent(e, i), () => delivered.push(e.id!)));
  return { parked, delivered, offer };
}

const fastRetries = { initialBackoffMs: 10, maxBackoffMs: 50, maxElapsedMs: 20_000 };

test('a wrong client secret is dead-lettered at once with AR_ERR_SINK_AUTH, naming the refusal but never the secret', async (t) => {
  const server = await oauth2Server(t);
  const receiver = await startReceiver(t, introspecting(server));
  const wrong = 'wrong-secret-9f8e7d6c5b4a';
  const { parked, offer } = runnerFor(
    t,
    webhookConfig(receiver.url, {
      auth: auth(server, { clientSecret: wrong }),
      retry: fastRetries,
      batch: { maxEvents: 2, maxWaitMs: 60_000 },
    }),
  );
  offer(2);
  const failure = await waitFor(() => parked[0], { what: 'the batch to be dead-lettered' });
  assert.equal(failure.error.code, 'AR_ERR_SINK_AUTH', failure.error.message);
  assert.equal(failure.attempts, 1);
  assert.equal(failure.items.length, 2);
  assert.match(
    failure.error.message,
    /token endpoint http:\/\/127\.0\.0\.1:\d+\/token refused the client credentials: HTTP 401 "invalid_client" "client authentication failed"/,
  );
  assert.ok(!failure.error.message.includes(wrong));
  assert.equal(server.tokenRequests, 1);
  assert.equal(receiver.requests.length, 0);
});

test('a token endpoint that is down is retried like the destination, and the batch is delivered once it is back', async (t) => {
  const server = await oauth2Server(t);
  const receiver = await startReceiver(t, introspecting(server));
  server.outage = 503;
  const { parked, delivered, offer } = runnerFor(
    t,
    webhookConfig(receiver.url, {
      auth: auth(server),
      retry: fastRetries,
      batch: { maxEvents: 2, maxWaitMs: 60_000 },
      circuitBreaker: { failureThreshold: 0 },
    }),
  );
  offer(2);
  await waitFor(() => server.tokenRequests >= 3, { what: 'three token requests during the outage' });
  assert.equal(receiver.requests.length, 0);
  server.outage = undefined;
  await waitFor(() => delivered.length === 2, { what: 'delivery after the outage' });
  assert.equal(parked.length, 0);
  assert.equal(receiver.requests.length, 1);
});

test('a token endpoint that cannot be reached is a retriable AR_ERR_SINK_UNAVAILABLE', async (t) => {
  const server = await oauth2Server(t);
  const tokenUrl = server.tokenUrl;
  await server.close();
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url, { auth: auth(server, { tokenUrl }) }));
  const err = await sink.send(batch, NO_ABORT).then(
    () => assert.fail('delivered'),
    (e: AuditRouterError) => e,
  );
  assert.equal(err.code, 'AR_ERR_SINK_UNAVAILABLE');
  assert.equal(err.retriable, true);
  assert.match(err.message, /token endpoint http:\/\/127\.0\.0\.1:\d+\/token: request failed: .*ECONNREFUSED/);
  assert.equal(receiver.requests.length, 0);
});
