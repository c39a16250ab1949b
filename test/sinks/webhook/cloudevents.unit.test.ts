import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudEvent, HTTP } from 'cloudevents';
import { canonicalJson } from '../../../src/event/index.js';
import { webhookSinkConfigSchema } from '../../../src/sinks/webhook/config.js';
import { makeEvent, makeEvents } from '../../helpers/events.js';
import type { ReceivedRequest } from '../../helpers/http-receiver.js';
import { NO_ABORT, sinkEvent, startReceiver, startSink, webhookConfig } from './sink-fixtures.js';

/**
 * What a CloudEvents receiver does: the SDK's HTTP binding reads the request,
 * then each event is validated against the specification's schema (the
 * binding alone accepts an event without `type`).
 */
function toEvents(request: ReceivedRequest): CloudEvent<unknown>[] {
  const parsed = HTTP.toEvent({ headers: request.headers, body: request.body });
  return (Array.isArray(parsed) ? parsed : [parsed]).map((event) => {
    assert.ok(event instanceof CloudEvent);
    event.validate();
    return event;
  });
}

test('one event per request: a structured-mode CloudEvent the SDK parses, with the event as data', async (t) => {
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url, { format: 'cloudevents', batch: { maxEvents: 1 } }));
  const event = makeEvent({ id: 'ce-1', type: 'segment', action: 'deleted', timestamp: '2026-11-22T10:00:00.123Z' });
  await sink.send([sinkEvent(event)], NO_ABORT);
  const [request] = receiver.requests;
  assert.equal(request!.headers['content-type'], 'application/cloudevents+json; charset=utf-8');
  const parsed = toEvents(request!);
  assert.equal(parsed.length, 1);
  const [ce] = parsed;
  assert.equal(ce!.specversion, '1.0');
  assert.equal(ce!.id, 'ce-1');
  assert.equal(ce!.source, '/audit-router/audit');
  assert.equal(ce!.type, 'dev.auditrouter.segment.deleted');
  assert.equal(ce!.time, '2026-11-22T10:00:00.123Z');
  // The SDK puts the receipt time in place of a time it cannot read, so the sent text is checked too.
  assert.equal(JSON.parse(request!.body).time, '2026-11-22T10:00:00.123Z');
  assert.equal(ce!.datacontenttype, 'application/json');
  assert.deepEqual(ce!.data, JSON.parse(canonicalJson(event)));
});

test('a batch is one application/cloudevents-batch+json array; an event without id gets its derived one', async (t) => {
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url, { format: 'cloudevents', cloudEventsSource: 'urn:example:flipt' }));
  const events = makeEvents(3, 'ce', ['flag:created', 'flag:updated']);
  events[2] = { ...events[2]!, id: null };
  await sink.send(
    events.map((e, i) => sinkEvent(e, 40 + i)),
    NO_ABORT,
  );
  const [request] = receiver.requests;
  assert.equal(request!.headers['content-type'], 'application/cloudevents-batch+json; charset=utf-8');
  const parsed = toEvents(request!);
  assert.deepEqual(
    parsed.map((ce) => ce.id),
    ['ce-0', 'ce-1', 'audit/0/42'],
  );
  assert.deepEqual(
    parsed.map((ce) => ce.type),
    ['dev.auditrouter.flag.created', 'dev.auditrouter.flag.updated', 'dev.auditrouter.flag.created'],
  );
  assert.deepEqual(new Set(parsed.map((ce) => ce.source)), new Set(['urn:example:flipt']));
  assert.deepEqual(
    parsed.map((ce) => ce.data),
    events.map((e) => JSON.parse(canonicalJson(e))),
  );
});

test('the plain JSON body is unchanged by default', async (t) => {
  const receiver = await startReceiver(t);
  const sink = startSink(t, webhookConfig(receiver.url));
  await sink.send(makeEvents(2, 'plain').map(sinkEvent), NO_ABORT);
  assert.equal(receiver.requests[0]!.headers['content-type'], 'application/json');
  assert.throws(() => toEvents(receiver.requests[0]!));
});

test('cloudEventsSource must be a URI reference and is only used with format cloudevents', () => {
  const issues = (overrides: Record<string, unknown>) => {
    const parsed = webhookSinkConfigSchema.safeParse({ name: 'hook', type: 'webhook', url: 'https://example.com/hook', ...overrides });
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  assert.deepEqual(issues({ format: 'cloudevents', cloudEventsSource: 'https://flipt.example.com' }), []);
  assert.deepEqual(issues({ format: 'cloudevents', cloudEventsSource: 'has space' }), [
    'cloudEventsSource: must be a URI reference: printable ASCII, no spaces',
  ]);
  assert.deepEqual(issues({ cloudEventsSource: '/flipt' }), ['cloudEventsSource: is only used with format: cloudevents']);
  assert.match(issues({ format: 'xml' })[0]!, /^format: /);
});
