import type { Readable } from 'node:stream';
import { AuditRouterError } from '../../errors/index.js';

/** Bytes of a response body quoted in an error message. */
export const QUOTED_BODY_BYTES = 256;

/**
 * Reads at most `maxBytes` of a response body and returns its first
 * `keepBytes`. Leaving the loop early destroys the stream, so an endless or
 * huge body is neither buffered nor downloaded (the connection is dropped
 * instead of reused).
 */
export async function readCapped(body: Readable, maxBytes: number, keepBytes: number): Promise<Buffer> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (keptBytes < keepBytes) {
      const part = chunk.subarray(0, keepBytes - keptBytes);
      kept.push(part);
      keptBytes += part.length;
    }
    total += chunk.length;
    if (total >= maxBytes) break;
  }
  return Buffer.concat(kept);
}

/** Retry-After as delay-seconds or an HTTP-date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // All three HTTP-date forms start with a day name; Date.parse alone would also take "-5" or "1 2".
  const date = /^[A-Za-z]{3}/.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** 408, 429 and 5xx may succeed later; every other non-2xx status will not. */
export function isRetriableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

interface StatusErrorDetails {
  sink: string;
  status: number;
  /** Already redacted and quoted. */
  quotedBody: string;
  retryAfterMs: number | undefined;
  /** Why a 3xx was not followed. */
  note?: string | undefined;
}

export function statusError({ sink, status, quotedBody, retryAfterMs, note }: StatusErrorDetails): AuditRouterError {
  const message = `webhook ${sink}: HTTP ${status}${note ? ` (${note})` : ''}, body ${quotedBody}`;
  if (isRetriableStatus(status)) {
    return new AuditRouterError('AR_ERR_SINK_UNAVAILABLE', message, { status, retryAfterMs, retriable: true });
  }
  return new AuditRouterError('AR_ERR_SINK_REJECTED', message, { status, retriable: false });
}
