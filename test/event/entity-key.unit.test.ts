import assert from 'node:assert/strict';
import { test } from 'node:test';
import { entityKey } from '../../src/event/index.js';

test('entity key is <namespace>/<type>/<key>, falling back to flag_key then segment_key', () => {
  assert.equal(entityKey('flag', { key: 'f', namespace_key: 'ns' }), 'ns/flag/f');
  assert.equal(entityKey('rule', { id: 'r1', flag_key: 'f', segment_key: 's', namespace_key: 'ns' }), 'ns/rule/f');
  assert.equal(entityKey('constraint', { id: 'c1', segment_key: 's', namespace_key: 'ns' }), 'ns/constraint/s');
  assert.equal(entityKey('namespace', { key: 'team' }), 'team/namespace/team');
});

test('no entity key without both a namespace and a key', () => {
  assert.equal(entityKey('flag', { key: 'f' }), undefined);
  assert.equal(entityKey('flag', { namespace_key: 'ns' }), undefined);
  assert.equal(entityKey('flag', { key: 42, namespace_key: 'ns' }), undefined);
  assert.equal(entityKey('flag', null), undefined);
  assert.equal(entityKey('flag', ['ns', 'f']), undefined);
  assert.equal(entityKey('flag', 'text'), undefined);
});
