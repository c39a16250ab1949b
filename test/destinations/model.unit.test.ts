import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MASK, maskedView, parseDestinationBody, type StoredDestination } from '../../src/destinations/model.js';

const stored: StoredDestination = {
  id: 'd1',
  name: 'siem',
  active: true,
  secretHeaders: ['Authorization'],
  sink: {
    url: 'https://siem.example.com/audit',
    signingSecret: 'whsec-real',
    verificationToken: 'token-real',
    headers: { Authorization: 'Bearer real', 'X-Team': 'security' },
  },
  createdAt: '2026-11-23T00:00:00.000Z',
  updatedAt: '2026-11-23T00:00:00.000Z',
  createdBy: 'ops',
  updatedBy: 'ops',
};

test('every secret is masked in the view', () => {
  const view = maskedView(stored) as { signingSecret: string; verificationToken: string; headers: Record<string, string> };
  assert.equal(view.signingSecret, MASK);
  assert.equal(view.verificationToken, MASK);
  assert.deepEqual(view.headers, { Authorization: MASK, 'X-Team': 'security' });
});

test('a PATCH that sends back masked values copied from a GET keeps every stored secret', () => {
  const { signingSecret, verificationToken, headers } = maskedView(stored);
  const parsed = parseDestinationBody({ url: 'https://siem.example.com/v2', signingSecret, verificationToken, headers }, stored);
  assert.ok(parsed.ok);
  assert.equal(parsed.input.sink.url, 'https://siem.example.com/v2');
  assert.equal(parsed.input.sink.signingSecret, 'whsec-real');
  assert.equal(parsed.input.sink.verificationToken, 'token-real');
  assert.deepEqual(parsed.input.sink.headers, { Authorization: 'Bearer real', 'X-Team': 'security' });
});

test('a PATCH with a new secret replaces it; one without secrets keeps them', () => {
  const replaced = parseDestinationBody({ signingSecret: 'whsec-new' }, stored);
  assert.ok(replaced.ok);
  assert.equal(replaced.input.sink.signingSecret, 'whsec-new');
  assert.equal(replaced.input.sink.verificationToken, 'token-real');
});
