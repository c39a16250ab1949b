import { QUOTED_BODY_BYTES } from './response.js';

/**
 * A response body prefix fit for an error message: the sink's secrets and
 * header values replaced (an echo service would otherwise copy them into
 * logs and dead-letter headers), cut to QUOTED_BODY_BYTES, and JSON-quoted so
 * CR/LF in it cannot forge log lines.
 */
export function quoteBody(prefix: Buffer, sensitive: readonly string[]): string {
  let text = prefix.toString('utf8');
  for (const value of sensitive) text = text.replaceAll(value, '[redacted]');
  const cut = Buffer.from(text, 'utf8').subarray(0, QUOTED_BODY_BYTES).toString('utf8');
  return JSON.stringify(cut);
}
