/**
 * Object keys. A key template names each object after the partition and the
 * first offset it holds, so the same events always land at the same key; the
 * offset must be the last token but {ext}, so that listing the rendered text
 * before it finds every object of one partition in one date folder (how a
 * restarted sink finds what an earlier process stored, see archive-sink.ts).
 */
const TOKENS = ['prefix', 'topic', 'partition', 'date', 'hour', 'offset', 'ext'] as const;
type Token = (typeof TOKENS)[number];
const TOKEN = /\{([^{}]*)\}/g;
const OFFSET_MARK = '\u0000';

/** What is wrong with a key template, or undefined. */
export function templateProblem(template: string): string | undefined {
  const used = [...template.matchAll(TOKEN)].map((m) => m[1]!);
  const unknown = used.find((t) => !(TOKENS as readonly string[]).includes(t));
  if (unknown !== undefined) return `unknown token {${unknown}} (known: ${TOKENS.map((t) => `{${t}}`).join(' ')})`;
  for (const required of ['partition', 'offset'] as const) {
    if (used.filter((t) => t === required).length !== 1) return `must contain {${required}} exactly once: keys of different partitions or offsets would collide`;
  }
  if (used.slice(used.indexOf('offset') + 1).some((t) => t !== 'ext')) return 'only {ext} may follow {offset}';
  if (/[/]/.test(template.slice(template.indexOf('{offset}')))) return 'no folder may follow {offset}';
  return undefined;
}

export interface KeyFields {
  prefix: string;
  topic: string;
  partition: number;
  /** The instant {date} and {hour} are taken from (UTC). */
  at: Date;
  ext: string;
}

/** A key with its offset left open: `head + offset + tail`. */
export interface KeyShape {
  readonly head: string;
  readonly tail: string;
}

export function keyShape(template: string, fields: KeyFields): KeyShape {
  const iso = fields.at.toISOString();
  const values: Record<Token, string> = {
    prefix: fields.prefix,
    topic: fields.topic,
    partition: String(fields.partition),
    date: iso.slice(0, 10),
    hour: iso.slice(11, 13),
    offset: OFFSET_MARK,
    ext: fields.ext,
  };
  // An empty prefix must not leave a leading or doubled slash: S3 would keep it as an empty folder name.
  const rendered = template.replace(TOKEN, (_, name: Token) => values[name]).replace(/\/{2,}/g, '/').replace(/^\//, '');
  const at = rendered.indexOf(OFFSET_MARK);
  return { head: rendered.slice(0, at), tail: rendered.slice(at + 1) };
}

export function objectKey(shape: KeyShape, offset: number): string {
  return `${shape.head}${offset}${shape.tail}`;
}

/** The first offset a key of this shape names, or undefined for another object's key. */
export function offsetInKey(shape: KeyShape, key: string): number | undefined {
  if (!key.startsWith(shape.head) || !key.endsWith(shape.tail)) return undefined;
  const digits = key.slice(shape.head.length, key.length - shape.tail.length);
  return /^\d{1,16}$/.test(digits) ? Number(digits) : undefined;
}
