import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { auditEventSchemaText, logicalTypes } from '../../src/event/index.js';
import { makeEvents } from '../helpers/events.js';
import { createTopic, deleteTopics, produce, withAdmin } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { ownRegistryPort } from '../helpers/ports.js';
import { RouterProcess, routerConfig, tempDir, writeConfig } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';
import { countLines, infraScript, logIds, stopBounded } from './support.js';

/** A registry of its own: stopping the shared one would break every other test running now. */
const REGISTRY_PORT = ownRegistryPort('registryOutage');
const REGISTRY_ENV = { REGISTRY_PORT: String(REGISTRY_PORT) };
const REGISTRY_URL = `http://127.0.0.1:${REGISTRY_PORT}/apis/ccompat/v7`;
const TOTAL = 1_000;

/**
 * A TCP gate in front of the registry. An in-memory registry comes back
 * empty: a lookup between its restart and the schema's re-registration
 * would get a 404, which is a permanent answer (dead-lettered, and remembered
 * by the decoder). Real operators restore before they reopen; the test does
 * the same by keeping the gate shut (connections dropped, as in an outage)
 * until the schema is back.
 */
async function registryGate(target: number): Promise<{ url: string; open: boolean; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const gate = { url: '', open: true, close: async () => undefined as void };
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    if (!gate.open) return void client.destroy();
    const upstream = connect(target, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gate.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/apis/ccompat/v7`;
  gate.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return gate;
}

async function register(subject: string): Promise<number> {
  const registry = new SchemaRegistry({ host: REGISTRY_URL }, { [SchemaType.AVRO]: { logicalTypes } });
  return (await registry.register({ type: SchemaType.AVRO, schema: auditEventSchemaText }, { subject })).id;
}

const parkedCount = (dlq: string) =>
  withAdmin(async (admin) => (await admin.fetchTopicOffsets(dlq)).reduce((n, p) => n + Number(p.high), 0));

describe('fault: schema registry outage', () => {
  it('Avro events wait (not dead-lettered) while the registry is down, and all arrive once it is back', async () => {
    await infraScript('schema-registry.sh', 'start', REGISTRY_ENV);
    const topic = await createTopic('fault-registry', 2);
    const dlq = `${topic}.dlq`;
    const dir = tempDir();
    const file = join(dir, 'audit.log');
    let router: RouterProcess | undefined;
    const gate = await registryGate(REGISTRY_PORT);
    try {
      const subject = `${topic}-value`;
      const id = await register(subject);
      const registry = new SchemaRegistry({ host: REGISTRY_URL }, { [SchemaType.AVRO]: { logicalTypes } });
      const events = makeEvents(TOTAL, uniqueName('avro'));
      const frames = await Promise.all(events.map((e) => registry.encode(id, e)));
      await produce(
        topic,
        frames.map((value, i) => ({ value, partition: i % 2 })),
      );

      // Down before the router has ever seen the schema id: it cannot decode anything.
      await infraScript('schema-registry.sh', 'stop', REGISTRY_ENV);
      gate.open = false;
      const tree = routerConfig({ topic, groupId: uniqueName('fault-registry'), sinks: [{ name: 'archive', type: 'log', file }] });
      router = new RouterProcess(writeConfig(dir, { ...tree, schemaRegistry: { url: gate.url } }));
      await router.joined();
      const waits = () => (router!.stderr.match(/decode waits/g) ?? []).length;
      await waitFor(() => waits() >= 4, {
        what: `the router to wait out the outage a few times (${waits()} so far); stderr:\n${router.stderr.slice(-1000)}`,
        timeoutMs: 60_000,
      });
      assert.match(router.stderr, /"code":"AR_ERR_REGISTRY_UNAVAILABLE"/);
      assert.equal(await parkedCount(dlq), 0, 'nothing dead-lettered while the registry is down');
      assert.equal(countLines(file), 0, 'nothing delivered without its schema');
      assert.equal(router.child.exitCode, null, 'the router keeps running');

      // Back, in memory and empty: the same schema registered again gets the same id on a fresh registry.
      await infraScript('schema-registry.sh', 'start', REGISTRY_ENV);
      assert.equal(await register(subject), id, 'a fresh registry gives the re-registered schema the id the frames carry');
      gate.open = true;
      await waitFor(() => countLines(file) >= TOTAL, { what: `all ${TOTAL} events (have ${countLines(file)})`, timeoutMs: 60_000 });
      assert.deepEqual(new Set(logIds(file)), new Set(events.map((e) => e.id)));
      assert.equal(logIds(file).length, TOTAL, 'each exactly once');
      assert.equal(await parkedCount(dlq), 0, 'nothing dead-lettered after the outage either');
      console.log(`# registry outage: ${waits()} "decode waits" during the outage, then ${TOTAL} Avro events delivered (schema id ${id})`);
      assert.equal((await stopBounded(router)).code, 0);
    } finally {
      if (router) await stopBounded(router, 20_000);
      await gate.close();
      await infraScript('schema-registry.sh', 'stop', REGISTRY_ENV);
      await deleteTopics(topic, dlq);
    }
  });
});
