import { ERROR_CODES, type ErrorCode } from './codes.js';

/** One problem with one field of a config or a request body. */
interface FieldIssue {
  /** `sinks[0].url`, `auth.tokenUrl`, or '' for the whole document. */
  path: string;
  message: string;
}

interface AuditRouterErrorOptions {
  /** Dotted field path the error is about (`metadata.actor`, `sinks[0].url`). */
  path?: string;
  /** Overrides the code's default retriable flag (a 503 that carries Retry-After is still retriable). */
  retriable?: boolean;
  /** HTTP status: the one a destination answered, or the one the admin API answers with. */
  status?: number;
  /** Every field problem, when there are several (validation). */
  issues?: readonly FieldIssue[];
  /** Milliseconds the peer asked us to wait (Retry-After). */
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * The one error type the router raises on purpose. Anything else that reaches
 * the top is a bug and is reported as AR_ERR_INTERNAL.
 */
export class AuditRouterError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly path: string | undefined;
  readonly status: number | undefined;
  readonly issues: readonly FieldIssue[] | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: AuditRouterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuditRouterError';
    this.code = code;
    this.retriable = options.retriable ?? ERROR_CODES[code].retriable;
    this.path = options.path;
    this.status = options.status;
    this.issues = options.issues;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Wraps anything thrown into an AuditRouterError, keeping ours as they are. */
export function toAuditRouterError(err: unknown, fallback: ErrorCode = 'AR_ERR_INTERNAL'): AuditRouterError {
  if (err instanceof AuditRouterError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AuditRouterError(fallback, message, { cause: err });
}
