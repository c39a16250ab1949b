import { createHmac, timingSafeEqual } from 'node:crypto';

/** `x-audit-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (the Stripe scheme). */
export const SIGNATURE_HEADER = 'x-audit-signature';

function hmacHex(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/**
 * The signature header value for a body sent at `nowSeconds`. The timestamp is
 * signed with the body so a captured request cannot be replayed after the
 * receiver's tolerance window.
 */
export function signBody(secret: string, body: string | Uint8Array, nowSeconds: number): string {
  const t = Math.floor(nowSeconds);
  return `t=${t},v1=${hmacHex(secret, t, body)}`;
}

export interface VerifyOptions {
  /** How far the signed timestamp may be from now, either way. */
  toleranceSeconds?: number;
  nowSeconds?: number;
}

/**
 * Receiver side: true when `header` holds a v1 signature of `body` by `secret`
 * made within the tolerance. Several v1 entries are allowed (a sender rotating
 * secrets), any one matching is enough.
 */
export function verifySignature(
  secret: string,
  body: string | Uint8Array,
  header: string,
  { toleranceSeconds = 300, nowSeconds = Date.now() / 1000 }: VerifyOptions = {},
): boolean {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d+$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === undefined || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  // Every candidate has the expected length (checked above), as timingSafeEqual requires.
  return signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
}
