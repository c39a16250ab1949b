import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPrivateAddress } from '../sinks/webhook/private-network.js';

/**
 * Why this URL is refused, or undefined when every address it resolves to is
 * public. Checked at create/update time for a clear 400; the running sink checks
 * again on every connection (blockPrivateNetworks), against DNS rebinding.
 */
export async function privateNetworkProblem(url: string): Promise<string | undefined> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return `host ${host} does not resolve`;
  }
  const bad = addresses.find(isPrivateAddress);
  return bad
    ? `${host} resolves to ${bad}, a loopback, link-local, special-purpose or private address (set admin.api.allowPrivateNetworks to allow)`
    : undefined;
}
