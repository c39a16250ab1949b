import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import ipaddr from 'ipaddr.js';
import { buildConnector } from 'undici';
import { AuditRouterError } from '../../errors/index.js';

/** IANA's global unicast allocation: every other IPv6 block is special-purpose, reserved or unassigned. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/**
 * The address as the WHATWG URL parser writes it (IPv6 in hex groups), or
 * undefined when it is not an IP address. ipaddr.js reads a dotted tail such
 * as `::8.8.8.8` as IPv4-mapped (::ffff:8.8.8.8), which would judge an
 * IPv4-compatible address by the IPv4 address it carries.
 */
function canonicalAddress(address: string): string | undefined {
  const family = isIP(address);
  if (family === 4) return address;
  if (family !== 6) return undefined;
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}

/**
 * Whether a webhook created by an API user must not reach this address:
 * anything but a global unicast address. ipaddr.js names IANA's
 * special-purpose ranges (loopback, private, link-local, CGNAT, benchmarking,
 * documentation, multicast, 6to4, NAT64…) and anything in one is refused, so
 * the list is the maintained registry's, not ours. IPv4-mapped addresses are
 * judged as the IPv4 address they carry; IPv4-compatible ones (`::a.b.c.d`,
 * deprecated) and everything else outside 2000::/3 are refused. An address that
 * does not parse is refused too: it cannot be shown to be public.
 */
export function isPrivateAddress(address: string): boolean {
  const canonical = canonicalAddress(address);
  if (canonical === undefined) return true;
  let parsed = ipaddr.parse(canonical);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  if (parsed.range() !== 'unicast') return true;
  return parsed.kind() === 'ipv6' && !parsed.match(GLOBAL_UNICAST_V6);
}

function refusal(sink: string, host: string, address: string): AuditRouterError {
  const via = host === address ? '' : ` (${host} resolves to it)`;
  return new AuditRouterError(
    'AR_ERR_SINK_REJECTED',
    `webhook ${sink}: refused to connect to ${address}${via}, a loopback, link-local, special-purpose or private address (blockPrivateNetworks)`,
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
