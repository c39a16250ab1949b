import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { isRetriableStatus, parseRetryAfter, readCapped } from '../../../src/sinks/webhook/response.js';

test('parseRetryAfter reads delay-seconds and HTTP-dates', () => {
  const now = Date.parse('2026-11-22T10:00:00Z');
  assert.equal(parseRetryAfter('1', now), 1000);
  assert.equal(parseRetryAfter(' 120 ', now), 120_000);
  assert.equal(parseRetryAfter(['2', '9'], now), 2000);
  assert.equal(parseRetryAfter('Sun, 22 Nov 2026 10:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now), 0, 'a date in the past means now');
  assert.equal(parseRetryAfter(undefined, now), undefined);
  assert.equal(parseRetryAfter('', now), undefined);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter('-5', now), undefined);
});

test('isRetriableStatus: 408, 429 and 5xx only', () => {
  for (const status of [408, 429, 500, 502, 503, 504, 599]) assert.equal(isRetriableStatus(status), true, String(status));
  for (const status of [300, 302, 400, 401, 403, 404, 409, 413, 422]) assert.equal(isRetriableStatus(status), false, String(status));
});

test('readCapped keeps the first bytes and stops pulling at the cap', async () => {
  let pulled = 0;
  const endless = new Readable({
    read() {
      pulled += 1024;
      this.push(Buffer.alloc(1024, 'a'));
    },
  });
  const kept = await readCapped(endless, 8 * 1024, 100);
  assert.equal(kept.length, 100);
  assert.ok(pulled < 64 * 1024, `pulled ${pulled} bytes of an endless body`);
  assert.equal(endless.destroyed, true);
  assert.deepEqual(await readCapped(Readable.from([Buffer.from('short')]), 1024, 100), Buffer.from('short'));
});
