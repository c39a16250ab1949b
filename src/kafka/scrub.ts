const SECRET_KEY = /password|secret|sasl|token|authorization/i;

/**
 * A copy of a client's log field with secret-looking keys dropped and any
 * occurrence of the known secrets blanked. Clients do not log credentials
 * today, but their log objects are free-form (requests, errors, broker
 * options), so this does not depend on it staying that way.
 */
export function scrub(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const secret of secrets) out = out.split(secret).join('[redacted]');
    return out;
  }
  if (value instanceof Error) {
    return { type: value.name, message: scrub(value.message, secrets, depth + 1), stack: scrub(value.stack, secrets, depth + 1) };
  }
  if (value === null || typeof value !== 'object' || depth > 4) return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets, depth + 1));
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) ? '[redacted]' : scrub(v, secrets, depth + 1);
  }
  return out;
}
