import { createHmac } from 'node:crypto';

/**
 * The Standard Webhooks signature (standardwebhooks.com): receivers verify it
 * with that specification's libraries, so the format is theirs, not ours.
 * The secret is `whsec_` and the base64 of the key bytes.
 */
const SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;
/** The specification's bounds for a key. */
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

/** Why `secret` is not a Standard Webhooks secret, or undefined when it is one. */
export function standardSecretProblem(secret: string): string | undefined {
  const match = SECRET.exec(secret);
  if (!match || match[1]!.length % 4 !== 0) return 'must be "whsec_" followed by base64 (the Standard Webhooks secret format)';
  const bytes = Buffer.from(match[1]!, 'base64').length;
  if (bytes < MIN_KEY_BYTES || bytes > MAX_KEY_BYTES)
    return `must encode ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} bytes after "whsec_" (has ${bytes})`;
  return undefined;
}

/** The key bytes of a secret that passed standardSecretProblem. */
export function standardSecretKey(secret: string): Buffer {
  return Buffer.from(secret.slice('whsec_'.length), 'base64');
}

/**
 * `webhook-id`, `webhook-timestamp` (seconds) and `webhook-signature:
 * v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`. The id is the
 * idempotency key, the same on every retry, which receivers use to drop
 * duplicates; the timestamp is fresh per attempt so a late retry passes their
 * tolerance window.
 */
export function standardWebhookHeaders(key: Buffer, id: string, body: string, nowSeconds: number): Record<string, string> {
  const timestamp = String(Math.floor(nowSeconds));
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}
