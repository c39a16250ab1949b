import { createHmac } from 'node:crypto';

/** `x-audit-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (the Stripe scheme). */
export const SIGNATURE_HEADER = 'x-audit-signature';

function hmacHex(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/**
 * The signature header value for a body sent at `nowSeconds`. The timestamp is
 * signed with the body so a captured request cannot be replayed after the
 * receiver's tolerance window. Receivers verify it with
 * examples/verify-signature.mjs, the one verifier (its tests sign here).
 */
export function signBody(secret: string, body: string | Uint8Array, nowSeconds: number): string {
  const t = Math.floor(nowSeconds);
  return `t=${t},v1=${hmacHex(secret, t, body)}`;
}
