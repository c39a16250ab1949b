import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuditRouterError } from '../../../src/errors/index.js';
import { makeEvents } from '../../helpers/events.js';
import { NO_ABORT, sinkEvent, startReceiver, startSink, webhookConfig } from './sink-fixtures.js';

// A quote and a backslash: JSON escapes both, so an echo in JSON is not the token's raw text.
const TOKEN = 'tok"en\\ECHO-TOKEN-7781/x';
const SECRET = 'whsec-ECHO-SECRET-é-5521';
const batch = makeEvents(1, 'redact').map(sinkEvent);

/** Every spelling of the values an error message must not carry, the message's own JSON quoting included. */
function spellings(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const escaped = [...value].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
  // The distinctive middle (letters, digits and -) survives raw, JSON, slash-escaped, URL-encoded and HTML spellings.
  const core = /ECHO-[A-Z]+-/.exec(value)![0];
  return [
    value,
    json,
    JSON.stringify(json).slice(1, -1),
    encodeURIComponent(value),
    Buffer.from(value).toString('base64'),
    escaped,
    JSON.stringify(escaped).slice(1, -1),
    core,
  ];
}

/** How a receiver may echo the token (and secret) back: each must come out redacted or withheld. */
const ECHOES: [string, (v: string) => string][] = [
  ['raw', (v) => v],
  ['JSON', (v) => JSON.stringify({ error: 'bad token', got: v })],
  ['JSON with escaped slashes', (v) => JSON.stringify({ got: v }).replaceAll('/', '\\/')],
  [
    'JSON with every character \\u-escaped',
    (v) => `{"got":"${[...v].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"}`,
  ],
  ['URL-encoded', (v) => `got=${encodeURIComponent(v)}`],
  ['form-encoded', (v) => `got=${encodeURIComponent(v).replaceAll('%20', '+')}`],
  ['base64', (v) => `got ${Buffer.from(v).toString('base64')}`],
  ['HTML entities', (v) => `<p>${v.replaceAll('"', '&quot;').replaceAll('\\', '&#92;')}</p>`],
  ['cut by the read cap', (v) => 'p'.repeat(240) + JSON.stringify(v)],
];

for (const [name, encode] of ECHOES) {
  test(`a 401 echoing the token and secret ${name}: no spelling of either in the error`, async (t) => {
    const receiver = await startReceiver(
      t,
      (_req, res) => void res.writeHead(401, { 'content-type': 'application/json' }).end(`${encode(TOKEN)} ${encode(SECRET)}`),
    );
    const sink = startSink(t, webhookConfig(receiver.url, { verificationToken: TOKEN, signingSecret: SECRET }));
    const err = await sink.send(batch, NO_ABORT).then(
      () => assert.fail('a 401 resolved'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof AuditRouterError);
    assert.equal(err.code, 'AR_ERR_SINK_REJECTED');
    assert.equal(err.status, 401);
    for (const value of [TOKEN, SECRET]) {
      for (const form of spellings(value)) assert.ok(!err.message.includes(form), `${name}: ${JSON.stringify(form)} in ${err.message}`);
    }
    assert.match(err.message, /\[redacted\]|body withheld/);
  });
}

test('a body without secrets is still quoted, so receivers can be debugged', async (t) => {
  const receiver = await startReceiver(t, (_req, res) => void res.writeHead(401).end('{"error":"token expired"}'));
  const sink = startSink(t, webhookConfig(receiver.url, { verificationToken: TOKEN }));
  const err = await sink.send(batch, NO_ABORT).then(
    () => assert.fail('resolved'),
    (e: unknown) => e as Error,
  );
  assert.ok(err.message.includes('token expired'), err.message);
});

test('a body with an out-of-range character entity is quoted, and a 400 stays a final rejection', async (t) => {
  // &#99999999; and &#x110000; are past U+10FFFF: decoding them for the redaction check must not throw.
  const receiver = await startReceiver(t, (_req, res) => void res.writeHead(400).end('bad &#99999999; &#x110000; input'));
  const sink = startSink(t, webhookConfig(receiver.url, { verificationToken: TOKEN }));
  const err = await sink.send(batch, NO_ABORT).then(
    () => assert.fail('resolved'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AuditRouterError);
  assert.equal(err.code, 'AR_ERR_SINK_REJECTED');
  assert.equal(err.status, 400);
  assert.ok(err.message.includes('&#99999999;'), err.message);
});
