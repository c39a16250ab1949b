#!/usr/bin/env node
// `npm test`: builds, starts the real broker and registry unless KAFKA_BROKERS /
// SCHEMA_REGISTRY_URL point at running ones (and S3Proxy for the archive sink's
// tests unless S3_ENDPOINT does), runs every test/**/*.test.ts with node:test,
// and stops what it started, whatever the outcome.
//
//   npm test                       all tests
//   npm test -- test/filter        only files under a path (any number of paths)
//   npm test -- --unit             only the *.unit.test.ts files: they need no broker, registry or
//                                  object store, so none is started (npm run test:unit)
import { spawnSync, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const paths = args.filter((a) => !a.startsWith('--'));
const unitOnly = args.includes('--unit');
const UNIT = '.unit.test.ts';
const env = { ...process.env };
const started = [];

function run(cmd, cmdArgs) {
  const result = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (exit ${result.status})`);
}

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (name.endsWith('.test.ts')) out.push(relative(root, full));
  }
  return out.sort();
}

function stopStarted() {
  for (const script of started.reverse()) spawnSync('bash', [script, 'stop'], { cwd: root, stdio: 'inherit', env });
}

let exitCode = 1;
try {
  // The CLI tests run bin/ → dist/, broker-free ones included.
  run('npx', ['tsc', '-p', 'tsconfig.build.json']);
  const found = (paths.length > 0 ? paths : ['test']).flatMap((p) => (p.endsWith('.ts') ? [p] : findTests(join(root, p))));
  const files = unitOnly ? found.filter((f) => f.endsWith(UNIT)) : found;
  if (files.length === 0) throw new Error(`no test files under ${paths.join(', ') || 'test'}${unitOnly ? ` named *${UNIT}` : ''}`);
  const needsServices = !files.every((f) => f.endsWith(UNIT));
  if (needsServices && !env.KAFKA_BROKERS) {
    run('bash', ['scripts/kafka.sh', 'start']);
    started.push('scripts/kafka.sh');
    env.KAFKA_BROKERS = `127.0.0.1:${env.KAFKA_PORT ?? 9092}`;
    env.KAFKA_SASL_BROKERS = `127.0.0.1:${env.KAFKA_SASL_PORT ?? Number(env.KAFKA_PORT ?? 9092) + 2}`;
  }
  if (needsServices && !env.SCHEMA_REGISTRY_URL) {
    run('bash', ['scripts/schema-registry.sh', 'start']);
    started.push('scripts/schema-registry.sh');
    env.SCHEMA_REGISTRY_URL = `http://127.0.0.1:${env.REGISTRY_PORT ?? 8081}/apis/ccompat/v7`;
  }
  // Only the archive sink's tests (its folder, and the archive-* files of other folders such as test/evidence)
  // need an object store: other runs do not pay for a third JVM.
  const needsObjectStore = (f) => f.startsWith(join('test', 'sinks', 'archive')) || basename(f).startsWith('archive-');
  if (!env.S3_ENDPOINT && files.some(needsObjectStore)) {
    run('bash', ['scripts/s3proxy.sh', 'start']);
    started.push('scripts/s3proxy.sh');
    env.S3_ENDPOINT = `http://127.0.0.1:${env.S3PROXY_PORT ?? 8080}`;
  }
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=600000', ...files], {
    cwd: root,
    stdio: 'inherit',
    env,
  });
  exitCode = await new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
} catch (err) {
  console.error(`test run failed: ${err.message}`);
} finally {
  stopStarted();
}
process.exit(exitCode);
