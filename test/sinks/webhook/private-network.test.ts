import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPrivateAddress } from '../../../src/sinks/webhook/private-network.js';

test('loopback, private, link-local, CGNAT and unspecified addresses are private, in both families and IPv4-mapped (dotted, or hex as the URL parser writes it)', () => {
  for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:7f00:1']) {
    assert.equal(isPrivateAddress(address), true, address);
  }
});

test('public addresses are not', () => {
  for (const address of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '100.128.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8']) {
    assert.equal(isPrivateAddress(address), false, address);
  }
});
