import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfigFile, validateConfig } from '../../src/config/index.js';
import { tempDir } from '../helpers/router-process.js';

const minimal = () => ({
  kafka: { brokers: ['127.0.0.1:9092'] },
  source: { topic: 'audit-events', groupId: 'audit-router' },
  sinks: [{ name: 'archive', type: 'log' }],
});

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return [...err.issues];
  }
  assert.fail('expected a ConfigError');
}

describe('config loading', () => {
  it('fills defaults and freezes the result', () => {
    const config = validateConfig(minimal());
    assert.deepEqual(config.events, ['*:*']);
    assert.equal(config.source.format, 'auto');
    assert.equal(config.deadLetter.topic, 'audit-events.dlq');
    assert.equal(config.sinks[0]!.type, 'log');
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.sinks[0]));
  });

  it('reports every problem at once, each with its path', () => {
    const tree = minimal() as Record<string, unknown>;
    tree.unknownKey = 1;
    tree.kafka = { brokers: ['no-port'] };
    tree.events = ['flag', 'flg:created', 'flag:created', 'flag:created'];
    tree.sinks = [
      { name: 'a', type: 'log', batch: { maxEvents: 0 } },
      { name: 'a', type: 'carrier-pigeon' },
    ];
    const issues = issuesOf(() => validateConfig(tree));
    const byPath = new Map(issues.map((i) => [i.path, i.message]));
    assert.match(byPath.get('') ?? '', /unknown key "unknownKey"/);
    assert.match(byPath.get('kafka.brokers[0]') ?? '', /host:port/);
    assert.match(byPath.get('sinks[0].batch.maxEvents') ?? '', /must be at least 1/);
    assert.match(byPath.get('sinks[1].name') ?? '', /duplicate sink name "a"/, 'reported together with the unknown sink type');
    assert.match(byPath.get('sinks[1].type') ?? '', /unknown sink type/);
    assert.ok(issues.length >= 4, JSON.stringify(issues));
  });

  it("says what is missing or expected in the project's words, not zod's", () => {
    const tree = { kafka: { brokers: '127.0.0.1:9092' }, source: { topic: 'audit-events' }, sinks: [] };
    const byPath = new Map(issuesOf(() => validateConfig(tree)).map((i) => [i.path, i.message]));
    assert.equal(byPath.get('source.groupId'), 'required (the consumer group id)');
    assert.match(byPath.get('kafka.brokers') ?? '', /^expected a list of host:port, e\.g\. \["127\.0\.0\.1:9092"\], got a string$/);
    assert.match(byPath.get('sinks') ?? '', /^needs at least one entry/);
    for (const message of byPath.values()) assert.doesNotMatch(message, /Invalid input|received|Too small/);
  });

  it('an unquoted ${VAR} in a flow mapping fails to parse with the fix in the message', () => {
    const file = join(tempDir(), 'flow.yaml');
    writeFileSync(
      file,
      'kafka: { brokers: ["127.0.0.1:9092"] }\nsource: { topic: t, groupId: g }\nsinks:\n  - { name: a, type: log, file: ${LOGFILE} }\n',
    );
    try {
      loadConfigFile(file, { LOGFILE: '/tmp/a.log' });
      assert.fail('expected a ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError && err.code === 'AR_ERR_CONFIG_PARSE', String(err));
      assert.equal(err.issues.length, 1, JSON.stringify(err.issues));
      assert.match(err.message, /line 4: .*quote values that use \$\{…\} inside \{ \} or \[ \], e\.g\. file: "\$\{LOGFILE\}"/);
    }
  });

  it('a quoted ${VAR} is replaced inside the string: an env value never changes the document', () => {
    const file = join(tempDir(), 'quoted.yaml');
    writeFileSync(
      file,
      'kafka: { brokers: ["127.0.0.1:9092"] }\nsource: { topic: t, groupId: g }\nsinks:\n  - { name: a, type: log, file: "${LOGFILE}" }\n',
    );
    const plain = loadConfigFile(file, { LOGFILE: '/tmp/a.log' });
    assert.equal((plain.sinks[0] as { file: string }).file, '/tmp/a.log');
    // YAML syntax in the value stays text: no new key, no second sink.
    const hostile = '/tmp/a.log", concurrency: 9 }\n  - { name: b, type: log';
    const config = loadConfigFile(file, { LOGFILE: hostile });
    assert.equal(config.sinks.length, 1);
    assert.equal((config.sinks[0] as { file: string }).file, hostile);
    assert.equal(config.sinks[0]!.concurrency, 1);
  });

  it('rejects bad rules with the rule and the reason', () => {
    const tree = { ...minimal(), events: ['flag', ':created', 'flg:created', 'flag:*', 'flag:*'] };
    const issues = issuesOf(() => validateConfig(tree));
    assert.deepEqual(
      issues.map((i) => i.path),
      ['events[0]', 'events[1]', 'events[2]', 'events[4]'],
    );
    assert.match(issues[2]!.message, /"flg:created": unknown noun/);
    assert.match(issues[3]!.message, /duplicate rule/);
  });

  it('interpolates ${ENV} and reports unset variables without echoing values', () => {
    const tree = {
      ...minimal(),
      kafka: { brokers: ['${BROKER}'], sasl: { mechanism: 'plain', username: 'u', password: '${KAFKA_PASSWORD}' } },
    };
    const config = validateConfig(tree, 'x', { BROKER: '10.0.0.1:9092', KAFKA_PASSWORD: 's3cr3t-value' });
    assert.deepEqual(config.kafka.brokers, ['10.0.0.1:9092']);
    const issues = issuesOf(() => validateConfig(tree, 'x', { BROKER: '10.0.0.1:9092' }));
    assert.deepEqual(issues, [{ path: 'kafka.sasl.password', message: 'environment variable KAFKA_PASSWORD is not set' }]);
    const wrongType = issuesOf(() =>
      validateConfig({ ...tree, kafka: { ...tree.kafka, sasl: { mechanism: 'gssapi', username: 'u', password: 's3cr3t-value' } } }, 'x', {
        BROKER: 'b:1',
      }),
    );
    assert.ok(!JSON.stringify(wrongType).includes('s3cr3t-value'));
  });

  it('names a missing file and invalid YAML', () => {
    const dir = tempDir();
    assert.throws(
      () => loadConfigFile(join(dir, 'nope.yaml')),
      (err: ConfigError) => err.code === 'AR_ERR_CONFIG_FILE' && /no such file/.test(err.message),
    );
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'kafka: [unclosed\n  sinks: : :\n');
    assert.throws(
      () => loadConfigFile(bad),
      (err: ConfigError) => err.code === 'AR_ERR_CONFIG_PARSE' && /invalid YAML at line/.test(err.message),
    );
  });
});
