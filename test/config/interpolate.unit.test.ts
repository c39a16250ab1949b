import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interpolateEnv } from '../../src/config/interpolate.js';
import type { ConfigIssue } from '../../src/config/index.js';

function interpolate(tree: unknown, env: NodeJS.ProcessEnv): { value: unknown; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  return { value: interpolateEnv(tree, env, issues), issues };
}

test('${VAR:-default}: the default when the variable is unset or empty, the value when set', () => {
  const tree = { brokers: ['${BROKER:-127.0.0.1:9092}'], level: '${LEVEL:-info}', empty: '${NOTHING:-}' };
  assert.deepEqual(interpolate(tree, {}).value, { brokers: ['127.0.0.1:9092'], level: 'info', empty: '' });
  assert.deepEqual(interpolate(tree, { BROKER: '', LEVEL: '' }).value, { brokers: ['127.0.0.1:9092'], level: 'info', empty: '' });
  assert.deepEqual(interpolate(tree, { BROKER: 'kafka:9093', LEVEL: 'debug' }).value, {
    brokers: ['kafka:9093'],
    level: 'debug',
    empty: '',
  });
  assert.deepEqual(interpolate(tree, {}).issues, [], 'a default makes an unset variable fine');
});

test('${VAR} without a default is an issue at its path when unset; $$ is a literal $', () => {
  const { value, issues } = interpolate({ sinks: [{ token: '${TOKEN}', price: '$$5 and $${NOT_A_VAR}' }] }, {});
  assert.deepEqual(issues, [{ path: 'sinks[0].token', message: 'environment variable TOKEN is not set' }]);
  assert.deepEqual(value, { sinks: [{ token: '', price: '$5 and ${NOT_A_VAR}' }] });
});

test('a __proto__ key stays a key the schema can refuse, not a prototype', () => {
  const { value } = interpolate(JSON.parse('{"headers": {"__proto__": {"polluted": "${X:-yes}"}}}'), {});
  const headers = (value as { headers: object }).headers;
  assert.ok(Object.hasOwn(headers, '__proto__'));
  assert.equal(Object.getPrototypeOf(headers), Object.prototype);
  assert.equal((headers as { polluted?: unknown }).polluted, undefined);
});
