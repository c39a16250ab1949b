import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { makeEvents } from '../helpers/events.js';
import { HttpReceiver } from '../helpers/http-receiver.js';
import { createTopic, deleteTopics, produce, readTopic, registryUrl } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { RouterProcess, routerConfig, tempDir, writeConfig } from '../helpers/router-process.js';

// Each has a quote and a backslash where a header value allows them: JSON escapes both.
const SECRETS = {
  HOOK_TOKEN: 'tok"en\\FAULT-TOKEN-4410',
  HOOK_SECRET: 'whsec"\\FAULT-SECRET-8802',
  HOOK_AUTH: 'Bearer "\\FAULT-AUTH-1207',
  ADMIN_TOKEN: 'admin-FAULT-ADMIN-TOKEN-0099',
  REGISTRY_PASSWORD: 'FAULT-REGISTRY-PASS-5150',
};

/** Every spelling a leak could take: raw, JSON-escaped once and twice, URL-encoded, base64, and the distinctive middle. */
function spellings(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  return [
    value,
    json,
    JSON.stringify(json).slice(1, -1),
    encodeURIComponent(value),
    Buffer.from(value).toString('base64'),
    /FAULT-[A-Z-]+\d+/.exec(value)![0],
  ];
}

describe('a receiver echoing every credential back: none reaches a log line, a dead-letter header or an API response', () => {
  let topic: string;
  let router: RouterProcess;
  let receiver: HttpReceiver;
  const apiAnswers: string[] = [];

  before(async () => {
    topic = await createTopic('secret-echo', 1);
    // 401 with the request's headers as JSON (so the token's quote and backslash come back escaped), and URL-encoded.
    receiver = new HttpReceiver((req, res) => {
      const echo = JSON.stringify({ error: 'unauthorized', youSent: req.headers });
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end(`${echo} ${encodeURIComponent(String(req.headers['x-audit-verification-token']))}`);
    });
    await receiver.start();
    const registry = new URL(registryUrl());
    const config = routerConfig({
      topic,
      groupId: uniqueName('secret-echo'),
      sinks: [
        {
          name: 'echoer',
          type: 'webhook',
          url: receiver.url,
          verificationToken: '${HOOK_TOKEN}',
          signingSecret: '${HOOK_SECRET}',
          headers: { Authorization: '${HOOK_AUTH}' },
          batch: { maxEvents: 1, maxWaitMs: 10 },
        },
      ],
      extra: {
        schemaRegistry: { url: `${registry.protocol}//registry-user:\${REGISTRY_PASSWORD}@${registry.host}${registry.pathname}` },
        admin: { listen: '127.0.0.1:0', api: { tokens: [{ name: 'ops', token: '${ADMIN_TOKEN}' }] } },
      },
    });
    router = new RouterProcess(writeConfig(tempDir(), config), { ...SECRETS, AR_LOG_LEVEL: 'debug' });
    await router.joined();
  });

  after(async () => {
    await router.stop();
    await receiver.close();
    await deleteTopics(topic, `${topic}.dlq`);
  });

  it('refused deliveries are parked and logged with the echo redacted', async () => {
    const events = makeEvents(3, 'secret-echo');
    await produce(
      topic,
      events.map((e) => ({ value: JSON.stringify(e) })),
    );
    const parked = await readTopic(`${topic}.dlq`, { count: 3 });
    assert.deepEqual(
      parked.map((m) => m.headers['ar.error.code']),
      ['AR_ERR_SINK_REJECTED', 'AR_ERR_SINK_REJECTED', 'AR_ERR_SINK_REJECTED'],
    );
    assert.ok(parked.every((m) => m.headers['ar.error.status'] === '401'));
    assert.ok(
      receiver.requests.every((r) => r.headers['x-audit-verification-token'] === SECRETS.HOOK_TOKEN),
      'the receiver did get the real token',
    );

    const base = /admin listener on (http:\/\/[^\s"]+)/.exec(router.stderr)![1]!;
    for (const token of [SECRETS.ADMIN_TOKEN, 'wrong-token-0123456789abcdef']) {
      const res = await request(`${base}/api/v1/destinations`, { headers: { authorization: `Bearer ${token}` } });
      apiAnswers.push(await res.body.text());
    }

    const everything = [router.stderr, ...apiAnswers, ...parked.flatMap((m) => Object.values(m.headers))].join('\n');
    assert.match(everything, /HTTP 401/, 'the refusal was logged or parked with its status');
    for (const [name, value] of Object.entries(SECRETS)) {
      for (const form of spellings(value)) assert.ok(!everything.includes(form), `${name} leaked as ${JSON.stringify(form)}`);
    }
  });
});
