/**
 * admin.listen as host:port, checked once for the config file and split the
 * same way by the admin server. Port 0 lets the OS pick one (tests do this);
 * "[::1]:9464" names an IPv6 address, which node wants without the brackets.
 */
export function parseListenAddress(listen: string): { host: string; port: number } | { problem: string } {
  const colon = listen.lastIndexOf(':');
  const portText = listen.slice(colon + 1);
  const host = listen.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  if (colon <= 0 || host === '' || /\s/.test(listen) || !/^\d{1,5}$/.test(portText))
    return { problem: 'expected host:port, e.g. 127.0.0.1:9464' };
  const port = Number(portText);
  if (port > 65535) return { problem: 'port must be 0-65535' };
  return { host, port };
}
