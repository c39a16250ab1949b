import type { KafkaConfig } from '../config.js';
import type { Logger } from '../../observability/logger.js';
import { scrub } from '../scrub.js';
import type { NativeError } from './native.js';

type PinoMethod = 'error' | 'warn' | 'debug' | 'trace';

/** librdkafka logs with syslog levels; its info (5-6: connects, joins) is chatty and goes to debug. */
function methodFor(severity: number): PinoMethod {
  if (severity <= 3) return 'error';
  if (severity === 4) return 'warn';
  if (severity <= 6) return 'debug';
  return 'trace';
}

interface LoggingClient {
  on(event: 'event.error', listener: (err: NativeError) => void): unknown;
  on(event: 'event.log', listener: (log: { severity: number; fac: string; message: string }) => void): unknown;
}

/**
 * Routes a client's logs and error events into our logger, never with a
 * secret in them. Error events are mostly transient (a broker down, a
 * connection reset: librdkafka retries by itself), hence warnings. While
 * `quiet()` is true they go to debug: during start-up the CLI reports a
 * failure once, as one line.
 */
export function bridgeLogs(client: LoggingClient, logger: Logger, config: KafkaConfig, quiet: () => boolean = () => false): void {
  const secrets = config.sasl ? [config.sasl.password] : [];
  const demoted = (method: PinoMethod): PinoMethod => ((method === 'error' || method === 'warn') && quiet() ? 'debug' : method);
  client.on('event.error', (err) => {
    const method = demoted('warn');
    if (!logger.isLevelEnabled(method)) return;
    logger[method]({ err: { code: err.code, message: scrub(err.message, secrets) } }, `librdkafka: ${String(scrub(err.message, secrets))}`);
  });
  client.on('event.log', ({ severity, fac, message }) => {
    const method = demoted(methodFor(severity));
    if (!logger.isLevelEnabled(method)) return;
    logger[method]({ facility: fac }, String(scrub(message, secrets)));
  });
}
