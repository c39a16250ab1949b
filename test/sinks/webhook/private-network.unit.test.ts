import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPrivateAddress } from '../../../src/sinks/webhook/private-network.js';

test('loopback, private, link-local, CGNAT and unspecified addresses are private, in both families and IPv4-mapped (dotted, or hex as the URL parser writes it)', () => {
  for (const address of [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:7f00:1',
  ]) {
    assert.equal(isPrivateAddress(address), true, address);
  }
});

test('public addresses are not', () => {
  for (const address of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '100.128.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8']) {
    assert.equal(isPrivateAddress(address), false, address);
  }
});

test('every IANA special-purpose range is refused, not only the private ones: benchmarking, documentation, multicast, reserved, NAT64, 6to4', () => {
  for (const address of [
    '198.18.0.1',
    '198.19.255.255',
    '192.0.2.1',
    '203.0.113.9',
    '224.0.0.1',
    '240.0.0.1',
    '255.255.255.255',
    '192.0.0.8',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    '2001:db8::1',
    'ff02::1',
    'fec0::1',
    '2001:2::1',
  ]) {
    assert.equal(isPrivateAddress(address), true, address);
  }
});

test('IPv4-compatible IPv6 (::a.b.c.d, deprecated) is refused in every spelling, whatever IPv4 address it carries', () => {
  for (const address of ['::127.0.0.1', '::7f00:1', '0:0:0:0:0:0:7f00:1', '::8.8.8.8', '::ffff:0:7f00:1']) {
    assert.equal(isPrivateAddress(address), true, address);
  }
});

test('what does not parse as an address cannot be shown public, so it is refused', () => {
  for (const address of ['', 'localhost', '127.0.0.1.', '1.2.3.4.5', ':::1'])
    assert.equal(isPrivateAddress(address), true, JSON.stringify(address));
});
