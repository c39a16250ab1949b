import assert from 'node:assert/strict';
import { test } from 'node:test';
import { barChecks } from '../../scripts/bench/bar.js';
import { chartSvg } from '../../scripts/bench/chart.js';
import { ratios } from '../../scripts/bench/report.js';
import { makeRow, type Report, type Row } from '../../scripts/bench/results.js';

// The bench's arithmetic, on rows made here: which figure is divided by which,
// and when the bar is judged. No timing is measured or asserted.

const KCAT = 100_000;
const row = (scenario: string, runner: Row['runner'], seconds: number, cpuSeconds: number, peakRssMb = 200): Row =>
  makeRow({ scenario, name: `${scenario} scenario`, runner, events: 1_000_000, peakRssMb }, seconds, cpuSeconds, 400, KCAT);

function report(events: number, rows: Row[]): Report {
  return {
    date: '2026-11-30T00:00:00Z',
    command: 'npm run bench',
    events,
    avgEventBytes: 400,
    machine: {},
    engines: { measured: ['kafkajs', 'librdkafka'], versions: {}, skipped: {} },
    kcat: { eventsPerSecond: KCAT, seconds: 10 },
    rows,
    latency: [
      {
        engine: 'kafkajs',
        ratePerSecond: 2000,
        seconds: 30,
        outputTopic: { p50: 10, p99: 40, max: 90, count: 1 },
        webhook: { p50: 30, p99: 160, max: 200, count: 1 },
      },
      {
        engine: 'librdkafka',
        ratePerSecond: 2000,
        seconds: 30,
        outputTopic: { p50: 10, p99: 20, max: 30, count: 1 },
        webhook: { p50: 30, p99: 60, max: 90, count: 1 },
      },
    ],
    wallSeconds: 1,
  };
}

// a: kafkajs 20k/s, librdkafka 40k/s; logfile: Connect 50k/s at 24 CPU s per million, kafkajs 40k/s, librdkafka 100k/s at 12.
const rows = [
  row('a', 'kafkajs', 50, 40),
  row('a', 'librdkafka', 25, 20),
  row('logfile', 'kafka-connect', 20, 24, 420),
  row('logfile', 'kafkajs', 25, 30),
  row('logfile', 'librdkafka', 10, 12, 320),
];

test('ratios: librdkafka over kafkajs, each over kcat, and over Kafka Connect in the log-file scenario', () => {
  const [a, logfile] = ratios(rows);
  assert.deepEqual(a, {
    scenario: 'a',
    name: 'a scenario',
    librdkafkaOverKafkajs: 2,
    kafkajsOverKcat: 0.2,
    librdkafkaOverKcat: 0.4,
    kafkajsOverConnect: undefined,
    librdkafkaOverConnect: undefined,
  });
  assert.equal(logfile!.kafkajsOverConnect, 0.8);
  assert.equal(logfile!.librdkafkaOverConnect, 2);
});

test('the bar is judged on a full run only, and a missing engine is "not measured", never met', () => {
  const full = new Map(barChecks(report(1_000_000, rows)).map((c) => [c.bar, c]));
  const get = (prefix: string) => [...full.values()].find((c) => c.bar.startsWith(prefix))!;
  assert.equal(get('log file, librdkafka').met, true);
  assert.equal(get('log file, kafkajs').met, false);
  assert.equal(get('a, librdkafka: ≥ 1.3× kafkajs').met, true);
  assert.equal(get('kafkajs: p99 ≤ 150 ms to the webhook').met, false);
  assert.equal(get('librdkafka: peak RSS').met, false);
  assert.equal(get('c, librdkafka').measured, 'not measured');
  assert.equal(get('c, librdkafka').met, undefined);

  const smoke = barChecks({ ...report(20_000, rows), events: 20_000 });
  assert.ok(smoke.every((c) => c.met === undefined));
  assert.equal(smoke.find((c) => c.bar.startsWith('a, librdkafka: ≥ 1.3×'))!.measured, '2.00×');
});

test('librdkafka must also use fewer CPU s per million than Connect in the log-file bar', () => {
  const costly = rows.map((r) => (r.scenario === 'logfile' && r.runner === 'librdkafka' ? { ...r, cpuSecondsPerMillion: 30 } : r));
  assert.equal(barChecks(report(1_000_000, costly)).find((c) => c.bar.startsWith('log file, librdkafka'))!.met, false);
});

test('the chart has one bar per row, scaled to the fastest, names escaped', () => {
  const svg = chartSvg([row('kcat', 'kcat', 10, 3), ...rows, { ...row('x', 'kafkajs', 10, 1), name: 'x <&> y' }], 'title');
  assert.equal(svg.match(/<rect x=/g)?.length, 7);
  assert.match(svg, /width="560"/); // kcat and the last row (100k/s) fill the width
  assert.match(svg, /x &lt;&amp;&gt; y/);
});
