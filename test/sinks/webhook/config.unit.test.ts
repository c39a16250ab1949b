import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, validateConfig, type ConfigIssue } from '../../../src/config/index.js';
import type { WebhookSinkConfig } from '../../../src/sinks/webhook/index.js';
import { makeEvent } from '../../helpers/events.js';
import { runCli } from '../../helpers/router-process.js';

const SECRET = 'RECOGNISABLE-SECRET-7f3a9c';
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'webhook-config-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function tree(sink: Record<string, unknown>) {
  return { kafka: { brokers: ['127.0.0.1:9092'] }, source: { topic: 't', groupId: 'g' }, sinks: [{ name: 'w', type: 'webhook', ...sink }] };
}

function issuesOf(sink: Record<string, unknown>): { issues: readonly ConfigIssue[]; message: string } {
  try {
    validateConfig(tree(sink), 'config', {});
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.code, 'AR_ERR_CONFIG_INVALID');
    return { issues: err.issues, message: err.message };
  }
  assert.fail('config was accepted');
}

function assertIssue(sink: Record<string, unknown>, path: string, message: RegExp): string {
  const { issues, message: full } = issuesOf(sink);
  assert.ok(
    issues.some((i) => i.path === path && message.test(i.message)),
    `expected an issue at ${path} matching ${message}, got ${JSON.stringify(issues)}`,
  );
  return full;
}

async function templateFile(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

function webhookOf(sink: Record<string, unknown>): WebhookSinkConfig {
  return validateConfig(tree(sink), 'config', {}).sinks[0] as WebhookSinkConfig;
}

test('a minimal webhook sink gets the documented defaults', () => {
  const sink = webhookOf({ url: 'https://siem.example.com/audit' });
  assert.equal(sink.type, 'webhook');
  assert.equal(sink.method, 'POST');
  assert.deepEqual(sink.headers, {});
  assert.deepEqual(sink.batch, { maxEvents: 100, maxBytes: 1048576, maxWaitMs: 1000 });
  assert.deepEqual(sink.retry, { initialBackoffMs: 200, maxBackoffMs: 15000, maxElapsedMs: 300000 });
  assert.equal(sink.concurrency, 4);
  assert.equal(sink.timeoutMs, 10000);
  assert.equal(sink.maxResponseBytes, 65536);
  assert.equal(sink.followRedirects, false);
  assert.equal(sink.template, undefined);
  assert.equal(sink.signingSecret, undefined);
});

test('the full example config is accepted', async () => {
  const template = await templateFile('siem.hbs', '{"kind": "{{type}}:{{action}}", "payload": {{json payload}} }');
  const sink = webhookOf({
    events: ['flag:*', '*:deleted'],
    url: 'https://siem.example.com/audit',
    method: 'PUT',
    headers: { 'X-Team': 'security', Authorization: 'Bearer abc' },
    signingSecret: SECRET,
    verificationToken: 'token-1',
    template,
    batch: { maxEvents: 1 },
    timeoutMs: 5000,
    maxResponseBytes: 4096,
    followRedirects: true,
  });
  assert.equal(sink.method, 'PUT');
  assert.equal(sink.batch.maxEvents, 1);
  assert.equal(sink.template?.path, template);
  assert.deepEqual(JSON.parse(sink.template!.render(makeEvent({ type: 'segment', action: 'deleted' }))).kind, 'segment:deleted');
});

test('the URL must be http(s) without credentials', () => {
  assertIssue({ url: 'ftp://example.com/x' }, 'sinks[0].url', /http\(s\) URL/);
  assertIssue({ url: 'not a url' }, 'sinks[0].url', /http\(s\) URL/);
  const message = assertIssue({ url: `https://user:${SECRET}@example.com/x` }, 'sinks[0].url', /credentials/);
  assert.ok(!message.includes(SECRET), message);
});

test('at most 20 headers', () => {
  const headers = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, 'v']));
  assertIssue({ url: 'https://e.example/x', headers }, 'sinks[0].headers', /at most 20 headers/);
  assert.equal(
    Object.keys(webhookOf({ url: 'https://e.example/x', headers: Object.fromEntries(Object.entries(headers).slice(0, 20)) }).headers)
      .length,
    20,
  );
});

test('header values may not contain CR, LF or NUL, and are never echoed', () => {
  for (const bad of [`a\r\nX-Injected: ${SECRET}`, `${SECRET}\n`, `${SECRET}\u0000`]) {
    const message = assertIssue(
      { url: 'https://e.example/x', headers: { 'X-Team': bad } },
      'sinks[0].headers.X-Team',
      /control characters/,
    );
    assert.ok(!message.includes(SECRET), message);
  }
});

test('header names must be tokens and may not replace the headers the sink sets', () => {
  assertIssue({ url: 'https://e.example/x', headers: { 'Bad Name': 'v' } }, 'sinks[0].headers.Bad Name', /not a valid HTTP header name/);
  assertIssue({ url: 'https://e.example/x', headers: { 'X-Bad:': 'v' } }, 'sinks[0].headers.X-Bad:', /not a valid HTTP header name/);
  for (const name of [
    'Content-Type',
    'idempotency-key',
    'X-Audit-Signature',
    'x-audit-verification-token',
    'X-Audit-Anything',
    'Content-Length',
    'Host',
    'Transfer-Encoding',
    'Connection',
  ]) {
    assertIssue({ url: 'https://e.example/x', headers: { [name]: 'v' } }, `sinks[0].headers.${name}`, /set by the webhook sink/);
  }
  assertIssue({ url: 'https://e.example/x', headers: { 'X-Team': 'a', 'x-team': 'b' } }, 'sinks[0].headers.x-team', /given twice/);
});

test('method, timeouts and the token are checked', () => {
  assertIssue({ url: 'https://e.example/x', method: 'GET' }, 'sinks[0].method', /./);
  assertIssue({ url: 'https://e.example/x', timeoutMs: 0 }, 'sinks[0].timeoutMs', /./);
  assertIssue({ url: 'https://e.example/x', maxResponseBytes: 10 }, 'sinks[0].maxResponseBytes', /./);
  assertIssue({ url: 'https://e.example/x', unknownKey: 1 }, 'sinks[0]', /unknown key "unknownKey"/);
  const message = assertIssue(
    { url: 'https://e.example/x', verificationToken: `${SECRET}\r\nX-Evil: 1` },
    'sinks[0].verificationToken',
    /control characters/,
  );
  assert.ok(!message.includes(SECRET), message);
});

test('a template that renders invalid JSON fails with AR_ERR_CONFIG_TEMPLATE at sinks[i].template', async () => {
  const template = await templateFile('bad-json.hbs', '{"type": {{type}} }');
  assertIssue(
    { url: 'https://e.example/x', template },
    'sinks[0].template',
    /^AR_ERR_CONFIG_TEMPLATE: .*bad-json\.hbs does not render valid JSON for a sample event/,
  );
});

test('a template that does not compile fails with the reason', async () => {
  const syntax = await templateFile('syntax.hbs', '{"a": "{{#if type}}"}');
  assertIssue(
    { url: 'https://e.example/x', template: syntax },
    'sinks[0].template',
    /^AR_ERR_CONFIG_TEMPLATE: .*syntax\.hbs does not compile: /,
  );
  const raw = await templateFile('raw.hbs', '{"a": "{{{payload.description}}}"}');
  assertIssue({ url: 'https://e.example/x', template: raw }, 'sinks[0].template', /^AR_ERR_CONFIG_TEMPLATE: .*unescaped/);
  const helper = await templateFile('helper.hbs', '{"a": {{toJson payload}} }');
  assertIssue({ url: 'https://e.example/x', template: helper }, 'sinks[0].template', /^AR_ERR_CONFIG_TEMPLATE: .*unknown helper toJson/);
  const partial = await templateFile('partial.hbs', '{"a": {{> other}} }');
  assertIssue(
    { url: 'https://e.example/x', template: partial },
    'sinks[0].template',
    /^AR_ERR_CONFIG_TEMPLATE: .*partial other could not be found/,
  );
});

test('a missing template file fails at sinks[i].template', () => {
  assertIssue(
    { url: 'https://e.example/x', template: join(dir, 'nope.hbs') },
    'sinks[0].template',
    /^AR_ERR_CONFIG_TEMPLATE: cannot read .*nope\.hbs \(no such file\)/,
  );
  assertIssue({ url: 'https://e.example/x', template: dir }, 'sinks[0].template', /^AR_ERR_CONFIG_TEMPLATE: .*is a directory/);
});

test('a relative template path is resolved from the working directory', async () => {
  await templateFile('relative.hbs', '{"id": "{{id}}"}');
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const sink = webhookOf({ url: 'https://e.example/x', template: './relative.hbs' });
    assert.equal(sink.template?.path, './relative.hbs');
    assert.deepEqual(JSON.parse(sink.template!.render(makeEvent({ id: 'e-1' }))), { id: 'e-1' });
  } finally {
    process.chdir(cwd);
  }
});

test('the signing secret never appears in a config error, whatever else is wrong', async () => {
  const template = await templateFile('bad-for-secret.hbs', '{"x": {{type}}}');
  const { message, issues } = issuesOf({
    url: 'ftp://example.com',
    signingSecret: SECRET,
    verificationToken: `${SECRET}\n`,
    headers: { 'X-Secret': `${SECRET}\r\n`, 'Content-Type': SECRET },
    template,
  });
  assert.ok(issues.length >= 4, JSON.stringify(issues));
  assert.ok(!message.includes(SECRET), message);
});

test('header names __proto__, constructor and prototype are refused, not silently dropped', () => {
  for (const name of ['__proto__', 'constructor', 'prototype']) {
    // JSON.parse makes __proto__ an own key, as a YAML or JSON config file does; a literal would set a prototype.
    const headers = JSON.parse(`{"${name}": "x"}`) as Record<string, string>;
    assertIssue({ url: 'https://siem.example.com/audit', headers }, `sinks[0].headers.${name}`, /object property name/);
  }
});

test('a template path naming a FIFO fails at load without opening it (an open would block until a writer came)', async () => {
  const fifo = join(dir, 'template.fifo');
  execFileSync('mkfifo', [fifo]);
  // The CLI, not this process: were the FIFO opened, the open would block its event loop, not the test's.
  const file = join(dir, 'fifo-router.json');
  await writeFile(file, JSON.stringify(tree({ url: 'https://siem.example.com/audit', template: fifo })));
  const result = await runCli(['validate-config', '-c', file]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stderr,
    /AR_ERR_CONFIG_INVALID[\s\S]*sinks\[0\]\.template: AR_ERR_CONFIG_TEMPLATE: cannot read .*template\.fifo \(not a regular file\)/,
  );
});
