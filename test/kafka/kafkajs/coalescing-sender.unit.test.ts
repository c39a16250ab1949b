import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoalescingSender } from '../../../src/kafka/kafkajs/coalescing-sender.js';
import type { TopicRecords } from '../../../src/kafka/index.js';

/** A request function whose requests finish when the test says so, recording what each carried. */
function controlledRequests(fail: (values: string[]) => boolean = () => false) {
  const requests: { values: string[]; topics: string[]; finish: () => void }[] = [];
  const send = (batches: readonly TopicRecords[]) =>
    new Promise<void>((resolve, reject) => {
      const values = batches.flatMap((b) => b.records.map((r) => String(r.value)));
      const topics = batches.map((b) => b.topic);
      requests.push({ values, topics, finish: () => (fail(values) ? reject(new Error(`refused ${values.join(',')}`)) : resolve()) });
    });
  return { requests, send };
}

const batch = (...values: string[]): TopicRecords[] => [{ topic: 'out', records: values.map((value) => ({ value })) }];

test('a lone batch is sent at once, in a request of its own', async () => {
  const { requests, send } = controlledRequests();
  const sender = new CoalescingSender(send);
  const done = sender.send(batch('a', 'b'));
  assert.deepEqual(
    requests.map((r) => r.values),
    [['a', 'b']],
  );
  requests[0]!.finish();
  await done;
});

test('batches that arrive while a request is in flight go out together, in arrival order', async () => {
  const { requests, send } = controlledRequests();
  const sender = new CoalescingSender(send);
  const first = sender.send(batch('a'));
  const second = sender.send(batch('b1', 'b2'));
  const third = sender.send(batch('c'));
  assert.equal(requests.length, 1, 'nothing else is sent while the first request is in flight');
  requests[0]!.finish();
  await first;
  await waitFor(() => requests.length === 2);
  assert.deepEqual(requests[1]!.values, ['b1', 'b2', 'c']);
  requests[1]!.finish();
  await Promise.all([second, third]);
});

test('joined sends to several topics make one request with one entry per topic, records in send order', async () => {
  const { requests, send } = controlledRequests();
  const sender = new CoalescingSender(send);
  const first = sender.send(batch('a'));
  const rest = [
    sender.send([{ topic: 'dlq', records: [{ value: 'd1' }] }]),
    sender.send([
      { topic: 'out', records: [{ value: 'b' }] },
      { topic: 'dlq', records: [{ value: 'd2' }] },
    ]),
    sender.send(batch('c')),
  ];
  requests[0]!.finish();
  await first;
  await waitFor(() => requests.length === 2);
  assert.deepEqual(requests[1]!.topics, ['dlq', 'out']);
  assert.deepEqual(requests[1]!.values, ['d1', 'd2', 'b', 'c']);
  requests[1]!.finish();
  await Promise.all(rest);
});

test('when a joined request fails, each batch is retried alone and only the bad one fails', async () => {
  const { requests, send } = controlledRequests((values) => values.includes('bad'));
  const sender = new CoalescingSender(send);
  const first = sender.send(batch('a'));
  const good = sender.send(batch('g'));
  const bad = sender.send(batch('bad'));
  requests[0]!.finish();
  await first;
  await waitFor(() => requests.length === 2);
  requests[1]!.finish(); // ['g', 'bad'] fails
  await waitFor(() => requests.length === 3);
  assert.deepEqual(requests[2]!.values, ['g']);
  requests[2]!.finish();
  await good;
  await waitFor(() => requests.length === 4);
  assert.deepEqual(requests[3]!.values, ['bad']);
  requests[3]!.finish();
  await assert.rejects(bad, /refused bad/);
});

test('a failed lone request rejects its batch and the next batch is still sent', async () => {
  const { requests, send } = controlledRequests((values) => values.includes('bad'));
  const sender = new CoalescingSender(send);
  const bad = sender.send(batch('bad'));
  requests[0]!.finish();
  await assert.rejects(bad, /refused bad/);
  const next = sender.send(batch('n'));
  await waitFor(() => requests.length === 2);
  assert.deepEqual(requests[1]!.values, ['n']);
  requests[1]!.finish();
  await next;
});

/** Lets the sender's promise chain run until `condition` holds (microtasks and ticks, no clock). */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(condition(), 'condition never held');
}
