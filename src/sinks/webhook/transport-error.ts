import { AuditRouterError } from '../../errors/index.js';
import type { Deadline } from './deadline.js';
import { tlsFailure } from './tls-failure.js';

/** undici's codes for a request it refuses to build: sending it again cannot help. */
const UNSENDABLE = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED']);

/**
 * Maps whatever an attempt threw to the sink contract's errors. Ours pass
 * through; the caller's abort means the events stay unacknowledged; the
 * deadline, refused or dropped connections and the like are worth retrying.
 * Messages carry undici's own text, which names header keys but never values.
 */
export function transportError(err: unknown, sink: string, deadline: Deadline, timeoutMs: number): AuditRouterError {
  if (err instanceof AuditRouterError) return err;
  if (deadline.aborted) {
    return new AuditRouterError('AR_ERR_SINK_CLOSED', `webhook ${sink}: delivery aborted`, { cause: err });
  }
  if (deadline.timedOut) {
    return new AuditRouterError('AR_ERR_SINK_UNAVAILABLE', `webhook ${sink}: no complete answer within ${timeoutMs} ms`, {
      retriable: true,
      cause: err,
    });
  }
  const tls = tlsFailure(err, sink);
  if (tls) return tls;
  const code = (err as { code?: unknown }).code;
  const detail = `${(err as Error).message}${typeof code === 'string' ? ` (${code})` : ''}`;
  if (typeof code === 'string' && UNSENDABLE.has(code)) {
    return new AuditRouterError('AR_ERR_SINK_REJECTED', `webhook ${sink}: request cannot be sent: ${detail}`, {
      retriable: false,
      cause: err,
    });
  }
  return new AuditRouterError('AR_ERR_SINK_UNAVAILABLE', `webhook ${sink}: request failed: ${detail}`, { retriable: true, cause: err });
}
