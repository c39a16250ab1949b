import { parseTime } from './parse-time.js';
import { AuditRouterError } from '../errors/index.js';
import type { OffsetSpec, OffsetSpecKind } from '../offsets/offset-spec.js';

const OFFSET = /^\d{1,15}$/;
const DATE = /^\d{4}-\d{2}-\d{2}/;
const PARTITION_OFFSET = /^(\d{1,6}):(\d{1,15})$/;

const usage = (message: string) => new AuditRouterError('AR_ERR_USAGE', message);

/**
 * `earliest`, `latest`, an offset for every partition (`1200`), one per
 * partition (`0:1200,2:40`), or an ISO 8601 time. `allowed` narrows the
 * forms an option accepts (offsets --reset-to takes no numbers).
 */
export function parseOffsetSpec(value: string, option: string, allowed: readonly OffsetSpecKind[]): OffsetSpec {
  const spec = parseAny(value.trim(), option);
  if (!spec || !allowed.includes(spec.kind)) throw usage(`${option} ${JSON.stringify(value)}: expected ${describe(allowed)}`);
  return spec;
}

function parseAny(value: string, option: string): OffsetSpec | undefined {
  if (value === 'earliest' || value === 'latest') return { kind: value };
  if (OFFSET.test(value)) return { kind: 'offset', offset: Number(value) };
  if (DATE.test(value)) return { kind: 'time', ms: parseTime(value, option) };
  if (/^\d+:/.test(value)) return { kind: 'partitions', offsets: parsePartitionOffsets(value, option) };
  return undefined;
}

function parsePartitionOffsets(value: string, option: string): Map<number, number> {
  const offsets = new Map<number, number>();
  for (const pair of value.split(',')) {
    const match = PARTITION_OFFSET.exec(pair.trim());
    if (!match) throw usage(`${option}: ${JSON.stringify(pair)} is not partition:offset (e.g. 0:1200,2:40)`);
    const partition = Number(match[1]);
    if (offsets.has(partition)) throw usage(`${option}: partition ${partition} is given twice`);
    offsets.set(partition, Number(match[2]));
  }
  return offsets;
}

const FORMS: Record<OffsetSpecKind, string> = {
  earliest: 'earliest',
  latest: 'latest',
  offset: 'an offset',
  partitions: 'partition:offset pairs (0:1200,2:40)',
  time: 'an ISO 8601 time (2026-11-22T10:00:00Z)',
};

function describe(allowed: readonly OffsetSpecKind[]): string {
  const forms = allowed.map((k) => FORMS[k]);
  return forms.length === 1 ? forms[0]! : `${forms.slice(0, -1).join(', ')} or ${forms.at(-1)}`;
}

/** A list of partitions such as `--partitions 0,2`: sorted, without repeats. */
export function parsePartitionList(value: string, option: string): number[] {
  const parts = value.split(',').map((p) => p.trim());
  const bad = parts.find((p) => !/^\d{1,6}$/.test(p));
  if (bad !== undefined) throw usage(`${option}: expected partition numbers such as 0,2; got ${JSON.stringify(bad)}`);
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
}
