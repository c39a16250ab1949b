import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signBody } from '../../../src/sinks/webhook/signature.js';
import { verify } from '../../../examples/verify-signature.mjs';

const secret = 'whsec-test-0123456789';
const body = '[{"id":"e1","type":"flag","action":"created"}]';
const now = () => Math.floor(Date.now() / 1000);

test('signBody writes t=<seconds>,v1=<64 hex>', () => {
  assert.match(signBody(secret, body, 1_700_000_000.9), /^t=1700000000,v1=[0-9a-f]{64}$/);
});

// The one verifier is the example receivers copy: the tests prove it against what the sink signs.
test('examples/verify-signature.mjs accepts what the sink signs and refuses a changed body, another secret or a timestamp out of tolerance', () => {
  const header = signBody(secret, body, now());
  assert.equal(verify(secret, body, header), true);
  assert.equal(verify(secret, Buffer.from(body), header), true);
  assert.equal(verify(secret, body.replace('created', 'deleted'), header), false, 'a changed body must fail');
  assert.equal(verify(secret, body + ' ', header), false, 'a changed body must fail');
  assert.equal(verify('another-secret', body, header), false);
  assert.equal(verify(secret, body, signBody(secret, body, now() - 301)), false, 'older than the tolerance must fail');
  assert.equal(verify(secret, body, signBody(secret, body, now() - 301), 600), true);
  // A timestamp from the future is as suspect as an old one.
  assert.equal(verify(secret, body, signBody(secret, body, now() + 1_000)), false);
});

test('examples/verify-signature.mjs refuses malformed headers and accepts any matching v1 (secret rotation)', () => {
  const header = signBody(secret, body, now());
  const [t, v1] = header.split(',') as [string, string];
  assert.equal(verify(secret, body, undefined), false);
  assert.equal(verify(secret, body, ''), false);
  assert.equal(verify(secret, body, v1), false);
  assert.equal(verify(secret, body, t), false);
  assert.equal(verify(secret, body, `${t},v1=abc`), false);
  assert.equal(verify(secret, body, `${t},v1=${'0'.repeat(64)},${v1}`), true);
});
