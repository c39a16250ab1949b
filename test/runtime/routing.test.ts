import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { validateConfig } from '../../src/config/index.js';
import { auditEventSchemaText } from '../../src/event/index.js';
import { silentLogger } from '../../src/observability/logger.js';
import { RouterApp } from '../../src/runtime/router-app.js';
import { makeEvent, referenceEvents } from '../helpers/events.js';
import { committedOffsets, createTopic, deleteTopics, produce, registryUrl, withAdmin } from '../helpers/kafka.js';
import { idsIn } from '../helpers/log-files.js';
import { uniqueName } from '../helpers/names.js';
import { routerConfig, tempDir } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';

const filters = JSON.parse(readFileSync(new URL('../fixtures/reference-filters.json', import.meta.url), 'utf8')) as {
  nouns: string[];
  verbs: string[];
  examples: string[];
};

/** Every noun:verb of the reference vocabulary once (id = the pair), plus the reference example events. */
function corpus() {
  const events = filters.nouns.flatMap((noun) =>
    filters.verbs.map((verb) => makeEvent({ id: `${noun}:${verb}`, type: noun, action: verb })),
  );
  const examples = Object.entries(referenceEvents).map(([name, e]) => ({ ...e, id: `example-${name}` }));
  return [...events, ...examples] as { id: string; type: string; action: string }[];
}

function expectedIds(rule: string): string[] {
  const [n, v] = rule.split(':');
  return corpus()
    .filter((e) => (n === '*' || n === e.type) && (v === '*' || v === e.action))
    .map((e) => e.id)
    .sort();
}

async function routeThroughRouter(encode: (events: ReturnType<typeof corpus>, topic: string) => Promise<void>) {
  const topic = await createTopic('routing', 3);
  const groupId = uniqueName('routing-group');
  const dir = tempDir();
  const sinkFile = (rule: string) => join(dir, `${rule.replace(/\*/g, 'any').replace(':', '-')}.log`);
  const config = validateConfig(
    routerConfig({
      topic,
      groupId,
      sinks: filters.examples.map((rule, i) => ({
        name: `sink${i}`,
        type: 'log',
        events: [rule],
        file: sinkFile(rule),
        batch: { maxWaitMs: 10 },
      })),
    }),
  );
  const app = await RouterApp.start(config, { logger: silentLogger() });
  try {
    await encode(corpus(), topic);
    for (const rule of filters.examples) {
      await waitFor(() => idsIn(sinkFile(rule)).length >= expectedIds(rule).length, { what: `events for ${rule}` });
    }
    // Everything settled and committed: nothing more can arrive, so equality is exact.
    const high = await withAdmin((admin) => admin.fetchTopicOffsets(topic));
    await waitFor(
      async () => {
        const committed = await committedOffsets(groupId, topic);
        return high.every((p) => committed.get(p.partition) === p.high);
      },
      { what: 'offsets committed to the end' },
    );
    for (const rule of filters.examples) {
      assert.deepEqual(idsIn(sinkFile(rule)).sort(), expectedIds(rule), `sink with events [${rule}]`);
    }
  } finally {
    await app.stop();
    await deleteTopics(topic, config.deadLetter.topic);
  }
}

describe('routing by the reference filter examples', () => {
  it('JSON input reaches exactly the sinks whose rules match', async () => {
    await routeThroughRouter((events, topic) =>
      produce(
        topic,
        events.map((e) => ({ value: JSON.stringify(e) })),
      ),
    );
  });

  describe('Avro input through the registry', () => {
    let registry: SchemaRegistry;
    before(() => {
      registry = new SchemaRegistry({ host: registryUrl() });
    });

    it('Confluent-framed Avro from another producer routes the same way', async () => {
      await routeThroughRouter(async (events, topic) => {
        const { id } = await registry.register({ type: SchemaType.AVRO, schema: auditEventSchemaText }, { subject: `${topic}-value` });
        // A foreign producer knows no logical types: its payload is JSON text, as the schema's doc says.
        const frames = await Promise.all(
          events.map((e) =>
            registry.encode(id, { status: 'success', ...e, payload: JSON.stringify((e as { payload?: unknown }).payload ?? null) }),
          ),
        );
        await produce(
          topic,
          frames.map((value) => ({ value })),
        );
      });
    });
  });
});
