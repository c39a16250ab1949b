import { QUOTED_BODY_BYTES } from './response.js';

const REDACTED = '[redacted]';
const WITHHELD = '[body withheld: it echoes a secret in an encoding not redacted]';
/** A trailing piece this long of a secret (cut off by the read cap) is removed too. */
const MIN_PARTIAL = 4;

/** \uXXXX for every character outside printable ASCII, as Python's json.dumps and others write JSON. */
const asciiJson = (value: string) =>
  JSON.stringify(value)
    .slice(1, -1)
    .replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * The spellings a receiver is likely to echo a secret in: as sent, inside a
 * JSON string (with `/` escaped too, as PHP does; non-ASCII as \u escapes),
 * URL- and form-encoded, and base64. Longest first, so a spelling that
 * contains another is replaced whole.
 */
function secretForms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const forms = [
    value,
    json,
    json.replaceAll('/', '\\/'),
    asciiJson(value),
    encodeURIComponent(value),
    encodeURIComponent(value).replaceAll('%20', '+'),
    Buffer.from(value).toString('base64'),
    Buffer.from(value).toString('base64url'),
  ];
  return [...new Set(forms)].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
}

/** Bytes of the longest spelling of any of the values: how far past the quoted prefix to read. */
export function longestSecretForm(sensitive: readonly string[]): number {
  return Math.max(0, ...sensitive.flatMap(secretForms).map((f) => Buffer.byteLength(f)));
}

/** The body read as each decoding a receiver could have applied: JSON string escapes, percent-escapes, HTML entities. */
function decodedViews(text: string): string[] {
  const json = text.replace(/\\u([0-9a-fA-F]{4})|\\(["\\/bfnrt])/g, (_m, hex: string | undefined, c: string | undefined) =>
    hex ? String.fromCharCode(parseInt(hex, 16)) : (({ b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' } as Record<string, string>)[c!] ?? c!),
  );
  const percent = text.replace(/\+/g, ' ').replace(/(%[0-9a-fA-F]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
  // A receiver's body is hostile input: a code point past U+10FFFF makes fromCodePoint throw, so it stays as written.
  const codePoint = (entity: string, cp: number) => (cp <= 0x10ffff ? String.fromCodePoint(cp) : entity);
  const html = text.replace(/&(#x[0-9a-fA-F]+|#\d+|quot|amp|lt|gt|apos);/g, (m, e: string) =>
    e.startsWith('#x')
      ? codePoint(m, parseInt(e.slice(2), 16))
      : e.startsWith('#')
        ? codePoint(m, Number(e.slice(1)))
        : ({ quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" } as Record<string, string>)[e]!,
  );
  return [text, json, percent, html];
}

/** Removes a trailing beginning of any form: the read cap may have cut a secret, and its first half is half a secret. */
function trimPartial(text: string, forms: readonly string[]): string {
  for (const form of forms) {
    for (let n = form.length - 1; n >= MIN_PARTIAL; n--) {
      if (text.endsWith(form.slice(0, n))) return text.slice(0, -n);
    }
  }
  return text;
}

/**
 * A response body prefix fit for an error message (which becomes a log line
 * and the dead-letter header ar.error.message): every spelling of the sink's
 * secrets and header values replaced, since an echo service copies them back.
 * When a secret can still be read after decoding the body some other way, the
 * body is withheld entirely rather than guessed at. Cut to QUOTED_BODY_BYTES
 * and JSON-quoted so CR/LF in it cannot forge log lines.
 */
export function quoteBody(prefix: Buffer, sensitive: readonly string[]): string {
  const forms = [...new Set(sensitive.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  let text = trimPartial(prefix.toString('utf8'), forms);
  for (const form of forms) text = text.replaceAll(form, REDACTED);
  if (decodedViews(text).some((view) => sensitive.some((value) => view.includes(value)))) return JSON.stringify(WITHHELD);
  const cut = Buffer.from(text, 'utf8').subarray(0, QUOTED_BODY_BYTES).toString('utf8');
  return JSON.stringify(cut);
}
