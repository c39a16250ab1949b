// Verifies audit-router's x-audit-signature header on the receiving side.
// Plain Node.js, no dependencies: copy this file into your receiver.
//
//   import { verify } from './verify-signature.mjs';
//   // rawBody: the request body exactly as received (Buffer or string), before any JSON parsing
//   if (!verify(process.env.WEBHOOK_SECRET, rawBody, req.headers['x-audit-signature'])) reply(401);
//
// From a shell (body on stdin; exit status 0 when valid):
//   node verify-signature.mjs "$WEBHOOK_SECRET" 't=1700000000,v1=…' < body.json
//
// The header is `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
// The timestamp is signed too, so a captured request is refused once it is
// older than the tolerance: a replay cannot be made to look fresh.
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * @param {string} secret the sink's signingSecret
 * @param {string | Uint8Array} rawBody the body bytes as received
 * @param {string | undefined} header the x-audit-signature header
 * @param {number} [toleranceSeconds] how far the signed time may be from now
 * @returns {boolean}
 */
export function verify(secret, rawBody, header, toleranceSeconds = 300) {
  if (typeof header !== 'string') return false;
  let timestamp;
  const signatures = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d+$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined || Math.abs(Date.now() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
  // Constant-time comparison: timing must not reveal how much of a forged signature was right.
  return signatures.some((signature) => timingSafeEqual(signature, expected));
}

if (process.argv[1] === import.meta.filename) {
  const [secret, header] = process.argv.slice(2);
  if (!secret || !header) {
    console.error('usage: node verify-signature.mjs <secret> <x-audit-signature header> < body');
    process.exit(2);
  }
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const valid = verify(secret, Buffer.concat(chunks), header);
  console.log(valid ? 'valid' : 'invalid');
  process.exit(valid ? 0 : 1);
}
