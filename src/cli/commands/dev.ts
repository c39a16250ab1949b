import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { validateConfig } from '../../config/index.js';
import { AuditRouterError } from '../../errors/index.js';
import { packageRoot } from '../../event/package-root.js';
import { createLogger } from '../../observability/logger.js';
import { createAuditPublisher } from '../../publisher/index.js';
import { RouterApp } from '../../runtime/router-app.js';
import type { AuditEvent } from '../../event/index.js';
import { localServices, runServiceScript, type ServiceScript } from '../local-services.js';
import { fail } from '../output.js';

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description(
      'try it in one command: start a local Kafka (from Maven Central, needs java and mvn), send the example events, route them to the console',
    )
    .option('--registry', 'also start the local schema registry (Apicurio) and send the events as Avro')
    .option('--topic <topic>', 'input topic', 'audit-events')
    .addHelpText(
      'after',
      [
        '',
        'Ports: the same variables as scripts/kafka.sh and scripts/schema-registry.sh, so dev connects to what it starts:',
        '  KAFKA_PORT     the broker (default 9092)',
        '  REGISTRY_PORT  the schema registry with --registry (default 8081)',
        '',
        'Ctrl-C stops the router, and the broker/registry if dev started them, also while they are starting.',
        'Send more events from another terminal:',
        '  audit-router produce --brokers 127.0.0.1:${KAFKA_PORT:-9092} --topic audit-events examples/events/demo.jsonl',
      ].join('\n'),
    )
    .action(async (opts: { registry?: boolean; topic: string }) => {
      let local: ReturnType<typeof localServices>;
      try {
        local = localServices();
      } catch (err) {
        fail(err);
      }
      const started: ServiceScript[] = [];
      let app: RouterApp | undefined;
      let stopping: Promise<void> | undefined;
      // Stops what dev started, once, whichever comes first: a signal or a failure. A service
      // still starting is included: its script takes the same lock as `stop`, so the stop waits
      // for the start to end (the script itself ends a start interrupted by Ctrl-C).
      const stopAll = (): Promise<void> =>
        (stopping ??= (async () => {
          await app?.stop();
          for (const script of [...started].reverse()) await runServiceScript(script, 'stop');
        })());
      const onSignal = () => void stopAll().then(() => process.exit(0));
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);

      try {
        const scripts: ServiceScript[] = opts.registry ? ['kafka.sh', 'schema-registry.sh'] : ['kafka.sh'];
        for (const script of scripts) {
          if (await runServiceScript(script, 'status')) continue;
          started.push(script);
          const ok = await runServiceScript(script, 'start');
          if (stopping) return;
          if (!ok) throw new AuditRouterError('AR_ERR_KAFKA_CONNECTION', `scripts/${script} start failed (see its output above)`);
        }
        const config = validateConfig({
          kafka: { brokers: local.brokers, clientId: 'audit-router-dev' },
          source: { topic: opts.topic, groupId: 'audit-router-dev', fromBeginning: true },
          ...(opts.registry ? { schemaRegistry: { url: local.registryUrl } } : {}),
          sinks: [{ name: 'console', type: 'log', events: ['*:*'], encoding: 'console', batch: { maxWaitMs: 10 } }],
          logging: { level: 'warn' },
          shutdown: { timeoutMs: 5_000 },
        });
        const logger = createLogger(process.env.AR_LOG_LEVEL ?? 'warn');
        const events = readFileSync(join(packageRoot(), 'examples', 'events', 'demo.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as AuditEvent);
        const publisher = createAuditPublisher({
          brokers: config.kafka.brokers,
          topic: opts.topic,
          ...(opts.registry ? { avro: { registryUrl: local.registryUrl } } : {}),
        });
        await publisher.publish(events);
        await publisher.close();
        if (stopping) return;
        process.stderr.write(
          `sent ${events.length} example events to ${opts.topic} on ${local.brokers.join(',')}${opts.registry ? ' as Avro' : ''}; routing to the console (Ctrl-C to stop)\n`,
        );
        const router = await RouterApp.start(config, { logger });
        if (stopping) {
          await router.stop();
          return;
        }
        app = router;
        process.stderr.write(`Kafka engine: ${router.kafkaEngine.name} ${router.kafkaEngine.version}\n`);
      } catch (err) {
        if (stopping) return;
        await stopAll();
        fail(err);
      }
    });
}
