import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import type { Kafka } from 'kafkajs';
import pino from 'pino';
import { DLQ_HEADERS } from '../../src/deadletter/headers.js';
import type { Logger } from '../../src/observability/logger.js';
import { makeEvent } from '../helpers/events.js';
import type { ReadMessage } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import type { RouterProcess } from '../helpers/router-process.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A seeded generator (mulberry32), so a failing run can be repeated exactly:
 * the seed is printed, and FAULT_SEED=<seed> replays it.
 */
export function seededRandom(scenario: string): { seed: number; random: () => number; int: (lo: number, hi: number) => number } {
  const seed = process.env.FAULT_SEED ? Number(process.env.FAULT_SEED) : Math.floor(Math.random() * 2 ** 31);
  console.log(`# ${scenario}: seed ${seed} (FAULT_SEED=${seed} repeats this run)`);
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { seed, random, int: (lo, hi) => lo + Math.floor(random() * (hi - lo + 1)) };
}

/** Newlines in a file: a cheap progress probe that does not parse 50,000 JSON lines every 50 ms. */
export function countLines(file: string): number {
  if (!existsSync(file)) return 0;
  const buf = readFileSync(file);
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * Ids of a JSON log sink's lines, in file order. Every line must parse: a torn
 * line is a lost event, with one exception a test must ask for. A process
 * killed mid-write may leave a partial line (the sink starts a new line when it
 * reopens the file); its event was not acknowledged, so it is written again
 * whole. `tornLines` allows that many such lines, each the prefix of a whole one.
 */
export function logIds(file: string, options: { tornLines?: number } = {}): string[] {
  return logEntries(file, options).map((e) => e.id);
}

/** logIds with each id's line index in the file (torn lines keep their place, so positions stay true). */
export function logEntries(file: string, { tornLines = 0 }: { tornLines?: number } = {}): { id: string; line: number }[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.pop(); // after the last newline
  const entries: { id: string; line: number }[] = [];
  const torn: { line: string; n: number }[] = [];
  lines.forEach((l, i) => {
    try {
      entries.push({ id: (JSON.parse(l) as { id: string }).id, line: i });
    } catch {
      torn.push({ line: l, n: i + 1 });
    }
  });
  for (const { line, n } of torn) {
    if (torn.length > tornLines || !lines.some((whole) => whole !== line && whole.startsWith(line))) {
      throw new Error(`${file} line ${n} is not one JSON event (${torn.length} such lines, ${tornLines} allowed): ${line.slice(0, 200)}`);
    }
  }
  return entries;
}

/** Events without ids: each gets `<topic>/<partition>/<offset>`, so a sink line tells where it was read. */
export function anonymousEvents(n: number, partitions: number): { value: string; partition: number }[] {
  return Array.from({ length: n }, (_, i) => ({ value: JSON.stringify(makeEvent({ key: `k${i}` })), partition: i % partitions }));
}

export function coordinates(id: string): { partition: number; offset: number } {
  const parts = id.split('/');
  return { partition: Number(parts.at(-2)), offset: Number(parts.at(-1)) };
}

export function countBy<T>(items: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

/** The id a dead-lettered delivery failure is about (its value is the canonical event). */
export function parkedId(record: ReadMessage): string {
  return (JSON.parse(record.value!.toString('utf8')) as { id: string }).id;
}

/**
 * The scenario's core claim: every expected id reached the sink or was
 * parked with a reason, and the dead-letter topic holds nothing else.
 */
export function assertAccountedFor(
  expected: Iterable<string>,
  delivered: Iterable<string>,
  parked: readonly ReadMessage[],
  allowedCodes: RegExp = /^AR_ERR_SINK_/,
): { delivered: number; parked: number } {
  const want = new Set(expected);
  const got = new Set(delivered);
  const parkedIds = new Set<string>();
  for (const record of parked) {
    const code = record.headers[DLQ_HEADERS.code] ?? '';
    assert.match(code, allowedCodes, `dead-letter record at offset ${record.offset} has code ${code}`);
    assert.equal(record.headers[DLQ_HEADERS.stage], 'deliver');
    const id = parkedId(record);
    assert.ok(want.has(id), `the dead-letter topic holds ${id}, which was never produced`);
    parkedIds.add(id);
  }
  for (const id of got) assert.ok(want.has(id), `the sink received ${id}, which was never produced`);
  const missing = [...want].filter((id) => !got.has(id) && !parkedIds.has(id));
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} events neither delivered nor dead-lettered`);
  return { delivered: [...want].filter((id) => got.has(id)).length, parked: parkedIds.size };
}

/** Peak resident memory of a live process (Linux /proc), in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
  return kb / 1024;
}

/** A pino logger whose JSON lines a test can read, like the router's stderr. */
export function capturingLogger(level = 'info'): { logger: Logger; lines: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { logger: pino({ level }, sink) as Logger, lines: () => text };
}

/** Runs one of the infra scripts with the given environment; rejects with its output on failure. */
export function infraScript(
  script: 'kafka.sh' | 'schema-registry.sh',
  command: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 180_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [`scripts/${script}`, command], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${script} ${command} exited ${code}:\n${out}`));
    });
  });
}

/**
 * Group timings for scenarios that kill or churn members: the broker's
 * minimum session (6 s) bounds how long a SIGKILLed member blocks a
 * rebalance, and quick heartbeats let the others notice a rebalance soon.
 */
export const FAST_GROUP = { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500 };

/** A router config tree with source settings added. */
export function withSource(tree: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  return { ...tree, source: { ...(tree.source as Record<string, unknown>), ...source } };
}

/**
 * Collects a topic's messages for as long as a scenario runs, so it can wait
 * on "everything is accounted for" without a new consumer group per poll.
 */
export async function collectTopic(kafka: Kafka, topic: string): Promise<{ messages: ReadMessage[]; stop: () => Promise<void> }> {
  const consumer = kafka.consumer({ groupId: uniqueName('collector'), maxWaitTimeInMs: 100 });
  const messages: ReadMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v ?? '');
      messages.push({ partition, offset: message.offset, key: message.key, value: message.value, headers });
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}

/** SIGTERM, and SIGKILL if it has not exited within `timeoutMs`: a cleanup that cannot hang a run. */
export async function stopBounded(
  router: RouterProcess,
  timeoutMs = 30_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (router.child.exitCode === null && router.child.signalCode === null) router.kill('SIGTERM');
  const timer = setTimeout(() => router.kill('SIGKILL'), timeoutMs);
  try {
    return await router.exited;
  } finally {
    clearTimeout(timer);
  }
}
