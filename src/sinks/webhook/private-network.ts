import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { buildConnector } from 'undici';
import { AuditRouterError } from '../../errors/index.js';

/**
 * Loopback, link-local, private and unspecified addresses: where a webhook
 * created by an API user must not send audit events (and signed requests),
 * since every router instance would otherwise send them into its own network.
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  return blocked.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

function refusal(sink: string, host: string, address: string): AuditRouterError {
  const via = host === address ? '' : ` (${host} resolves to it)`;
  return new AuditRouterError(
    'AR_ERR_SINK_REJECTED',
    `webhook ${sink}: refused to connect to ${address}${via}, a loopback, link-local or private address (blockPrivateNetworks)`,
    { retriable: false },
  );
}

/** The sink's TLS settings (ca, cert, key, rejectUnauthorized), applied to every connection. */
export type TlsOptions = Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'>;

/**
 * An undici connector that checks the address of every connection, not only
 * the one a URL resolved to when it was configured: a name whose DNS answer
 * changes afterwards (DNS rebinding) is refused when it connects. Every
 * address a name resolves to must be public, as at create time.
 */
export function publicOnlyConnector(sink: string, timeout: number, tls: TlsOptions = {}): buildConnector.connector {
  const lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const bad = addresses.find((a) => isPrivateAddress(a.address));
      if (bad) return callback(refusal(sink, hostname, bad.address), '', 0);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
  const connect = buildConnector({ ...tls, timeout, lookup });
  return (options, callback) => {
    // An address literal is never looked up, so it is checked here.
    const host = options.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && isPrivateAddress(host)) return callback(refusal(sink, host, host), null);
    connect(options, callback);
  };
}
