/** RFC 9110 token: the characters an HTTP field name may use. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Visible ASCII, space and tab. Stricter than HTTP itself on purpose: CR, LF
 * and NUL would let a value start a new header, and undici refuses any other
 * control character or anything above U+00FF at send time.
 */
export const SAFE_HEADER_VALUE = /^[\t\x20-\x7e]*$/;

/** Names the sink sets itself (or undici owns); a configured header may not replace them. */
const RESERVED_EXACT = new Set([
  'content-type',
  'content-length',
  'host',
  'idempotency-key',
  // Standard Webhooks' signature headers, set by signature.scheme standard-webhooks.
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  // Hop-by-hop headers: undici throws on these for every request.
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

/**
 * Valid HTTP tokens, but property names with a meaning to JavaScript objects:
 * copied into a record, `__proto__` is silently dropped (or sets a prototype),
 * so they are refused by name, on the input, before any copy.
 */
export const OBJECT_PROPERTY_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Why a configured header name cannot be used, or undefined when it can. */
export function headerNameProblem(name: string): string | undefined {
  if (!HEADER_NAME.test(name)) return "is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)";
  const lower = name.toLowerCase();
  if (RESERVED_EXACT.has(lower) || lower.startsWith('x-audit-')) return 'is set by the webhook sink and cannot be configured';
  return undefined;
}
