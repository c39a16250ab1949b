interface BackoffPolicy {
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Total time budget for one delivery, measured from its first attempt; 0 = no limit. */
  maxElapsedMs: number;
}

/**
 * "Full jitter" (AWS Architecture Blog, Exponential Backoff and Jitter):
 * a uniformly random wait between 0 and the exponential ceiling. Spreads the
 * retries of many routers hitting one recovering destination.
 */
export function fullJitterDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.min(attempt - 1, 30));
  return Math.floor(random() * ceiling);
}

/**
 * How long to wait before attempt `attempt + 1`, or undefined when the budget
 * would be exceeded. A peer's Retry-After wins over our own schedule: it knows
 * when it will be ready, and asking earlier only earns another 429.
 */
export function nextRetryDelay(
  attempt: number,
  elapsedMs: number,
  policy: BackoffPolicy,
  retryAfterMs?: number,
  random?: () => number,
): number | undefined {
  const delay = retryAfterMs !== undefined ? retryAfterMs : fullJitterDelay(attempt, policy, random);
  if (policy.maxElapsedMs > 0 && elapsedMs + delay > policy.maxElapsedMs) return undefined;
  return delay;
}

/** Resolves after `ms`, or rejects with the signal's reason when aborted first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
