/**
 * npm run bench [-- --events N | --quick] [--brokers host:port] [--engines kafkajs,librdkafka]
 *                  [--scenarios a,b,c,d,logfile,latency,consume,evidence,archive] [--profile]
 *
 * Measures audit-router on each Kafka engine, in the same run, against the practical
 * limit of this machine's broker (a kcat → kcat copy of the same input) and, for
 * landing a topic in a file, against Kafka Connect's FileStreamSink. Writes
 * bench/results.json, docs/benchmarks.md and docs/benchmarks.svg. The parts are in
 * scripts/bench/: the scenario table (scenarios.ts), the peers (peers/), the report.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import { auditEventSchemaText, auditEventType } from '../src/event/index.js';
import type { BenchContext } from './bench/context.js';
import { resolveEngines } from './bench/engines.js';
import { benchEvent } from './bench/events.js';
import { createTopics } from './bench/kafka.js';
import { brokers, brokersArg, command, log, N, REGISTRY, requestedEngines, root, run, selected } from './bench/options.js';
import { kafkaVersion } from './bench/peers/kafka-connect.js';
import { ensureKcat, kcatCopy } from './bench/peers/kcat.js';
import { startReceiver } from './bench/receiver.js';
import { writeReport } from './bench/report.js';
import { SCENARIOS } from './bench/scenarios.js';

function sh(cmd: string, cmdArgs: string[]): void {
  const r = spawnSync(cmd, cmdArgs, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')}: ${r.stderr}`);
}

async function loadAvro(kafka: Kafka, topic: string): Promise<void> {
  const registry = new SchemaRegistry({ host: REGISTRY });
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: auditEventSchemaText }, { subject: `${topic}-value` });
  const producer = kafka.producer();
  await producer.connect();
  const header = Buffer.alloc(5);
  header.writeUInt32BE(id, 1);
  for (let i = 0; i < N; i += 10_000) {
    const messages = [];
    for (let j = i; j < Math.min(N, i + 10_000); j++)
      messages.push({ value: Buffer.concat([header, auditEventType.toBuffer(benchEvent(j))]) });
    await producer.send({ topic, messages });
  }
  await producer.disconnect();
}

async function main(): Promise<void> {
  const started = Date.now();
  const unknown = [...selected].filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) throw new Error(`--scenarios: unknown ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.id).join(', ')})`);
  const scenarios = SCENARIOS.filter((s) => selected.has(s.id));
  if (!brokersArg) sh('bash', [join(root, 'scripts', 'kafka.sh'), 'start']);
  const avro = scenarios.some((s) => s.avro);
  if (avro && !process.env.SCHEMA_REGISTRY_URL) sh('bash', [join(root, 'scripts', 'schema-registry.sh'), 'start']);
  if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) sh('npx', ['tsc', '-p', join(root, 'tsconfig.build.json')]);
  const engines = resolveEngines(requestedEngines);
  const kcatVersion = ensureKcat();
  const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING });
  const inJson = `bench-in-json-${run}`;
  const inAvro = `bench-in-avro-${run}`;
  await createTopics(kafka, [inJson, inAvro]);

  // Load: JSON lines through kcat (fast), Avro frames through kafkajs (binary, newline-safe).
  const dataFile = join(tmpdir(), `bench-${run}.jsonl`);
  const out = createWriteStream(dataFile);
  let bytes = 0;
  for (let i = 0; i < N; i++) {
    const line = JSON.stringify(benchEvent(i));
    bytes += line.length;
    if (!out.write(line + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  const avgBytes = bytes / N;
  log(`loading ${N} events (${avgBytes.toFixed(0)} bytes avg as JSON) into ${inJson}`);
  sh('kcat', ['-P', '-b', brokers.join(','), '-t', inJson, '-z', 'none', '-X', 'linger.ms=20', '-l', dataFile]);
  if (avro) {
    log(`loading ${N} Avro events into ${inAvro}`);
    await loadAvro(kafka, inAvro);
  }

  const copy = `bench-copy-${run}`;
  await createTopics(kafka, [copy]);
  const kcatRow = kcatCopy(brokers, inJson, copy, N, avgBytes);

  const receiver = await startReceiver();
  const ctx: BenchContext = {
    kafka,
    brokers,
    engines: engines.engines,
    events: N,
    inJson,
    inAvro,
    dataFile,
    bytes,
    receiver,
    yardstick: { avgBytes, kcatRate: kcatRow.eventsPerSecond },
    rows: [kcatRow],
    latency: [],
  };
  try {
    for (const scenario of scenarios) await scenario.run(ctx);
  } finally {
    await receiver.close();
  }

  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kafka: kafkaVersion(),
    kcat: kcatVersion,
  };
  writeReport({
    date: new Date().toISOString(),
    command,
    events: N,
    avgEventBytes: Math.round(avgBytes),
    machine,
    engines: { measured: engines.engines, versions: engines.versions, skipped: engines.skipped },
    kcat: { eventsPerSecond: kcatRow.eventsPerSecond, seconds: kcatRow.seconds },
    rows: ctx.rows,
    latency: ctx.latency,
    wallSeconds: (Date.now() - started) / 1000,
  });
  for (const [engine, why] of Object.entries(engines.skipped)) log(`NOTE: ${engine} was not measured (${why}); the doc says so`);
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s: bench/results.json, docs/benchmarks.md, docs/benchmarks.svg`);
}

main().catch((err) => {
  console.error(`[bench] failed: ${(err as Error).message}`);
  process.exit(1);
});
