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
    if (used.filter((t) => t === required).length !== 1)
      return `must contain {${required}} exactly once: keys of different partitions or offsets would collide`;
  }
  if (used.slice(used.indexOf('offset') + 1).some((t) => t !== 'ext')) return 'only {ext} may follow {offset}';
  if (/[/]/.test(template.slice(template.indexOf('{offset}')))) return 'no folder may follow {offset}';
  return undefined;
}

interface KeyFields {
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

function render(template: string, values: Record<Token, string>): string {
  // An empty prefix must not leave a leading or doubled slash: S3 would keep it as an empty folder name.
  return template
    .replace(TOKEN, (_, name: Token) => values[name])
    .replace(/\/{2,}/g, '/')
    .replace(/^\//, '');
}

export function keyShape(template: string, fields: KeyFields): KeyShape {
  const iso = fields.at.toISOString();
  const rendered = render(template, {
    prefix: fields.prefix,
    topic: fields.topic,
    partition: String(fields.partition),
    date: iso.slice(0, 10),
    hour: iso.slice(11, 13),
    offset: OFFSET_MARK,
    ext: fields.ext,
  });
  const at = rendered.indexOf(OFFSET_MARK);
  return { head: rendered.slice(0, at), tail: rendered.slice(at + 1) };
}

const DATE_MARK = '\u0001';
const HOUR_MARK = '\u0002';

/** Every key of one partition, whatever its date folder: where to list them, and the first offset each names. */
interface PartitionKeys {
  readonly listPrefix: string;
  offsetOf(key: string): number | undefined;
}

export function partitionKeys(template: string, fields: Omit<KeyFields, 'at'>): PartitionKeys {
  const rendered = render(template, {
    ...fields,
    partition: String(fields.partition),
    date: DATE_MARK,
    hour: HOUR_MARK,
    offset: OFFSET_MARK,
  });
  // Listed up to the first token that varies between the partition's keys.
  const listPrefix = rendered.slice(
    0,
    Math.min(...[OFFSET_MARK, DATE_MARK, HOUR_MARK].map((m) => rendered.indexOf(m)).filter((i) => i >= 0)),
  );
  const pattern = new RegExp(
    `^${rendered
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(new RegExp(DATE_MARK, 'g'), '\\d{4}-\\d{2}-\\d{2}')
      .replace(new RegExp(HOUR_MARK, 'g'), '\\d{2}')
      .replace(OFFSET_MARK, '(\\d{1,16})')}$`,
  );
  return {
    listPrefix,
    offsetOf: (key) => {
      const match = pattern.exec(key);
      return match ? Number(match[1]) : undefined;
    },
  };
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
