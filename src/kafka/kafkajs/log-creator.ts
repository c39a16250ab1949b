import { logLevel, type logCreator, type LogEntry } from 'kafkajs';
import type { Logger } from '../../observability/logger.js';
import { scrub } from '../scrub.js';

type PinoMethod = 'error' | 'warn' | 'debug' | 'trace';

/** kafkajs INFO is chatty (every connect, join, commit): it goes to debug; its DEBUG (every request) to trace. */
const PINO_METHOD: Record<number, PinoMethod> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'debug',
  [logLevel.DEBUG]: 'trace',
};

/**
 * The most verbose kafkajs level our logger would print. kafkajs builds each
 * entry before handing it over, so asking it for entries pino drops anyway
 * only costs CPU. Read once: a later level change does not reach kafkajs.
 */
export function kafkajsLevelFor(logger: Logger): logLevel {
  if (logger.isLevelEnabled('trace')) return logLevel.DEBUG;
  if (logger.isLevelEnabled('debug')) return logLevel.INFO;
  if (logger.isLevelEnabled('warn')) return logLevel.WARN;
  if (logger.isLevelEnabled('error')) return logLevel.ERROR;
  return logLevel.NOTHING;
}

/**
 * Routes kafkajs log entries into our pino logger, never with a secret in
 * them. While `quiet()` is true its errors and warnings go to debug: during
 * start-up the CLI reports a failure as one line, and the client's retries
 * would only repeat it (AR_LOG_LEVEL=debug shows them).
 */
export function pinoLogCreator(logger: Logger, secrets: readonly string[] = [], quiet: () => boolean = () => false): logCreator {
  const nonEmpty = secrets.filter((s) => s.length > 0);
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const mapped = PINO_METHOD[level];
      const method = (mapped === 'error' || mapped === 'warn') && quiet() ? 'debug' : mapped;
      if (method === undefined || !logger.isLevelEnabled(method)) return;
      // timestamp: pino stamps its own; logger: always "kafkajs", said by `component` already.
      const { message, timestamp: _t, logger: _l, ...extra } = log;
      const fields = scrub(extra, nonEmpty) as Record<string, unknown>;
      logger[method]({ namespace, ...fields }, String(scrub(message, nonEmpty)));
    };
}
