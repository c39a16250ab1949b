import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, tempDir, type CliResult } from '../helpers/router-process.js';

/** Recognisable secrets: none may appear in any output, whatever is broken next to them. */
const SECRET = 'S3cret-sasl-7f3a9c';
const SIGNING = 'S3cret-signing-41be0d';
const ENV_SECRET = 'S3cret-from-env-95d2';
const SECRETS = [SECRET, SIGNING, ENV_SECRET];

const dir = tempDir('ar-config-cli-');
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A valid config with every secret field set, as YAML; cases break one thing in it. */
function yaml({ kafka = '', source = '', sink = '', top = '', url = 'http://127.0.0.1:9/hook', events = '["flag:*"]' } = {}): string {
  return [
    `kafka: { brokers: ["127.0.0.1:9092"], sasl: { mechanism: scram-sha-256, username: audit, password: "${SECRET}" }${kafka} }`,
    `source: { topic: audit-events, groupId: audit-router${source} }`,
    'sinks:',
    `  - { name: hook, type: webhook, url: "${url}", signingSecret: "${SIGNING}", headers: { Authorization: "\${HOOK_TOKEN}" }, events: ${events}${sink} }`,
    top,
  ].join('\n');
}

interface Case {
  name: string;
  args: string[];
  code: number;
  /** The error code and something naming where the problem is (path, line, flag). */
  error: RegExp;
}

const cases: Case[] = [
  {
    name: 'missing file',
    args: ['run', '-c', join(dir, 'absent.yaml')],
    code: 1,
    error: /AR_ERR_CONFIG_FILE: .*absent\.yaml.*no such file/,
  },
  {
    name: 'invalid YAML',
    args: ['run', '-c', file('broken.yaml', `${yaml()}\nlogging: { level: [warn }\n`)],
    code: 1,
    error: /AR_ERR_CONFIG_PARSE: .*broken\.yaml.*line \d+/,
  },
  {
    name: 'invalid JSON',
    args: ['run', '-c', file('broken.json', '{"kafka": {"brokers": ["127.0.0.1:9092"], "sasl": {"password": "' + SECRET + '"},')],
    code: 1,
    error: /AR_ERR_CONFIG_PARSE: .*broken\.json: invalid JSON/,
  },
  {
    name: 'not a mapping',
    args: ['run', '-c', file('list.yaml', '- kafka\n- source\n')],
    code: 1,
    error: /AR_ERR_CONFIG_INVALID: .*list\.yaml: expected a mapping/,
  },
  {
    name: 'unknown keys',
    args: ['run', '-c', file('unknown.yaml', yaml({ sink: ', retries: 3', top: 'kafak: {}' }))],
    code: 1,
    error:
      /AR_ERR_CONFIG_INVALID: .*(unknown key "kafak".*sinks\[0\]: unknown key "retries"|sinks\[0\]: unknown key "retries".*unknown key "kafak")/,
  },
  {
    name: 'bad webhook URL',
    args: ['run', '-c', file('url.yaml', yaml({ url: 'ftp://127.0.0.1/hook' }))],
    code: 1,
    error: /AR_ERR_CONFIG_INVALID: .*sinks\[0\]\.url: expected an http\(s\) URL/,
  },
  {
    name: 'credentials in the URL',
    args: ['run', '-c', file('creds.yaml', yaml({ url: `https://audit:${SECRET}@127.0.0.1/hook` }))],
    code: 1,
    error: /AR_ERR_CONFIG_INVALID: .*sinks\[0\]\.url: credentials in the URL/,
  },
  {
    name: 'bad registry URL',
    args: ['run', '-c', file('registry.yaml', yaml({ top: 'schemaRegistry: { url: "127.0.0.1:8081" }' }))],
    code: 1,
    error: /AR_ERR_CONFIG_INVALID: .*schemaRegistry\.url: expected an http\(s\) URL/,
  },
  {
    name: 'bad rule',
    args: ['run', '-c', file('rule.yaml', yaml({ events: '["flag", ":created", "flag:*", "flag:*"]' }))],
    code: 1,
    error:
      /AR_ERR_CONFIG_INVALID: .*sinks\[0\]\.events\[0\]: "flag".*sinks\[0\]\.events\[1\]: ":created".*sinks\[0\]\.events\[3\]: "flag:\*": duplicate rule/,
  },
  {
    name: 'unknown noun',
    args: ['run', '-c', file('noun.yaml', yaml({ events: '["flags:created"]' }))],
    code: 1,
    error: /AR_ERR_CONFIG_INVALID: .*sinks\[0\]\.events\[0\]: "flags:created": unknown noun/,
  },
  {
    name: 'unset ${ENV} secret',
    args: ['run', '-c', file('env.yaml', yaml({ sink: ', verificationToken: "${AR_FAULT_UNSET_TOKEN}"' }))],
    code: 1,
    error: /AR_ERR_CONFIG_INVALID: .*sinks\[0\]\.verificationToken: environment variable AR_FAULT_UNSET_TOKEN is not set/,
  },
  {
    name: 'out-of-range numbers',
    args: [
      'run',
      '-c',
      file(
        'range.yaml',
        yaml({
          kafka: ', connectionTimeoutMs: 0',
          source: ', commit: { intervalMs: 5 }',
          sink: ', batch: { maxEvents: 0 }, timeoutMs: 99999999',
        }),
      ),
    ],
    code: 1,
    error:
      /AR_ERR_CONFIG_INVALID: .*kafka\.connectionTimeoutMs: .*source\.commit\.intervalMs: .*sinks\[0\]\.batch\.maxEvents: .*sinks\[0\]\.timeoutMs: /,
  },
  {
    name: 'port out of range',
    args: ['run', '-c', file('port.yaml', yaml().replace('127.0.0.1:9092', '127.0.0.1:99999'))],
    code: 1,
    error: /AR_ERR_CONFIG_INVALID: .*kafka\.brokers\[0\]: port must be 1-65535/,
  },
  {
    name: 'wrong types',
    args: ['run', '-c', file('types.yaml', yaml({ source: ', fromBeginning: "yes"', sink: ', concurrency: "4"' }))],
    code: 1,
    error: /AR_ERR_CONFIG_INVALID: .*source\.fromBeginning: .*sinks\[0\]\.concurrency: /,
  },
  {
    name: 'CRLF in a header value',
    args: ['run', '-c', file('crlf.yaml', yaml({ sink: `, verificationToken: "${SECRET}\\r\\nX-Injected: 1"` }))],
    code: 1,
    error: /AR_ERR_CONFIG_INVALID: .*sinks\[0\]\.verificationToken: must be printable ASCII/,
  },
  {
    name: 'broken template',
    args: ['run', '-c', file('template.yaml', yaml({ sink: `, template: "${join(dir, 'bad.hbs')}"` }))],
    code: 1,
    error: /AR_ERR_CONFIG_(INVALID|TEMPLATE): .*sinks\[0\]\.template: .*(compile|JSON)/,
  },
  {
    name: 'unreachable broker',
    args: ['run', '-c', file('down.yaml', yaml().replace('127.0.0.1:9092', '127.0.0.1:1'))],
    code: 1,
    error: /AR_ERR_KAFKA_CONNECTION: cannot reach Kafka at 127\.0\.0\.1:1/,
  },
  {
    name: 'unreachable broker (redrive)',
    args: ['redrive', '-c', file('down-redrive.yaml', yaml().replace('127.0.0.1:9092', '127.0.0.1:1'))],
    code: 1,
    error: /AR_ERR_KAFKA_CONNECTION: cannot reach Kafka at 127\.0\.0\.1:1/,
  },
  { name: 'run without -c', args: ['run'], code: 2, error: /AR_ERR_USAGE: required option '-c, --config <file>'/ },
  { name: '-c without a value', args: ['run', '-c'], code: 2, error: /AR_ERR_USAGE: option '-c, --config <file>' argument missing/ },
  {
    name: 'unknown flag',
    args: ['run', '-c', join(dir, 'absent.yaml'), '--fast'],
    code: 2,
    error: /AR_ERR_USAGE: unknown option '--fast'/,
  },
  { name: 'unknown command', args: ['rnu'], code: 2, error: /AR_ERR_USAGE: unknown command 'rnu'/ },
  {
    name: 'produce with a bad --on-invalid',
    args: ['produce', '--topic', 'x', '--on-invalid', 'ignore', join(dir, 'absent.jsonl')],
    code: 2,
    error: /AR_ERR_USAGE: .*(on-invalid|ignore)/,
  },
  {
    name: 'unquoted ${VAR} in a flow map',
    args: ['run', '-c', file('flow.yaml', yaml({ top: 'deadLetter: { topic: ${DLQ} }' }))],
    code: 1,
    error: /AR_ERR_CONFIG_PARSE: .*flow\.yaml: invalid YAML at line 5: .*quote values that use \$\{…\}/,
  },
  {
    name: 'every problem at once',
    args: [
      'run',
      '-c',
      file(
        'many.yaml',
        yaml()
          .replace('groupId: audit-router', 'groupId: 7')
          .replace('type: webhook', 'type: pigeon')
          .replace('sinks:', 'sinks:\n  - { name: hook, type: log }'),
      ),
    ],
    code: 1,
    error:
      /AR_ERR_CONFIG_INVALID: .*source\.groupId: expected the consumer group id, got a number.*sinks\[1\]\.type: unknown sink type.*sinks\[1\]\.name: duplicate sink name "hook"/,
  },
  {
    name: 'test-route with a missing event file',
    args: ['test-route', '-c', file('ok.yaml', yaml()), join(dir, 'absent.json')],
    code: 1,
    error: /AR_ERR_INPUT_FILE: .*absent\.json/,
  },
];

// `kafka` is set for the unreachable-broker case only; the rest never connect.
const env = { HOOK_TOKEN: `Bearer ${ENV_SECRET}`, AR_LOG_LEVEL: 'error', AR_DEBUG: '' };
writeFileSync(join(dir, 'bad.hbs'), '{"id": "{{id}}", "payload": {{{payload}}} }');

function assertOneLine(result: CliResult, c: Case): void {
  const out = result.stdout + result.stderr;
  for (const secret of SECRETS) assert.ok(!out.includes(secret), `${c.name}: a secret was echoed:\n${out}`);
  assert.doesNotMatch(out, /^ {4}at /m, `${c.name}: a stack trace:\n${out}`);
  assert.equal(result.code, c.code, `${c.name}: exit code; stderr:\n${result.stderr}`);
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `${c.name}: exactly one line on stderr, got:\n${result.stderr}`);
  assert.match(lines[0]!, /^audit-router: error AR_ERR_[A-Z_]+: /, c.name);
  assert.match(lines[0]!, c.error, c.name);
}

describe('fault: bad config and command lines', () => {
  it('every bad input: exit 1 (usage: 2), one line naming the code and the place, no stack, no secret', async () => {
    // In parallel: each is a separate process, and only the unreachable broker takes long (kafkajs retries).
    const results = await Promise.all(cases.map((c) => runCli(c.args, { env, timeoutMs: 60_000 })));
    cases.forEach((c, i) => assertOneLine(results[i]!, c));
  });

  it('validate-config lists every problem, one per line, path first; no secret', async () => {
    const broken = file(
      'many.yaml',
      yaml({
        url: 'ftp://x',
        events: '["flag"]',
        source: ', commit: { intervalMs: 5 }',
        sink: `, verificationToken: "\${AR_FAULT_UNSET_TOKEN}"`,
        top: 'kafak: {}',
      }),
    );
    const result = await runCli(['validate-config', '-c', broken], { env });
    assert.equal(result.code, 1, result.stderr);
    for (const secret of SECRETS) assert.ok(!(result.stdout + result.stderr).includes(secret), `a secret was echoed:\n${result.stderr}`);
    const [first, ...problems] = result.stderr.trimEnd().split('\n');
    assert.match(
      first!,
      new RegExp(`^audit-router: error AR_ERR_CONFIG_INVALID: ${broken.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} has 5 problems$`),
    );
    assert.equal(problems.length, 5, result.stderr);
    for (const line of problems) assert.match(line, /^ {2}(\(file\)|[A-Za-z][\w.[\]]*): \S/, `problem line format: ${line}`);
    assert.deepEqual(
      problems.map((l) => l.trim().split(':')[0]).sort(),
      ['(file)', 'sinks[0].events[0]', 'sinks[0].url', 'sinks[0].verificationToken', 'source.commit.intervalMs'].sort(),
    );

    // Nothing listens on port 1: validate-config passes only because it does not connect.
    const valid = await runCli(['validate-config', '-c', file('valid.yaml', yaml().replace('127.0.0.1:9092', '127.0.0.1:1'))], { env });
    assert.equal(valid.code, 0, valid.stderr);
    assert.match(valid.stdout, /valid \(1 sink: hook \[webhook\]\)/);
    assert.ok(!SECRETS.some((s) => valid.stdout.includes(s)), 'a valid config is not echoed either');
  });
});
