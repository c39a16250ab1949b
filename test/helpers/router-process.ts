import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

const BIN = fileURLToPath(new URL('../../bin/audit-router.js', import.meta.url));

/** A fresh temporary folder for one test's files. */
export function tempDir(prefix = 'ar-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a config object as JSON (YAML's superset) and returns the path. */
export function writeConfig(dir: string, config: unknown, name = 'router.json'): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the installed CLI (bin/ → dist/) to completion. */
export function runCli(
  args: string[],
  { input, env, timeoutMs = 60_000 }: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`audit-router ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    // 'close', not 'exit': it waits until stdout and stderr are fully read.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** A long-running `audit-router run` process whose logs the test can wait on. */
export class RouterProcess {
  readonly child: ChildProcess;
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(configFile: string, env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [BIN, 'run', '-c', configFile], {
      env: { ...process.env, AR_LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stderr!.on('data', (c) => (this.stderr += c));
    this.child.stdout!.resume();
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Resolves once the process has joined its consumer group (it logs the assignment). */
  async joined(timeoutMs = 60_000): Promise<void> {
    await waitFor(() => this.stderr.includes('assigned partitions'), {
      timeoutMs,
      what: `router to join its group; stderr so far:\n${this.stderr.slice(-2000)}`,
    });
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** A minimal router config for tests: one source, log sinks given by the caller. */
export function routerConfig(opts: {
  topic: string;
  groupId: string;
  sinks: unknown[];
  deadLetterTopic?: string;
  extra?: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    kafka: { brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), clientId: 'audit-router-test' },
    source: { topic: opts.topic, groupId: opts.groupId, fromBeginning: true, format: 'auto', commit: { intervalMs: 200, maxEvents: 500 } },
    schemaRegistry: { url: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7' },
    deadLetter: { topic: opts.deadLetterTopic ?? `${opts.topic}.dlq` },
    sinks: opts.sinks,
    logging: { level: 'info' },
    shutdown: { timeoutMs: 10_000 },
    ...opts.extra,
  };
}
