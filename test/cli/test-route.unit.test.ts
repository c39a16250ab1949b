import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/router-process.js';

// test-route connects to nothing: these run the real CLI on real example files.

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ar-test-route-'));
const CONFIG = join(root, 'examples', 'router.yaml');
const EVENT = join(root, 'examples', 'events', 'flipt-0.2.json');

after(() => rmSync(dir, { recursive: true, force: true }));

describe('audit-router test-route', () => {
  test('the example in --help names files that exist, and runs as written', async () => {
    const help = await runCli(['test-route', '--help']);
    const example = help.stdout.split('\n').find((l) => l.trim().startsWith('audit-router test-route'));
    assert.ok(example, help.stdout);
    const args = example.trim().split(/\s+/).slice(1);
    for (const path of args.filter((a) => a.startsWith('examples/'))) assert.ok(existsSync(join(root, path)), `${path} does not exist`);
    const run = await runCli(args.map((a) => (a.startsWith('examples/') ? join(root, a) : a)));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /would receive this event/);
  });

  test('a JSON-lines file is told that test-route takes one event per call', async () => {
    const event = readFileSync(EVENT, 'utf8').trim();
    const file = join(dir, 'two.jsonl');
    writeFileSync(file, `${JSON.stringify(JSON.parse(event))}\n${JSON.stringify(JSON.parse(event))}\n`);
    const run = await runCli(['test-route', '-c', CONFIG, file]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /AR_ERR_DECODE_JSON: .*two\.jsonl holds 2 JSON lines, but test-route takes one event per call/);
    assert.doesNotMatch(run.stderr, /position/);
  });

  test('one pretty-printed event over many lines is still one event', async () => {
    const file = join(dir, 'pretty.json');
    writeFileSync(file, JSON.stringify(JSON.parse(readFileSync(EVENT, 'utf8')), null, 2));
    const run = await runCli(['test-route', '-c', CONFIG, file]);
    assert.equal(run.code, 0, run.stderr);
  });
});
