import type { LagRow } from './group-lag.js';

/** A fixed-width table an operator can read and a script can split on whitespace; `-` = nothing committed. */
export function lagTable(rows: readonly LagRow[]): string {
  const header = ['partition', 'committed', 'end', 'lag'];
  const cells = rows.map((r) => [
    String(r.partition),
    r.committed === undefined ? '-' : String(r.committed),
    String(r.high),
    String(r.lag),
  ]);
  const total = rows.reduce((sum, r) => sum + r.lag, 0);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [line(header), ...cells.map(line), `total lag ${total}`].join('\n');
}
