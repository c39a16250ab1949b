import type { NativeError, NativeMetadata } from './native.js';

/** Error events that mean a connect cannot succeed: report them at once rather than after the metadata timeout. */
const HOPELESS = new Set([
  -187, // ERR__ALL_BROKERS_DOWN: every bootstrap broker refused or timed out (bounded by socket.connection.setup.timeout.ms)
  -193, // ERR__RESOLVE: no such host
  -181, // ERR__SSL: TLS handshake failed
  -169, // ERR__AUTHENTICATION: SASL refused
  58, // ERR_SASL_AUTHENTICATION_FAILED
]);

/** True for an error event after which waiting for the cluster is pointless (see HOPELESS). */
export function isHopeless(err: NativeError): boolean {
  return HOPELESS.has(err.code);
}

interface Connectable {
  connect(options: { timeout?: number }, cb: (err: NativeError | null | undefined, metadata: NativeMetadata) => void): unknown;
  disconnect(cb: (err: unknown) => void): unknown;
  on(event: 'event.error', listener: (err: NativeError) => void): unknown;
  removeListener(event: 'event.error', listener: (err: NativeError) => void): unknown;
}

/**
 * Connects a producer or consumer and proves the cluster answers (a
 * metadata request). librdkafka retries an unreachable broker until the
 * timeout; its first "all brokers down", resolve, TLS or SASL error ends the
 * wait instead, so the CLI reports a bad address or password promptly.
 * Resolves to a function that disconnects once the client is connected, for
 * the caller's close(); a connect given up on disconnects by itself.
 */
export function connectNative(client: Connectable, timeoutMs: number): Promise<() => Promise<void>> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const disconnect = () => new Promise<void>((done) => client.disconnect(() => done()));
    const onError = (err: NativeError) => {
      if (settled || !isHopeless(err)) return;
      settled = true;
      reject(err);
    };
    client.on('event.error', onError);
    client.connect({ timeout: timeoutMs }, (err) => {
      client.removeListener('event.error', onError);
      if (settled) {
        if (!err) void disconnect();
        return;
      }
      settled = true;
      if (err) reject(err);
      else resolve(disconnect);
    });
  });
}
