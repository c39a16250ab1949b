/**
 * The peer for landing a topic in a file: Kafka Connect in standalone mode with
 * its FileStreamSink connector, at the broker's version, resolved from Maven
 * Central (scripts/infra/connect-pom.xml) and started with `java`, the way
 * connect-standalone.sh would. Timed like the router: process start to the last
 * line in its file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processStats, until } from '../kafka.js';
import { log, root, run } from '../options.js';
import { makeRow, type Row } from '../results.js';
import type { Yardstick } from '../router.js';

const CONNECT_MAIN = 'org.apache.kafka.connect.cli.ConnectStandalone';
/** connect-standalone.sh's own default heap (KAFKA_HEAP_OPTS), so the peer runs as shipped. */
const HEAP = ['-Xms256M', '-Xmx2G'];

/** The broker's version, as scripts/kafka.sh picks it (KAFKA_VERSION, else its pom): the peer must match what it reads from. */
export function kafkaVersion(): string {
  if (process.env.KAFKA_VERSION) return process.env.KAFKA_VERSION;
  const pom = readFileSync(join(root, 'scripts', 'infra', 'kafka-pom.xml'), 'utf8');
  const version = /<kafka\.version>([^<]+)</.exec(pom)?.[1];
  if (!version) throw new Error('scripts/infra/kafka-pom.xml: no <kafka.version>');
  return version;
}

/** Where a version's jars are kept: the same cache as the broker's (AR_CACHE_DIR). */
const connectLibs = (version: string) => join(process.env.AR_CACHE_DIR ?? join(root, '.cache'), 'kafka-connect', version, 'libs');
const isResolved = (libs: string) => existsSync(join(libs, '.complete'));

/** Resolves a version's jars from Maven Central, once per version. */
function resolveConnectJars(version: string): string {
  const libs = connectLibs(version);
  if (isResolved(libs)) return libs;
  log(`resolving Kafka Connect ${version} (connect-runtime, connect-file) from Maven Central into ${libs}`);
  const r = spawnSync(
    'mvn',
    ['-B', '-q', '-ntp', '-Dstyle.color=never', '-f', join(root, 'scripts', 'infra', 'connect-pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`, '-DincludeScope=runtime', `-Dkafka.version=${version}`],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`mvn could not resolve Kafka Connect ${version}: ${(r.stdout + r.stderr).trim().split('\n').slice(-3).join(' ')}`);
  writeFileSync(join(libs, '.complete'), '');
  return libs;
}

const CONNECT_FILE_METADATA = 'https://repo.maven.apache.org/maven2/org/apache/kafka/connect-file/maven-metadata.xml';

/**
 * The peer's version and jars: the broker's when Maven Central publishes its FileStreamSink, else the newest
 * that it does (connect-file 4.4.0 was never published: its latest is 4.3.1), which reads any 4.x broker.
 * Maven Central's list of connect-file versions decides, so no resolve is tried that must fail.
 */
async function connectRelease(brokerVersion: string): Promise<{ version: string; libs: string }> {
  if (isResolved(connectLibs(brokerVersion))) return { version: brokerVersion, libs: connectLibs(brokerVersion) };
  const metadata = await (await fetch(CONNECT_FILE_METADATA)).text();
  const published = new Set([...metadata.matchAll(/<version>([^<]+)</g)].map((m) => m[1]));
  const version = published.has(brokerVersion) ? brokerVersion : /<release>([^<]+)</.exec(metadata)?.[1];
  if (!version) throw new Error(`Kafka Connect: ${CONNECT_FILE_METADATA} names no release`);
  if (version !== brokerVersion) log(`Kafka Connect ${brokerVersion} has no connect-file on Maven Central: the peer runs ${version}, its newest release`);
  return { version, libs: resolveConnectJars(version) };
}

/** A free local port for the worker's REST listener (its default, 8083, may be taken by another worker). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

const properties = (entries: Record<string, string | number>) =>
  Object.entries(entries)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n') + '\n';

export interface FileLanding {
  /** The input topic, the same one the router's log-file scenario reads. */
  topic: string;
  events: number;
  /** The file is complete at this size: every input line plus its newline. */
  expectedBytes: number;
}

/**
 * Worker settings are connect-standalone.properties' defaults except the
 * converters: StringConverter for key and value, so FileStreamSink writes each
 * value exactly as it is in the topic (one JSON line), which is what the
 * router's log sink writes for these events; JsonConverter would parse every
 * value into a map and print that instead.
 */
export async function runKafkaConnect(brokers: string[], landing: FileLanding, y: Yardstick): Promise<Row> {
  const { version, libs } = await connectRelease(kafkaVersion());
  const dir = join(tmpdir(), `ar-bench-${run}`, 'kafka-connect');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'sink.txt');
  const worker = join(dir, 'worker.properties');
  const connector = join(dir, 'file-sink.properties');
  const log4j = join(dir, 'log4j2.properties');
  writeFileSync(
    worker,
    properties({
      'bootstrap.servers': brokers.join(','),
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'offset.storage.file.filename': join(dir, 'connect.offsets'),
      'offset.flush.interval.ms': 10_000,
      listeners: `http://127.0.0.1:${await freePort()}`,
    }),
  );
  writeFileSync(
    connector,
    properties({
      name: `bench-file-sink-${run}`,
      'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector',
      'tasks.max': 1,
      topics: landing.topic,
      file: out,
    }),
  );
  // Warnings and errors on stderr (kept in connect.stderr.log), as connect-log4j2.properties would print more.
  writeFileSync(
    log4j,
    properties({
      'rootLogger.level': 'WARN',
      'rootLogger.appenderRef.stderr.ref': 'STDERR',
      'appender.stderr.type': 'Console',
      'appender.stderr.name': 'STDERR',
      'appender.stderr.target': 'SYSTEM_ERR',
      'appender.stderr.layout.type': 'PatternLayout',
      'appender.stderr.layout.pattern': '[%d] %p %m (%c)%n',
    }),
  );

  const t = Date.now();
  const child = spawn('java', [...HEAP, `-Dlog4j2.configurationFile=file:${log4j}`, '-cp', `${libs}/*`, CONNECT_MAIN, worker, connector], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.pipe(createWriteStream(join(dir, 'connect.stderr.log')));
  const died = new Promise<never>((_, reject) => child.once('exit', (code, signal) => reject(new Error(`Kafka Connect exited (${code ?? signal}) before its last line; see ${join(dir, 'connect.stderr.log')}`))));
  died.catch(() => undefined);
  try {
    await Promise.race([until(() => existsSync(out) && statSync(out).size >= landing.expectedBytes, 1_800_000, 'Kafka Connect FileStreamSink'), died]);
    const seconds = (Date.now() - t) / 1000;
    const stats = processStats(child.pid!);
    const row = makeRow({ scenario: 'logfile', name: `Kafka Connect ${version} FileStreamSink`, runner: 'kafka-connect', events: landing.events, peakRssMb: stats.peakRssMb }, seconds, stats.cpuSeconds, y.avgBytes, y.kcatRate);
    log(`${row.name}: ${row.eventsPerSecond} events/s, ${row.ratioToKcat}× kcat, peak RSS ${row.peakRssMb} MB, ${row.cpuSecondsPerMillion} CPU s per million`);
    return row;
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }
}
