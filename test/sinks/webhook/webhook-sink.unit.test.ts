import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditRouterError } from '../../../src/errors/index.js';
import { verify } from '../../../examples/verify-signature.mjs';
import { makeEvent, makeEvents } from '../../helpers/events.js';
import { NO_ABORT, sinkEvent, startReceiver, startSink, webhookConfig } from './sink-fixtures.js';

const SECRET = 'whsec-RECOGNISABLE-91c2';
const TOKEN = 'verify-RECOGNISABLE-55ab';

async function templateFile(t: { after(fn: () => Promise<void>): void }, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'webhook-template-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'body.hbs');
  await writeFile(file, text);
  return file;
}

test("a batch is sent as a JSON array of the events' canonical JSON, with batch headers", async (t) => {
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url, { headers: { 'X-Team': 'security' } }));
  const batch = makeEvents(3, 'e', ['flag:created', 'segment:deleted']).map(sinkEvent);
  await sink.send(batch, NO_ABORT);

  assert.equal(receiver.requests.length, 1);
  const [request] = receiver.requests;
  assert.equal(request!.method, 'POST');
  assert.equal(request!.url, '/hook');
  assert.equal(request!.body, '[' + batch.map((e) => e.json).join(',') + ']');
  assert.deepEqual(
    JSON.parse(request!.body).map((e: { id: string }) => e.id),
    ['e-0', 'e-1', 'e-2'],
  );
  const h = request!.headers;
  assert.equal(h['content-type'], 'application/json');
  assert.equal(h['x-audit-event-count'], '3');
  assert.match(h['idempotency-key'] as string, /^batch-[0-9a-f]{32}$/);
  assert.equal(h['x-team'], 'security');
  // Per-event headers only make sense for one event; unset options add nothing.
  for (const name of ['x-audit-event-type', 'x-audit-event-action', 'x-audit-signature', 'x-audit-verification-token']) {
    assert.equal(h[name], undefined, name);
  }
});

test('with batch.maxEvents 1 the body is the single event object, with its id, type and action in headers', async (t) => {
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url, { method: 'PUT', batch: { maxEvents: 1 } }));
  const item = sinkEvent(makeEvent({ id: 'evt-42', type: 'segment', action: 'deleted' }));
  await sink.send([item], NO_ABORT);

  const [request] = receiver.requests;
  assert.equal(request!.method, 'PUT');
  assert.equal(request!.body, item.json);
  assert.equal(request!.headers['idempotency-key'], 'evt-42');
  assert.equal(request!.headers['x-audit-event-type'], 'segment');
  assert.equal(request!.headers['x-audit-event-action'], 'deleted');
  assert.equal(request!.headers['x-audit-event-count'], '1');
});

test('an event without id is keyed by its source coordinates', async (t) => {
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url, { batch: { maxEvents: 1 } }));
  await sink.send([sinkEvent(makeEvent({ id: null }), 17)], NO_ABORT);
  assert.equal(receiver.requests[0]!.headers['idempotency-key'], 'audit/0/17');
});

test('the idempotency key is the same for the same events and differs for other events', async (t) => {
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url));
  const batch = makeEvents(4, 'same').map(sinkEvent);
  await sink.send(batch, NO_ABORT);
  await sink.send(makeEvents(4, 'same').map(sinkEvent), NO_ABORT);
  await sink.send(makeEvents(4, 'other').map(sinkEvent), NO_ABORT);
  await sink.send(batch.slice(0, 3), NO_ABORT);
  const keys = receiver.requests.map((r) => r.headers['idempotency-key']);
  assert.equal(keys[0], keys[1]);
  assert.equal(new Set(keys).size, 3, JSON.stringify(keys));
});

test('the verification token is sent as is and the signature verifies with examples/verify-signature.mjs', async (t) => {
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url, { signingSecret: SECRET, verificationToken: TOKEN }));
  await sink.send(makeEvents(2, 's').map(sinkEvent), NO_ABORT);
  await sink.send(makeEvents(2, 's').map(sinkEvent), NO_ABORT);

  const [first, second] = receiver.requests;
  assert.equal(first!.headers['x-audit-verification-token'], TOKEN);
  const signature = first!.headers['x-audit-signature'] as string;
  assert.match(signature, /^t=\d+,v1=[0-9a-f]{64}$/);
  const t0 = Number(/^t=(\d+)/.exec(signature)![1]);
  assert.ok(Math.abs(t0 - Date.now() / 1000) < 60, 'timestamp is now');
  assert.equal(verify(SECRET, first!.body, signature), true);
  assert.equal(verify(SECRET, second!.body, second!.headers['x-audit-signature'] as string), true);
  assert.equal(verify(SECRET, first!.body.replace('s-0', 's-9'), signature), false);
  assert.equal(verify('not-the-secret', first!.body, signature), false);
});

test('a template renders each event; a batch becomes a JSON array of the rendered values', async (t) => {
  const template = await templateFile(
    t,
    '{"summary": "{{type}}:{{action}} by {{metadata.actor.email}}", "note": "{{payload.note}}", "payload": {{json payload}} }',
  );
  const receiver = await startReceiver(t);
  const hostile = [
    'quote " inside',
    'crlf\r\nX-Injected: 1',
    'back\\slash',
    '{{7*7}}',
    '"}, {"forged": true, "x": "',
    'z'.repeat(100 * 1024),
  ];
  const events = hostile.map((note, i) => sinkEvent(makeEvent({ id: `t-${i}`, payload: { note } }), i));

  const batched = startSink(t, webhookConfig(receiver.url, { template }));
  await batched.send(events, NO_ABORT);
  const body = JSON.parse(receiver.requests[0]!.body);
  assert.equal(body.length, hostile.length);
  body.forEach((rendered: { summary: string; note: string; payload: { note: string } }, i: number) => {
    assert.deepEqual(Object.keys(rendered), ['summary', 'note', 'payload']);
    assert.equal(rendered.summary, 'flag:created by ops@example.com');
    assert.equal(rendered.note, hostile[i]);
    assert.equal(rendered.payload.note, hostile[i]);
  });

  const single = startSink(t, webhookConfig(receiver.url, { template, batch: { maxEvents: 1 } }));
  await single.send([events[0]!], NO_ABORT);
  assert.equal(JSON.parse(receiver.requests[1]!.body).note, hostile[0]);
});

test('a template that renders invalid JSON for a real event is a non-retriable rejection, nothing is sent', async (t) => {
  // Valid for the sample event (its payload has "enabled"), not for an event without it.
  const template = await templateFile(t, '{"enabled": {{payload.enabled}} }');
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url, { template }));
  await sink.send([sinkEvent(makeEvent({ id: 'ok' }))], NO_ABORT);
  await assert.rejects(sink.send([sinkEvent(makeEvent({ id: 'bad', payload: { other: 1 } }))], NO_ABORT), (err) => {
    assert.ok(err instanceof AuditRouterError);
    assert.equal(err.code, 'AR_ERR_SINK_REJECTED');
    assert.equal(err.retriable, false);
    assert.match(err.message, /event "bad": template .*body\.hbs rendered invalid JSON/);
    return true;
  });
  assert.equal(receiver.requests.length, 1);
});

test('event text cannot inject headers: a CRLF in the type is a non-retriable rejection, nothing is sent', async (t) => {
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url, { batch: { maxEvents: 1 } }));
  for (const event of [
    makeEvent({ id: 'x1', type: 'flag\r\nX-Injected: yes' }),
    makeEvent({ id: 'x2', action: 'deleted\nX-Injected: yes' }),
    makeEvent({ id: 'x3\r\nX-Injected: yes' }),
    makeEvent({ id: 'x4', type: 'fläg\u0100' }),
  ]) {
    await assert.rejects(sink.send([sinkEvent(event)], NO_ABORT), (err) => {
      assert.ok(err instanceof AuditRouterError);
      assert.equal(err.code, 'AR_ERR_SINK_REJECTED');
      assert.equal(err.retriable, false);
      assert.match(err.message, /cannot be sent in an HTTP header/);
      return true;
    });
  }
  assert.equal(receiver.requests.length, 0);
  // In a batch the type is in the body only, where JSON escapes it.
  const batching = startSink(t, webhookConfig(receiver.url));
  await batching.send([sinkEvent(makeEvent({ id: 'y1', type: 'flag\r\nX-Injected: yes' })), sinkEvent(makeEvent({ id: 'y2' }))], NO_ABORT);
  assert.equal(receiver.requests[0]!.headers['x-injected'], undefined);
  assert.equal(JSON.parse(receiver.requests[0]!.body)[0].type, 'flag\r\nX-Injected: yes');
});

test('concurrent sends each deliver their own batch once', async (t) => {
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url, { concurrency: 4 }));
  await Promise.all(Array.from({ length: 12 }, (_, i) => sink.send(makeEvents(2, `c${i}`).map(sinkEvent), NO_ABORT)));
  assert.equal(receiver.requests.length, 12);
  assert.equal(new Set(receiver.requests.map((r) => r.headers['idempotency-key'])).size, 12);
});

test('a sink sending one event per request refuses a larger batch instead of dropping events', async (t) => {
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url, { batch: { maxEvents: 1 } }));
  await assert.rejects(sink.send(makeEvents(2, 'two').map(sinkEvent), NO_ABORT), { code: 'AR_ERR_INTERNAL' });
  assert.equal(receiver.requests.length, 0);
});
