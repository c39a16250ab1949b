import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, tempDir, writeConfig } from '../helpers/router-process.js';

// Port 1: nothing listens there, so an output proves test-route sends nothing and connects nowhere.
const config = writeConfig(tempDir(), {
  kafka: { brokers: ['127.0.0.1:1'] },
  source: { topic: 'in', groupId: 'g' },
  sinks: [
    { name: 'flags', type: 'log', events: ['flag:*'] },
    { name: 'deletes', type: 'log', events: ['*:deleted'], exclude: ['segment:*'] },
    { name: 'ns', type: 'log', namespaces: ['prod-*'] },
    { name: 'denied', type: 'log', status: ['denied'] },
  ],
});
const event = (fields: Record<string, unknown>) =>
  JSON.stringify({
    version: '0.1',
    status: 'success',
    metadata: { actor: { name: 'a' } },
    payload: {},
    timestamp: '2026-01-01T00:00:00Z',
    ...fields,
  });

test('test-route prints each sink, SEND or skip, with the rule that decided, and the count', async () => {
  const result = await runCli(['test-route', '-c', config, '-'], {
    input: event({ id: 'e1', type: 'flag', action: 'deleted', payload: { namespace_key: 'prod-eu' } }),
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    [
      'event flag:deleted status=success id=e1',
      '  SEND  flags    flag:deleted allowed by events [flag:*]',
      '  SEND  deletes  flag:deleted allowed by events [*:deleted]',
      '  SEND  ns       flag:deleted allowed by events [*:*]',
      '  skip  denied   status "success" is not in [denied]',
      '3 sinks would receive this event',
      '',
    ].join('\n'),
  );
});

test('test-route names exclusions, namespaces and the derived id; no sink is exit 0 too', async () => {
  const result = await runCli(['test-route', '-c', config, '-'], { input: event({ type: 'segment', action: 'deleted' }) });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    [
      'event segment:deleted status=success id=in/0/0 (no id: one is derived from topic/partition/offset when consumed)',
      '  skip  flags    segment:deleted matches none of events [flag:*]',
      '  skip  deletes  segment:deleted is denied by exclude [segment:*]',
      '  skip  ns       namespace (none) matches none of [prod-*]',
      '  skip  denied   status "success" is not in [denied]',
      'no sink would receive this event',
      '',
    ].join('\n'),
  );
});

test('test-route refuses an invalid event in one line naming the field, exit 1', async () => {
  const result = await runCli(['test-route', '-c', config, '-'], { input: event({ type: 'flag' }) });
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^audit-router: error AR_ERR_DECODE_SCHEMA: .*action/);
  assert.equal(result.stderr.trim().split('\n').length, 1);
});
