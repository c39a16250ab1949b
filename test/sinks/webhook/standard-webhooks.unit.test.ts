import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { canonicalJson } from '../../../src/event/index.js';
import { webhookSinkConfigSchema } from '../../../src/sinks/webhook/config.js';
import { makeEvents } from '../../helpers/events.js';
import type { ReceivedRequest } from '../../helpers/http-receiver.js';
import { NO_ABORT, sinkEvent, startReceiver, startSink, webhookConfig } from './sink-fixtures.js';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const standard = { signingSecret: secret, signature: { scheme: 'standard-webhooks' } };

/** What a receiver does with the specification's own library: verify the raw body against the three headers. */
function verify(request: ReceivedRequest, key = secret): unknown {
  return new Webhook(key).verify(request.body, request.headers as Record<string, string>);
}

test('one event per request: the standardwebhooks library verifies it, and webhook-id is the event id', async (t) => {
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url, { ...standard, batch: { maxEvents: 1 } }));
  const [event] = makeEvents(1, 'std');
  await sink.send([sinkEvent(event!)], NO_ABORT);
  const [request] = receiver.requests;
  assert.deepEqual(verify(request!), JSON.parse(canonicalJson(event!)));
  assert.equal(request!.headers['webhook-id'], 'std-0');
  assert.match(String(request!.headers['webhook-timestamp']), /^\d{10}$/);
  assert.match(String(request!.headers['webhook-signature']), /^v1,[A-Za-z0-9+/]{43}=$/);
  assert.equal(request!.headers['x-audit-signature'], undefined, 'one signature scheme at a time');
});

test('a batch verifies too, and a retry of it carries the same webhook-id so the receiver can drop the duplicate', async (t) => {
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url, standard));
  const batch = makeEvents(3, 'std-batch').map(sinkEvent);
  await sink.send(batch, NO_ABORT);
  await sink.send(batch, NO_ABORT);
  const [first, retry] = receiver.requests;
  assert.equal((verify(first!) as unknown[]).length, 3);
  verify(retry!);
  assert.match(String(first!.headers['webhook-id']), /^batch-[0-9a-f]{32}$/);
  assert.equal(retry!.headers['webhook-id'], first!.headers['webhook-id']);
});

test('the library refuses a changed body, another secret and another id', async (t) => {
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url, standard));
  await sink.send(makeEvents(2, 'std-bad').map(sinkEvent), NO_ABORT);
  const [request] = receiver.requests;
  verify(request!);
  assert.throws(() => verify({ ...request!, body: request!.body.replace('std-bad-1', 'std-bad-2') }), WebhookVerificationError);
  assert.throws(() => verify(request!, `whsec_${randomBytes(32).toString('base64')}`), WebhookVerificationError);
  assert.throws(() => verify({ ...request!, headers: { ...request!.headers, 'webhook-id': 'another' } }), WebhookVerificationError);
});

test('standard-webhooks needs a whsec_ secret of 24 to 64 bytes; its headers cannot be configured', () => {
  const issues = (overrides: Record<string, unknown>) => {
    const parsed = webhookSinkConfigSchema.safeParse({
      name: 'hook',
      type: 'webhook',
      url: 'https://example.com/hook',
      signature: { scheme: 'standard-webhooks' },
      ...overrides,
    });
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  assert.deepEqual(issues({ signingSecret: secret }), []);
  assert.deepEqual(issues({}), ['signingSecret: is required by signature.scheme standard-webhooks']);
  assert.match(issues({ signingSecret: 'not-whsec' })[0]!, /^signingSecret: must be "whsec_" followed by base64/);
  assert.match(
    issues({ signingSecret: `whsec_${randomBytes(16).toString('base64')}` })[0]!,
    /must encode 24 to 64 bytes after "whsec_" \(has 16\)/,
  );
  assert.match(
    issues({ signingSecret: secret, headers: { 'Webhook-Signature': 'v1,x' } })[0]!,
    /^headers\.Webhook-Signature: .* is set by the webhook sink/,
  );
});
