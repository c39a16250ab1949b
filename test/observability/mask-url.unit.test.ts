import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskUrlCredentials } from '../../src/observability/mask-url.js';

test('user and password are masked in every URL of a text; the rest stays readable', () => {
  assert.equal(maskUrlCredentials('at http://user:PASS@host:8081/apis (subject s)'), 'at http://***@host:8081/apis (subject s)');
  assert.equal(maskUrlCredentials('a https://u:p@a/x and b http://v:q@b?c=d'), 'a https://***@a/x and b http://***@b?c=d');
  assert.equal(maskUrlCredentials('http://token@host/'), 'http://***@host/', 'a user alone is a credential too');
});

test('a password holding @ or percent-escapes is masked whole', () => {
  assert.equal(maskUrlCredentials('http://user:p@ss%40word@host/x'), 'http://***@host/x');
  assert.equal(maskUrlCredentials('HTTP://User:S%3Acret@Host/'), 'HTTP://***@Host/');
});

test('text without URL credentials is unchanged', () => {
  for (const text of ['http://host:8081/apis/ccompat/v7', 'mail me at ops@example.com', 'http://host/a@b', 'no url at all']) {
    assert.equal(maskUrlCredentials(text), text);
  }
});
