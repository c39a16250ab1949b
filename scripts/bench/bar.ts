/**
 * Issue #13's bar, read off one run's rows: every figure it names, beside its
 * threshold. Judged only on a full run (1,000,000 events); a smoke run shows the
 * figures so the harness is seen to produce them, and judges nothing.
 */
import type { EngineName } from './engines.js';
import type { Report, Row } from './results.js';

export interface BarCheck {
  bar: string;
  measured: string;
  /** undefined when the run cannot judge it: a smoke run, or a figure missing (an engine not measured). */
  met?: boolean;
}

const FULL_RUN = 1_000_000;

export function barChecks(report: Report): BarCheck[] {
  const row = (scenario: string, runner: Row['runner']) => report.rows.find((r) => r.scenario === scenario && r.runner === runner);
  const judged = report.events >= FULL_RUN;
  const checks: BarCheck[] = [];
  const add = (bar: string, value: number | undefined, measured: (v: number) => string, ok: (v: number) => boolean, extra = true) =>
    checks.push({ bar, measured: value === undefined ? 'not measured' : measured(value), met: judged && value !== undefined ? ok(value) && extra : undefined });

  const connect = row('logfile', 'kafka-connect');
  for (const [engine, min] of [['librdkafka', 1.5], ['kafkajs', 1.0]] as const) {
    const router = row('logfile', engine);
    const x = router && connect ? router.eventsPerSecond / connect.eventsPerSecond : undefined;
    const cpu = engine === 'librdkafka' ? `; CPU s per million ${router?.cpuSecondsPerMillion ?? '—'} vs Connect's ${connect?.cpuSecondsPerMillion ?? '—'}` : '';
    add(`log file, ${engine}: ≥ ${min}× Kafka Connect FileStreamSink${cpu ? ', at fewer CPU s per million' : ''}`, x, (v) => `${v.toFixed(2)}×${cpu}`, (v) => v >= min, !cpu || (router !== undefined && connect !== undefined && router.cpuSecondsPerMillion < connect.cpuSecondsPerMillion));
  }
  const aLib = row('a', 'librdkafka');
  const aJs = row('a', 'kafkajs');
  add('a, librdkafka: ≥ 1.3× kafkajs', aLib && aJs ? aLib.eventsPerSecond / aJs.eventsPerSecond : undefined, (v) => `${v.toFixed(2)}×`, (v) => v >= 1.3);
  add('a, librdkafka: ≥ 0.15× kcat', aLib?.ratioToKcat, (v) => `${v}×`, (v) => v >= 0.15);
  add('c, librdkafka: ≥ 0.35× kcat', row('c', 'librdkafka')?.ratioToKcat, (v) => `${v}×`, (v) => v >= 0.35);
  for (const engine of ['kafkajs', 'librdkafka'] as EngineName[]) {
    const lat = report.latency.find((l) => l.engine === engine);
    add(`${engine}: p99 ≤ 50 ms to the output topic at 2,000 events/s`, lat?.outputTopic.p99, (v) => `${v} ms`, (v) => v <= 50);
    add(`${engine}: p99 ≤ 150 ms to the webhook at 2,000 events/s`, lat?.webhook.p99, (v) => `${v} ms`, (v) => v <= 150);
    const rss = report.rows.filter((r) => r.runner === engine).map((r) => r.peakRssMb ?? 0);
    add(`${engine}: peak RSS ≤ 300 MB with a ${FULL_RUN.toLocaleString('en')}-event backlog (largest over its scenarios)`, rss.length > 0 ? Math.max(...rss) : undefined, (v) => `${v} MB`, (v) => v <= 300);
  }
  return checks;
}

export function barSection(report: Report): string {
  const verdict = (c: BarCheck) => (c.met === undefined ? '—' : c.met ? 'yes' : '**no**');
  const why = report.events < FULL_RUN ? ` Not judged: this run has ${report.events.toLocaleString('en')} events, the bar is for ${FULL_RUN.toLocaleString('en')}.` : '';
  return `
## Against the bar (issue #13), from this run

All figures from the run above.${why}

| bar | measured | met |
|---|---|---|
${barChecks(report).map((c) => `| ${c.bar} | ${c.measured} | ${verdict(c)} |`).join('\n')}
`;
}
