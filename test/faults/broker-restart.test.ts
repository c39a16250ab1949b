import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { makeEvents } from '../helpers/events.js';
import { ownKafkaPort } from '../helpers/ports.js';
import { uniqueName } from '../helpers/names.js';
import { RouterProcess, routerConfig, tempDir, writeConfig } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';
import { countLines, FAST_GROUP, infraScript, logIds, stopBounded, withSource } from './support.js';

/** A broker of its own: stopping the shared one would break every other test running now. */
const PORT = ownKafkaPort('brokerRestart');
const BROKER_ENV = { KAFKA_PORT: String(PORT), KAFKA_SASL_PORT: '0' };
const BROKERS = [`127.0.0.1:${PORT}`];
const TOTAL = 12_000;
const BATCH = 100;

/** The router's log lines other than the client's connection retries, which fill a long outage. */
function withoutRetries(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => !/Failed to connect to seed broker|"namespace":"Connection"/.test(l));
  return lines.slice(-30).join('\n');
}

describe('fault: broker restart', () => {
  it('the broker stops and starts mid-stream: the router reconnects by itself and every event arrives', async () => {
    await infraScript('kafka.sh', 'start', BROKER_ENV);
    const kafka = new Kafka({
      clientId: uniqueName('fault-broker'),
      brokers: BROKERS,
      logLevel: logLevel.NOTHING,
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 1_000 },
    });
    const topic = uniqueName('fault-broker');
    const dir = tempDir();
    const file = join(dir, 'audit.log');
    let router: RouterProcess | undefined;
    // Set when the test ends, passed or failed: a stream still retrying into a stopped broker would keep the process alive.
    let ended = false;
    try {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      await admin.disconnect();
      const tree = withSource(
        routerConfig({
          topic,
          groupId: uniqueName('fault-broker'),
          sinks: [{ name: 'archive', type: 'log', file, batch: { maxWaitMs: 20 } }],
        }),
        FAST_GROUP,
      );
      router = new RouterProcess(writeConfig(dir, { ...tree, kafka: { brokers: BROKERS, clientId: 'audit-router-fault' } }));
      await router.joined();

      // The stream keeps going through the outage: a batch that cannot be sent is sent again until the broker takes it.
      const events = makeEvents(TOTAL, uniqueName('b'));
      let sent = 0;
      let failedSends = 0;
      const streaming = (async () => {
        const producer = kafka.producer();
        await producer.connect();
        try {
          while (sent < TOTAL && !ended) {
            try {
              await producer.send({ topic, messages: events.slice(sent, sent + BATCH).map((e) => ({ value: JSON.stringify(e) })) });
              sent += BATCH;
            } catch {
              failedSends++;
            }
            await new Promise((r) => setTimeout(r, 20));
          }
        } finally {
          await producer.disconnect().catch(() => undefined);
        }
      })();

      await waitFor(() => countLines(file) >= 2_000, { what: 'the stream to be flowing', timeoutMs: 60_000 });
      const before = countLines(file);
      await infraScript('kafka.sh', 'stop', BROKER_ENV);
      const stderrAtStop = router.stderr.length;
      // The router notices the outage (kafkajs logs the broken connection), and keeps running.
      await waitFor(() => /ECONNREFUSED|Connection error|connection/i.test(router!.stderr.slice(stderrAtStop)), {
        what: 'the router to notice the outage',
        timeoutMs: 60_000,
      });
      assert.ok(countLines(file) < TOTAL, 'the broker stopped mid-stream');
      // A long outage. kafkajs: its own connection retries run out, the consumer crashes and restarts, twice, before the broker
      // returns. librdkafka never gives up (it reconnects by itself): the outage lasts until its group session has timed out.
      const restarts = () => (router!.stderr.slice(stderrAtStop).match(/consumer restarting after error/g) ?? []).length;
      const sessionLost = () => /session timed out/.test(router!.stderr.slice(stderrAtStop));
      const librdkafka = /Kafka engine: librdkafka/.test(router.stderr);
      await waitFor(() => router!.child.exitCode !== null || (librdkafka ? sessionLost() : restarts() >= 2), {
        what: librdkafka ? "the consumer's group session to time out" : 'the consumer to give up and restart twice',
        timeoutMs: 90_000,
      });
      assert.equal(
        router.child.exitCode,
        null,
        `the router exited during the outage; what it said besides connection retries:\n${withoutRetries(router.stderr.slice(stderrAtStop))}`,
      );
      await infraScript('kafka.sh', 'start', BROKER_ENV);

      await streaming;
      const ids = new Set(events.map((e) => e.id!));
      await waitFor(() => new Set(logIds(file)).size >= TOTAL, {
        what: `all ${TOTAL} events (have ${new Set(logIds(file)).size})`,
        timeoutMs: 120_000,
      });
      assert.deepEqual(new Set(logIds(file)), ids, 'every event, and nothing else');
      assert.equal(router.child.exitCode, null, `the router is still the same running process; stderr:\n${router.stderr.slice(-2000)}`);
      const admin2 = kafka.admin();
      await admin2.connect();
      const parked = (await admin2.fetchTopicOffsets(`${topic}.dlq`)).reduce((n, p) => n + Number(p.high), 0);
      await admin2.disconnect();
      assert.equal(parked, 0, 'nothing parked');
      console.log(
        `# broker restart: stopped after ${before} lines; consumer restarted ${restarts()} times; ${failedSends} producer sends failed during the outage; ${logIds(file).length} lines for ${TOTAL} events`,
      );
      assert.equal((await stopBounded(router)).code, 0, 'a clean stop after the outage');
    } finally {
      ended = true;
      if (router) await stopBounded(router, 20_000);
      await infraScript('kafka.sh', 'clean', BROKER_ENV);
    }
  });
});
