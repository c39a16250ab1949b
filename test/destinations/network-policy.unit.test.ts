import assert from 'node:assert/strict';
import { test } from 'node:test';
import { privateNetworkProblem } from '../../src/destinations/network-policy.js';

test('every spelling of a special-purpose address in a URL is refused at create time (the URL parser normalises; the check sees the address)', async () => {
  for (const url of [
    'http://[::127.0.0.1]/',
    'http://[::7f00:1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[0:0:0:0:0:ffff:7f00:1]/',
    'http://198.18.0.1/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://0/',
    'http://[fe80::1]/',
    'http://169.254.169.254/latest/meta-data',
  ]) {
    const problem = await privateNetworkProblem(url);
    assert.ok(problem, `${url} was accepted`);
    assert.match(problem, /special-purpose or private address .*allowPrivateNetworks/, url);
  }
});

test('a public address literal passes', async () => {
  for (const url of ['http://8.8.8.8/hook', 'https://[2001:4860:4860::8888]/hook'])
    assert.equal(await privateNetworkProblem(url), undefined, url);
});
