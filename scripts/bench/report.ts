/** Writes bench/results.json, docs/benchmarks.md and the chart it shows (docs/benchmarks.svg). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { barChecks, barSection } from './bar.js';
import { chartSvg } from './chart.js';
import { PARTITIONS, root } from './options.js';
import type { Percentiles, Report, Row } from './results.js';

export interface ScenarioRatios {
  scenario: string;
  name: string;
  /** librdkafka's events/s over kafkajs's, when both ran. */
  librdkafkaOverKafkajs?: number;
  kafkajsOverKcat?: number;
  librdkafkaOverKcat?: number;
  /** The log-file scenario: each engine's events/s over Kafka Connect's. */
  kafkajsOverConnect?: number;
  librdkafkaOverConnect?: number;
}

const ratio = (a: Row | undefined, b: Row | undefined) => (a && b ? Number((a.eventsPerSecond / b.eventsPerSecond).toFixed(3)) : undefined);

export function ratios(rows: Row[]): ScenarioRatios[] {
  const ids = [...new Set(rows.filter((r) => r.runner !== 'kcat' && r.runner !== 'kafka-connect').map((r) => r.scenario))];
  return ids.map((scenario) => {
    const of = (runner: Row['runner']) => rows.find((r) => r.scenario === scenario && r.runner === runner);
    const kafkajs = of('kafkajs');
    const librdkafka = of('librdkafka');
    const connect = of('kafka-connect');
    return {
      scenario,
      name: (kafkajs ?? librdkafka)!.name,
      librdkafkaOverKafkajs: ratio(librdkafka, kafkajs),
      kafkajsOverKcat: kafkajs?.ratioToKcat,
      librdkafkaOverKcat: librdkafka?.ratioToKcat,
      kafkajsOverConnect: ratio(kafkajs, connect),
      librdkafkaOverConnect: ratio(librdkafka, connect),
    };
  });
}

const n = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toLocaleString('en'));
const r = (x: number | undefined) => (x === undefined ? '—' : `${x}×`);

function engineLines(report: Report): string {
  const e = report.engines;
  const measured = e.measured.map((name) => e.versions[name]).join(', ');
  const skipped = Object.entries(e.skipped).map(([name, why]) => `\n\n**${name} was not measured in this run**: it cannot be loaded here (${why}). Its rows and ratios are missing below.`);
  return `Engines measured: ${measured}. Each scenario runs once per engine, one right after the other (\`kafka.engine\` set
per router process), so the ratios between engines come from one run.${skipped.join('')}`;
}

function logFileSection(report: Report): string {
  const rows = report.rows.filter((row) => row.scenario === 'logfile');
  if (rows.length === 0) return '';
  const connect = rows.find((row) => row.runner === 'kafka-connect');
  const lines = rows.map((row) => `| ${row.runner === 'kafka-connect' ? row.name : `audit-router (${row.runner})`} | ${n(row.eventsPerSecond)} | ${r(ratio(row, connect))} | ${row.cpuSecondsPerMillion} | ${n(row.peakRssMb)} |`);
  return `
## Landing a topic in a file: audit-router beside Kafka Connect

The same input topic, landed in a file by Kafka Connect in standalone mode with its FileStreamSink connector
(\`connect-runtime\` and \`connect-file\` from Maven Central at the broker's version, or the newest Connect whose
\`connect-file\` is published when the broker's is not (the table names the version), started with \`java\` and
connect-standalone.sh's default heap, StringConverter for keys and values, \`tasks.max=1\`) and by audit-router
with one log sink. Both timed from process start to the last line in the file.

| process | events/s | × Connect | CPU s / million | peak RSS MB |
|---|---|---|---|---|
${lines.join('\n')}

What each does per event: FileStreamSink writes the value as it is (a string, one line) and commits offsets
every 10 s (\`offset.flush.interval.ms\`); audit-router decodes and validates the event against the schema,
filters it by \`noun:verb\`, writes its canonical JSON and commits offsets at least once (only after the line is
written).
`;
}

const mean = (rows: Row[]) => rows.reduce((sum, row) => sum + row.eventsPerSecond, 0) / rows.length;

/** The log sink with evidence on beside off, per engine: ABBA order, each side's mean (issue #16's bar: on keeps ≥ 90%). */
function evidenceSection(report: Report): string {
  const engines = [...new Set(report.rows.filter((row) => row.scenario === 'evidence-on').map((row) => row.runner))];
  if (engines.length === 0) return '';
  const lines = engines.map((engine) => {
    const on = report.rows.filter((row) => row.runner === engine && row.scenario === 'evidence-on');
    const off = report.rows.filter((row) => row.runner === engine && row.scenario === 'evidence-off');
    const kept = mean(on) / mean(off);
    return `| ${engine} | ${n(Math.round(mean(off)))} | ${n(Math.round(mean(on)))} | ${(kept * 100).toFixed(1)}% | ${kept >= 0.9 ? 'yes' : '**no**'} |`;
  });
  return `
## Evidence: the log sink with a hash chain and signed checkpoints

The log-file route without and with \`evidence\` (chain on every line, a checkpoint every 1,000 events, each also
produced to a checkpoint topic), run off, on, on, off per engine so drift during the run weighs on both sides alike.

| engine | events/s off (mean) | events/s on (mean) | on ÷ off | ≥ 90% (issue #16) |
|---|---|---|---|---|
${lines.join('\n')}
`;
}

function latencySection(report: Report): string {
  if (report.latency.length === 0) return '';
  const l0 = report.latency[0]!;
  const row = (engine: string, what: string, p: Percentiles | undefined) => (p ? [`| ${engine} | ${what} | ${p.p50} | ${p.p99} | ${p.max} |`] : []);
  const lines = report.latency.flatMap((l) => [
    ...row(l.engine, 'output topic', l.outputTopic),
    ...row(l.engine, 'webhook (batch 500, maxWaitMs 50)', l.webhook),
    ...row(l.engine, '*where it goes:* input topic, read the same way (one Kafka hop, no router)', l.inputHop),
    ...row(l.engine, "*where it goes:* the output record's CreateTime (the router's share, to its produce call)", l.routerShare),
  ]);
  return `
Latency at a steady ${l0.ratePerSecond} events/s for ${l0.seconds} s into scenario c's sinks (produce time → arrival), per engine.
The output topic is two Kafka hops (into the router, out of it); the input-topic row is one hop measured by the same
kind of reader in the same run, while the router runs: the floor of this measurement on this machine.

| engine | destination | p50 ms | p99 ms | max ms |
|---|---|---|---|---|
${lines.join('\n')}
`;
}

export function writeReport(report: Report): void {
  const scenarioRatios = ratios(report.rows);
  mkdirSync(join(root, 'bench'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results.json'), JSON.stringify({ ...report, ratios: scenarioRatios, bar: barChecks(report) }, null, 2));
  writeFileSync(join(root, 'docs', 'benchmarks.svg'), chartSvg(report.rows, `events/s per scenario and engine, ${report.events.toLocaleString('en')} events (${report.date.slice(0, 10)})`));

  const file = join(root, 'docs', 'benchmarks.md');
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const notes = previous.includes('## What was tried') ? previous.slice(previous.indexOf('## What was tried')) : '## What was tried\n\n(nothing yet)\n';
  const m = report.machine;
  const smoke = report.events < 1_000_000 ? `\n> **Smoke run** (${report.events.toLocaleString('en')} events): it proves the harness, its figures are not the bar's.\n` : '';
  const rows = report.rows.map((s) => `| ${s.name} | ${s.runner} | ${n(s.events)} | ${n(s.eventsPerSecond)} | ${s.mbPerSecond} | ${s.ratioToKcat} | ${n(s.peakRssMb)} | ${s.cpuSecondsPerMillion} |`);
  const ratioRows = scenarioRatios.map((x) => `| ${x.name} | ${r(x.librdkafkaOverKafkajs)} | ${r(x.kafkajsOverKcat)} | ${r(x.librdkafkaOverKcat)} |`);
  const text = `# Benchmarks

Made by \`${report.command}\` on ${report.date.slice(0, 10)}: ${report.events.toLocaleString('en')} events of the reference shape
(${report.avgEventBytes} bytes on average as JSON, nouns/verbs/namespaces mixed) in a ${PARTITIONS}-partition topic.
Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGb} GiB, Node ${m.node}, Kafka ${m.kafka} on the same machine, ${m.kcat}.
${smoke}
${engineLines(report)}

Baseline: \`kcat -C … -e | kcat -P …\` copies the JSON input at **${n(report.kcat.eventsPerSecond)} events/s**:
the practical limit for consume + produce here. Each scenario is timed from process start (so start-up and
group join count) until the last expected event is in its sink.

![events/s per scenario and engine, beside kcat and Kafka Connect](benchmarks.svg)

| scenario | engine / peer | events | events/s | MB/s | × kcat | peak RSS MB | CPU s / million |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

| scenario | librdkafka ÷ kafkajs | kafkajs × kcat | librdkafka × kcat |
|---|---|---|---|
${ratioRows.join('\n')}
${logFileSection(report)}${latencySection(report)}${evidenceSection(report)}${barSection(report)}
${notes}`;
  writeFileSync(file, text);
}
