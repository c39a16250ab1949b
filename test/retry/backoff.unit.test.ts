import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker, fullJitterDelay, nextRetryDelay } from '../../src/retry/index.js';

const policy = { initialBackoffMs: 100, maxBackoffMs: 1_000, maxElapsedMs: 5_000 };

describe('backoff', () => {
  it('draws full jitter under an exponential ceiling capped at maxBackoffMs', () => {
    assert.equal(
      fullJitterDelay(1, policy, () => 0.999),
      99,
    );
    assert.equal(
      fullJitterDelay(3, policy, () => 0.999),
      399,
    );
    assert.equal(
      fullJitterDelay(30, policy, () => 0.999),
      999,
    );
    assert.equal(
      fullJitterDelay(4, policy, () => 0),
      0,
    );
  });

  it('honours Retry-After and stops at the elapsed budget', () => {
    assert.equal(nextRetryDelay(1, 0, policy, 1_000), 1_000);
    assert.equal(nextRetryDelay(1, 4_500, policy, 1_000), undefined);
    assert.equal(
      nextRetryDelay(50, 1e9, { ...policy, maxElapsedMs: 0 }, undefined, () => 0.5),
      500,
    );
  });
});

describe('circuit breaker', () => {
  it('opens after the threshold, lets one probe through after the reset time, closes on success', () => {
    let now = 0;
    const states: string[] = [];
    const cb = new CircuitBreaker(
      3,
      1_000,
      (s) => states.push(s),
      () => now,
    );
    for (let i = 0; i < 3; i++) {
      assert.ok(cb.tryAcquire());
      cb.recordFailure();
    }
    assert.equal(cb.state, 'open');
    assert.equal(cb.tryAcquire(), false);
    now = 1_000;
    assert.equal(cb.tryAcquire(), true, 'the probe');
    assert.equal(cb.tryAcquire(), false, 'only one probe at a time');
    cb.recordFailure();
    assert.equal(cb.state, 'open');
    now = 2_000;
    assert.ok(cb.tryAcquire());
    cb.recordSuccess();
    assert.equal(cb.state, 'closed');
    assert.deepEqual(states, ['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('threshold 0 never opens', () => {
    const cb = new CircuitBreaker(0, 1_000);
    for (let i = 0; i < 100; i++) cb.recordFailure();
    assert.ok(cb.tryAcquire());
  });
});
