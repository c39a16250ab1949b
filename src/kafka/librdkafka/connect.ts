import type { NativeError, NativeMetadata } from './native.js';

/** Error events that mean a connect cannot succeed: report them at once rather than after the metadata timeout. */
const HOPELESS = new Set([
  -187, // ERR__ALL_BROKERS_DOWN: every bootstrap broker refused or timed out (bounded by socket.connection.setup.timeout.ms)
  -193, // ERR__RESOLVE: no such host
  -181, // ERR__SSL: TLS handshake failed
  -169, // ERR__AUTHENTICATION: SASL refused
  58, // ERR_SASL_AUTHENTICATION_FAILED
]);

/**
 * librdkafka reports refused connections, refused credentials and failed TLS
 * handshakes as log lines and retries for ever; its error events come only
 * once connect() returned (and without their codes). These turn such a line
 * into the error it stands for, with librdkafka's codes. A connection
 * failure is hopeless once every bootstrap broker had one.
 */
const HOPELESS_LOGS: { pattern: RegExp; code: number; everyBroker: boolean }[] = [
  { pattern: /SASL authentication error/, code: -169, everyBroker: false },
  { pattern: /SSL handshake failed|certificate verify failed/, code: -181, everyBroker: false },
  { pattern: /Connect to \S+ failed|Failed to resolve|Connection setup timed out/, code: -195, everyBroker: true },
];

type LogLine = { severity: number; fac: string; message: string };

interface Watchable {
  on(event: 'event.error', listener: (err: NativeError) => void): unknown;
  on(event: 'event.log', listener: (log: LogLine) => void): unknown;
  removeListener(event: 'event.error' | 'event.log', listener: (arg: never) => void): unknown;
}

/** Reads "[thrd:…]: 127.0.0.1:9092/bootstrap: Connect to … failed: …" as the broker and what happened to it. */
function parseLog(message: string): { broker: string; text: string } {
  const rest = message.replace(/^\[thrd:[^\]]*\]: /, '');
  const match = /^(\S+): (.*)$/s.exec(rest);
  return match ? { broker: match[1]!, text: match[2]! } : { broker: '', text: rest };
}

/**
 * Calls `onHopeless` with the first error after which waiting for the
 * cluster (of `brokers` bootstrap brokers) is pointless; returns what stops
 * watching.
 */
export function watchHopeless(client: Watchable, brokers: number, onHopeless: (err: NativeError) => void): () => void {
  let done = false;
  const unreachable = new Set<string>();
  const fire = (err: NativeError | undefined) => {
    if (done || err === undefined) return;
    done = true;
    onHopeless(err);
  };
  const errorFromLog = ({ severity, message }: LogLine): NativeError | undefined => {
    if (severity > 3) return undefined;
    const hopeless = HOPELESS_LOGS.find((h) => h.pattern.test(message));
    if (!hopeless) return undefined;
    const { broker, text } = parseLog(message);
    if (hopeless.everyBroker) {
      unreachable.add(broker);
      if (unreachable.size < brokers) return undefined;
    }
    return Object.assign(new Error(text), { code: hopeless.code });
  };
  const onError = (err: NativeError) => fire(HOPELESS.has(err.code) ? err : undefined);
  const onLog = (line: LogLine) => fire(errorFromLog(line));
  client.on('event.error', onError);
  client.on('event.log', onLog);
  return () => {
    done = true;
    client.removeListener('event.error', onError);
    client.removeListener('event.log', onLog);
  };
}

interface Connectable extends Watchable {
  connect(options: { timeout?: number }, cb: (err: NativeError | null | undefined, metadata: NativeMetadata) => void): unknown;
  disconnect(cb: (err: unknown) => void): unknown;
}

/**
 * Connects a producer or consumer and proves the cluster answers (a
 * metadata request). librdkafka retries an unreachable broker until the
 * timeout; its first "all brokers down", resolve, TLS or SASL failure ends
 * the wait instead, so the CLI reports a bad address or password promptly.
 * Resolves to a function that disconnects, for the caller's close(); a
 * connect given up on disconnects by itself once librdkafka returns.
 */
export function connectNative(client: Connectable, brokers: number, timeoutMs: number): Promise<() => Promise<void>> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const disconnect = () => new Promise<void>((done) => client.disconnect(() => done()));
    const stopWatching = watchHopeless(client, brokers, (err) => {
      settled = true;
      reject(err);
    });
    client.connect({ timeout: timeoutMs }, (err) => {
      stopWatching();
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
