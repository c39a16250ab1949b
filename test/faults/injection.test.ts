import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validateConfig } from '../../src/config/index.js';
import { DLQ_HEADERS } from '../../src/deadletter/headers.js';
import { silentLogger } from '../../src/observability/logger.js';
import { RouterApp } from '../../src/runtime/router-app.js';
import { makeEvent } from '../helpers/events.js';
import { HttpReceiver } from '../helpers/http-receiver.js';
import { createTopic, deleteTopics, produce, readTopic } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { routerConfig, tempDir } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';
import { parkedId } from './support.js';

const BIG = 100 * 1024;
/** Values that would add a header, break the JSON, or run as template code if they were pasted in unescaped. */
const HOSTILE = [
  'line one\r\nX-Injected: yes',
  '\r\n\r\n{"smuggled": true}',
  '{{7*7}}',
  '{{#each metadata.actor}}{{@key}}{{/each}}',
  '{{{payload}}} {{> partial}} {{lookup . "constructor"}}',
  'say "hi", then \\"escape\\" \\',
  '"}, "admin": true, "x": {"',
  "\u0000\u2028\u2029\ud800 </script>&<>'=`",
  'x'.repeat(BIG - 3) + '\r\n"',
  '"'.repeat(BIG),
  '\\'.repeat(BIG),
];

const TEMPLATE = `{
  "id": "{{id}}",
  "what": "{{type}}:{{action}}",
  "note": "{{payload.note}}",
  "actor": { {{#each metadata.actor}}"{{@key}}": "{{this}}"{{#unless @last}}, {{/unless}}{{/each}} },
  "payload": {{json payload}} }
`;

/** The only headers a request may carry: anything else was injected. */
const EXPECTED_HEADERS = [
  'content-type',
  'content-length',
  'host',
  'connection',
  'idempotency-key',
  'x-audit-event-count',
  'x-audit-event-type',
  'x-audit-event-action',
  'x-audit-signature',
].sort();

describe('fault: template and header injection', () => {
  it('hostile payload and actor values cannot add headers or break the body; hostile ids and types are refused, not sent', async () => {
    const receiver = new HttpReceiver((_req, res) => void res.writeHead(200).end('ok'));
    await receiver.start();
    const template = join(tempDir(), 'siem.hbs');
    writeFileSync(template, TEMPLATE);
    const topic = await createTopic('fault-inject', 1);
    const sink = {
      name: 'siem',
      type: 'webhook',
      url: receiver.url,
      template,
      signingSecret: 'fault-injection-secret',
      batch: { maxEvents: 1, maxWaitMs: 0 },
      concurrency: 4,
    };
    const config = validateConfig(routerConfig({ topic, groupId: uniqueName('fault-inject'), sinks: [sink] }));
    const app = await RouterApp.start(config, { logger: silentLogger() });
    try {
      const events = HOSTILE.flatMap((value, i) => [
        makeEvent({ id: `note-${i}`, payload: { note: value, nested: { deep: [value] }, key: 'k' } }),
        makeEvent({
          id: `actor-${i}`,
          metadata: { actor: { email: value, [`k\r\nX-Injected-${i}: 1`]: value } },
          payload: { note: 'plain' },
        }),
      ]);
      // Fields that become headers cannot be escaped there: the sink must refuse such events rather than send them.
      const refused = [
        makeEvent({ id: 'id-crlf\r\nX-Injected: yes' }),
        makeEvent({ id: 'type-crlf', type: 'flag\r\nX-Injected: yes' }),
        makeEvent({ id: 'action-nul', action: 'created\u0000' }),
      ];
      await produce(
        topic,
        [...events, ...refused].map((e) => ({ value: JSON.stringify(e) })),
      );

      await waitFor(() => receiver.requests.length >= events.length, {
        what: `${events.length} requests (have ${receiver.requests.length})`,
        timeoutMs: 60_000,
      });
      const parked = await readTopic(config.deadLetter.topic, { count: refused.length });
      const byId = new Map(events.map((e) => [e.id!, e]));
      const seen = new Set<string>();
      for (const request of receiver.requests) {
        assert.deepEqual(Object.keys(request.headers).sort(), EXPECTED_HEADERS, `headers of ${request.headers['idempotency-key']}`);
        let body: { id: string; what: string; note: string; actor: Record<string, string>; payload: unknown };
        assert.doesNotThrow(() => (body = JSON.parse(request.body)), `body of ${request.headers['idempotency-key']} is JSON`);
        body = JSON.parse(request.body);
        const sent = byId.get(body.id);
        assert.ok(sent, `a body for an event that was produced (${String(body.id).slice(0, 40)})`);
        assert.equal(request.headers['idempotency-key'], body.id);
        assert.deepEqual(Object.keys(body).sort(), ['actor', 'id', 'note', 'payload', 'what'], `no smuggled fields in ${body.id}`);
        assert.equal(body.what, `${sent.type}:${sent.action}`);
        assert.equal(body.note, (sent.payload as { note: string }).note, `note of ${body.id} round-trips exactly`);
        assert.deepEqual(body.payload, sent.payload, `payload of ${body.id} round-trips exactly`);
        assert.deepEqual(body.actor, sent.metadata.actor, `actor of ${body.id} round-trips exactly`);
        seen.add(body.id);
      }
      assert.deepEqual([...seen].sort(), [...byId.keys()].sort(), 'every event arrived');
      assert.deepEqual(parked.map((r) => JSON.parse(r.value!.toString()).id).sort(), refused.map((e) => e.id).sort());
      for (const record of parked) {
        assert.equal(
          record.headers[DLQ_HEADERS.code],
          'AR_ERR_SINK_REJECTED',
          `${parkedId(record)}: ${record.headers[DLQ_HEADERS.message]}`,
        );
        assert.doesNotMatch(record.headers[DLQ_HEADERS.message]!, /[\r\n]/, 'the reason itself carries no CR/LF');
      }
      assert.ok(app.isReady, 'the router keeps running');
    } finally {
      await app.stop();
      await receiver.close();
      await deleteTopics(topic, config.deadLetter.topic);
    }
  });
});
