import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsumeSize } from '../../../src/kafka/librdkafka/consume-size.js';

test('a backlog is drained in calls of 4,096', () => {
  const size = new ConsumeSize();
  assert.equal(size.current, 4096);
  size.observe(4096, 3);
  assert.equal(size.current, 4096, 'never above 4,096');
});

test('a steady trickle asks for what arrives in 5 ms, so no call gathers for tens of milliseconds', () => {
  const size = new ConsumeSize();
  size.observe(60, 30); // 2,000 events/s: a call of 4,096 gathered 60 messages over 30 ms
  assert.equal(size.current, 10);
  size.observe(10, 6);
  assert.equal(size.current, 8, 'never below 8');
});

test('after an idle wait, a burst grows the count back by doubling', () => {
  const size = new ConsumeSize();
  size.observe(1, 250); // waited for the first message
  assert.equal(size.current, 8);
  const seen = [];
  for (let i = 0; i < 10; i++) {
    size.observe(size.current, 1); // each call filled its count at once: a backlog
    seen.push(size.current);
  }
  assert.deepEqual(seen, [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 4096]);
});

test('a call that ended early within the target leaves the count as it is', () => {
  const size = new ConsumeSize();
  size.observe(100, 30);
  assert.equal(size.current, 16);
  size.observe(3, 2);
  assert.equal(size.current, 16);
  size.observe(0, 250); // nothing came: no rate to learn from
  assert.equal(size.current, 16);
});
