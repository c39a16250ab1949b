import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PartitionProgress } from '../../src/source/partition-progress.js';

describe('partition progress', () => {
  it('never moves past an event a sink has not acknowledged, whatever the order', () => {
    const p = new PartitionProgress('t', 0);
    const a = p.track(10, 2);
    const b = p.track(11, 1);
    const c = p.track(12, 1);
    c();
    b();
    assert.equal(p.takeCommit(), undefined, 'offset 10 still owes two acks');
    a();
    assert.equal(p.takeCommit(), undefined, 'offset 10 still owes one ack');
    a();
    assert.equal(p.takeCommit(), 13);
    p.markCommitted(13);
    assert.equal(p.takeCommit(), undefined, 'nothing new to commit');
  });

  it('settles filtered-out events at once and skips offset gaps', () => {
    const p = new PartitionProgress('t', 0);
    p.track(5, 0);
    const ack = p.track(9, 1);
    assert.equal(p.takeCommit(), 6);
    ack();
    assert.equal(p.takeCommit(), 10);
    assert.equal(p.outstanding, 0);
  });

  it('keeps acks valid across compaction of a long settled prefix', () => {
    const p = new PartitionProgress('t', 0);
    const late = p.track(0, 1);
    const acks = Array.from({ length: 10_000 }, (_, i) => p.track(i + 1, 1));
    acks.forEach((ack) => ack());
    assert.equal(p.takeCommit(), undefined);
    late();
    assert.equal(p.takeCommit(), 10_001);
    const more = Array.from({ length: 10_000 }, (_, i) => p.track(10_001 + i, 1));
    more.reverse().forEach((ack) => ack());
    assert.equal(p.takeCommit(), 20_001);
  });
});
