/** A hand-written SVG bar chart of events/s: one bar per row, grouped by scenario, kcat's copy on top as the yardstick. */
import type { Row, Runner } from './results.js';

const COLOURS: Record<Runner, string> = { kcat: '#8c8c8c', kafkajs: '#4e79a7', librdkafka: '#f28e2b', 'kafka-connect': '#59a14f' };
const LABEL_W = 110;
const BAR_MAX_W = 560;
const BAR_H = 16;
const GAP = 4;
const GROUP_GAP = 12;

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function chartSvg(rows: Row[], title: string): string {
  const max = Math.max(1, ...rows.map((r) => r.eventsPerSecond));
  const groups = new Map<string, Row[]>();
  for (const r of rows) groups.set(r.scenario, [...(groups.get(r.scenario) ?? []), r]);
  const parts: string[] = [];
  let y = 40;
  for (const group of groups.values()) {
    // A group is named after the router's rows, not its peer's (the log-file group starts with Kafka Connect's row).
    const title = (group.find((r) => r.runner === 'kafkajs' || r.runner === 'librdkafka') ?? group[0]!).name;
    parts.push(`<text x="8" y="${y + 12}" font-weight="bold">${escape(title)}</text>`);
    y += 18;
    for (const r of group) {
      const w = Math.max(1, Math.round((r.eventsPerSecond / max) * BAR_MAX_W));
      parts.push(`<text x="${LABEL_W - 6}" y="${y + BAR_H - 3}" text-anchor="end">${r.runner}</text>`);
      parts.push(`<rect x="${LABEL_W}" y="${y}" width="${w}" height="${BAR_H}" fill="${COLOURS[r.runner]}"/>`);
      parts.push(`<text x="${LABEL_W + w + 6}" y="${y + BAR_H - 3}">${r.eventsPerSecond.toLocaleString('en')}</text>`);
      y += BAR_H + GAP;
    }
    y += GROUP_GAP;
  }
  const width = LABEL_W + BAR_MAX_W + 90;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="8" y="20" font-size="14" font-weight="bold">${escape(title)}</text>
${parts.join('\n')}
</svg>
`;
}
