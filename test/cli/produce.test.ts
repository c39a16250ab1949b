import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { logicalTypes, validateAuditEvent, type AuditEvent } from '../../src/event/index.js';
import { brokers, createTopic, deleteTopics, readAll, registryUrl } from '../helpers/kafka.js';
import { makeEvents } from '../helpers/events.js';

const BIN = fileURLToPath(new URL('../../bin/audit-router.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/src/cli/commands/produce.js', import.meta.url));
const SOURCE = fileURLToPath(new URL('../../src/cli/commands/produce.ts', import.meta.url));

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs bin/audit-router.js (which runs dist/) to completion; 'close', not 'exit', so all output is in. */
function cli(args: string[], input = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const lines = (events: unknown[]) => events.map((e) => JSON.stringify(e));

describe('audit-router produce', () => {
  const topics: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'ar-produce-'));
  const good = makeEvents(5, 'cli', ['flag:created', 'segment:updated']);
  // 5 good lines, 2 bad ones (lines 3 and 6), and a blank line that is neither.
  const mixed = [
    ...lines(good.slice(0, 2)),
    JSON.stringify({ ...good[2], id: 'bad-ts', timestamp: 1_700_000_000 }),
    ...lines(good.slice(2, 4)),
    JSON.stringify({ ...good[3], id: 'bad-actor', metadata: { actor: 7 } }),
    '',
    ...lines(good.slice(4)),
  ].join('\n');
  const mixedFile = join(dir, 'mixed.jsonl');

  async function topic(prefix: string): Promise<string> {
    const name = await createTopic(prefix);
    topics.push(name);
    return name;
  }

  before(() => {
    // bin/ runs dist/: `npm test` builds first; a stale build would test old code.
    assert.ok(statSync(BUILT).mtimeMs >= statSync(SOURCE).mtimeMs, 'dist/ is older than src/: run `npx tsc -p tsconfig.build.json`');
    writeFileSync(mixedFile, mixed + '\n');
  });
  after(async () => {
    await deleteTopics(...topics);
    await Promise.all(topics.map((t) => fetch(`${registryUrl()}/subjects/${t}-value`, { method: 'DELETE' }).catch(() => undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  test('skips invalid lines, naming line and field, and sends exactly the valid events', async () => {
    const name = await topic('produce-skip');
    const result = await cli(['produce', '--topic', name, '--brokers', brokers().join(','), mixedFile]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stderr.trim().split('\n'), [
      'line 3: AR_ERR_DECODE_SCHEMA timestamp: expected a string, got a number',
      'line 6: AR_ERR_DECODE_SCHEMA metadata.actor: expected an object of strings, got a number',
    ]);
    assert.match(result.stdout, new RegExp(`^produced 5 events to ${name} \\(2 invalid lines skipped\\) in \\d+\\.\\ds\\n$`));
    const messages = await readAll(name);
    assert.deepEqual(
      messages.map((m) => m.value!.toString('utf8')),
      good.map((e) => JSON.stringify(validateAuditEvent(e))),
    );
    assert.deepEqual(
      messages.map((m) => m.key?.toString()),
      good.map((e) => `default/${e.type}/${(e.payload as { key: string }).key}`),
    );
  });

  test('--on-invalid fail sends nothing and exits 1 when any line is invalid', async () => {
    const name = await topic('produce-fail');
    const result = await cli(['produce', '--topic', name, '--brokers', brokers().join(','), '--on-invalid', 'fail', mixedFile]);
    assert.equal(result.code, 1);
    const stderr = result.stderr.trim().split('\n');
    assert.deepEqual(stderr.slice(0, 2), [
      'line 3: AR_ERR_DECODE_SCHEMA timestamp: expected a string, got a number',
      'line 6: AR_ERR_DECODE_SCHEMA metadata.actor: expected an object of strings, got a number',
    ]);
    assert.match(stderr[2]!, /^audit-router: error AR_ERR_DECODE_SCHEMA: 2 invalid lines in the input; nothing was sent/);
    assert.match(result.stdout, /^produced 0 events to .* \(2 invalid lines, nothing sent\)/);
    // The process has exited, so anything it sent was acknowledged already.
    assert.deepEqual(await readAll(name), []);
  });

  test('--on-invalid fail sends everything when every line is valid', async () => {
    const name = await topic('produce-fail-ok');
    const file = join(dir, 'good.jsonl');
    writeFileSync(file, lines(good).join('\r\n'));
    const result = await cli(['produce', '-t', name, '-b', brokers().join(','), '--on-invalid', 'fail', '--key', 'none', file]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    const messages = await readAll(name);
    assert.deepEqual(
      messages.map((m) => (JSON.parse(m.value!.toString()) as AuditEvent).id),
      good.map((e) => e.id),
    );
    assert.deepEqual(
      messages.map((m) => m.key),
      good.map(() => null),
    );
  });

  test('--avro with -c reads stdin and writes Confluent frames that decode back to the events', async () => {
    const name = await topic('produce-avro');
    const config = join(dir, 'router.json');
    writeFileSync(
      config,
      JSON.stringify({
        kafka: { brokers: brokers() },
        source: { topic: name, groupId: 'unused' },
        schemaRegistry: { url: registryUrl() },
        sinks: [{ type: 'log', name: 'out' }],
      }),
    );
    const result = await cli(['produce', '-c', config, '--avro', '--key', 'payload.key', '-'], mixed);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^produced 5 events to ${name} \\(2 invalid lines skipped\\)`));
    const messages = await readAll(name);
    const registry = new SchemaRegistry({ host: registryUrl() }, { [SchemaType.AVRO]: { logicalTypes } });
    const schemaId = await registry.getLatestSchemaId(`${name}-value`);
    assert.ok(
      messages.every((m) => m.value![0] === 0 && m.value!.readUInt32BE(1) === schemaId),
      'Confluent frames with the registered id',
    );
    const decoded = await Promise.all(messages.map((m) => registry.decode(m.value!)));
    assert.deepEqual(
      JSON.parse(JSON.stringify(decoded)),
      good.map((e) => validateAuditEvent(e)),
    );
    assert.deepEqual(
      messages.map((m) => m.key?.toString()),
      ['k0', 'k1', 'k2', 'k3', 'k4'],
    );
  });

  test('an unreachable broker is one error line with its code, exit 1', async () => {
    const result = await cli(['produce', '-t', 'never-created', '-b', '127.0.0.1:1', mixedFile]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr.trim().split('\n').at(-1)!,
      /^audit-router: error AR_ERR_KAFKA_CONNECTION: cannot reach Kafka at 127\.0\.0\.1:1/,
    );
    assert.equal(result.stdout, '', 'a failed run reports no result on stdout');
  });

  test('usage errors exit 2 before connecting', async () => {
    for (const [args, message] of [
      [[mixedFile], /--topic is required/],
      [['-t', 'x', '--avro', mixedFile], /--avro needs --registry/],
      [['-t', 'x', '--key', 'payload..key', mixedFile], /--key: expected a dotted field path/],
      [['-t', 'x', '-b', 'nohost', mixedFile], /--brokers: expected host:port/],
    ] as const) {
      const result = await cli(['produce', ...args]);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, /^audit-router: error AR_ERR_USAGE: /);
      assert.match(result.stderr, message);
    }
    const missing = await cli(['produce', '-t', 'x', join(dir, 'absent.jsonl')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^audit-router: error AR_ERR_INPUT_FILE: .*absent\.jsonl: no such file/);
  });

  test('--help shows an example', async () => {
    const result = await cli(['produce', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Examples:\n {2}audit-router produce --topic audit-events events\.jsonl/);
    assert.match(result.stdout, /--on-invalid <mode>/);
  });
});
