/** Starting audit-router on one engine and timing it from process start to its last expected event. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineName } from './engines.js';
import { processStats, until } from './kafka.js';
import { brokers, log, profile, REGISTRY, root, run } from './options.js';
import { makeRow, type Row } from './results.js';

const BIN = join(root, 'bin', 'audit-router.js');

/** One router config; kafka.engine is set per process, so one run measures both engines. */
export function routerConfig(engine: EngineName, topic: string, sinks: object[], source: object = {}) {
  return {
    kafka: { brokers, clientId: 'audit-router-bench', engine },
    source: { topic, groupId: `bench-${run}-${engine}-${Math.random().toString(36).slice(2, 8)}`, fromBeginning: true, ...source },
    schemaRegistry: { url: REGISTRY },
    deadLetter: { topic: `${topic}.dlq` },
    logging: { level: 'warn' },
    sinks,
  };
}

export function startRouter(config: object, name: string): ChildProcess {
  const dir = join(tmpdir(), `ar-bench-${run}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  // --profile: a V8 CPU profile per scenario and engine (open in Chrome DevTools, or summarise with scripts/profile-summary.mjs).
  const cpuProf = profile ? ['--cpu-prof', `--cpu-prof-dir=${join(root, 'bench', 'profiles')}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...cpuProf, BIN, 'run', '-c', file], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, AR_LOG_LEVEL: 'warn' } });
  child.stderr!.pipe(createWriteStream(join(dir, `${name}.stderr.log`)));
  return child;
}

export async function stopRouter(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export interface Measure {
  scenario: string;
  name: string;
  engine: EngineName;
  config: object;
  done: () => Promise<boolean> | boolean;
  events: number;
}

/** What every router row needs from the run: the input's average size and the kcat rate to compare with. */
export interface Yardstick {
  avgBytes: number;
  kcatRate: number;
}

/** Runs one router until `done`, then reads its CPU time and peak RSS before stopping it. */
export async function measureRouter(m: Measure, y: Yardstick): Promise<Row> {
  const t = Date.now();
  const child = startRouter(m.config, `${m.name.replace(/\W+/g, '-').replace(/^-|-$/g, '').slice(0, 48)}-${m.engine}`);
  const died = new Promise<never>((_, reject) => child.once('exit', (code, signal) => reject(new Error(`${m.name} on ${m.engine}: the router exited (${code ?? signal}) before its last event; see its stderr log under ${tmpdir()}/ar-bench-${run}`))));
  died.catch(() => undefined);
  try {
    await Promise.race([until(m.done, 1_800_000, `${m.name} on ${m.engine}`), died]);
    const seconds = (Date.now() - t) / 1000;
    const stats = processStats(child.pid!);
    const row = makeRow({ scenario: m.scenario, name: m.name, runner: m.engine, events: m.events, peakRssMb: stats.peakRssMb }, seconds, stats.cpuSeconds, y.avgBytes, y.kcatRate);
    log(`${m.name} [${m.engine}]: ${row.eventsPerSecond} events/s, ${row.ratioToKcat}× kcat, peak RSS ${row.peakRssMb} MB, ${row.cpuSecondsPerMillion} CPU s per million`);
    return row;
  } finally {
    await stopRouter(child);
  }
}
