import { spawnSync } from 'node:child_process';
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
import { fail } from '../output.js';

/** Runs one of the project's service scripts; true when it succeeded. */
function service(script: 'kafka.sh' | 'schema-registry.sh', action: 'start' | 'stop' | 'status'): boolean {
  const result = spawnSync('bash', [join(packageRoot(), 'scripts', script), action], { stdio: action === 'status' ? 'ignore' : 'inherit' });
  return result.status === 0;
}

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('try it in one command: start a local Kafka (from Maven Central, needs java and mvn), send the example events, route them to the console')
    .option('--registry', 'also start the local schema registry (Apicurio) and send the events as Avro')
    .option('--topic <topic>', 'input topic', 'audit-events')
    .addHelpText('after', '\nCtrl-C stops the router, and the broker/registry if dev started them.\nSend more events from another terminal:\n  audit-router produce --topic audit-events examples/events/demo.jsonl')
    .action(async (opts: { registry?: boolean; topic: string }) => {
      const started: ('kafka.sh' | 'schema-registry.sh')[] = [];
      const scripts: ('kafka.sh' | 'schema-registry.sh')[] = opts.registry ? ['kafka.sh', 'schema-registry.sh'] : ['kafka.sh'];
      for (const script of scripts) {
        if (service(script, 'status')) continue;
        if (!service(script, 'start')) fail(new AuditRouterError('AR_ERR_KAFKA_CONNECTION', `scripts/${script} start failed (see its output above)`));
        started.push(script);
      }
      const registryUrl = 'http://127.0.0.1:8081/apis/ccompat/v7';
      const config = validateConfig({
        kafka: { brokers: ['127.0.0.1:9092'], clientId: 'audit-router-dev' },
        source: { topic: opts.topic, groupId: 'audit-router-dev', fromBeginning: true },
        ...(opts.registry ? { schemaRegistry: { url: registryUrl } } : {}),
        sinks: [{ name: 'console', type: 'log', events: ['*:*'], encoding: 'console', batch: { maxWaitMs: 10 } }],
        logging: { level: 'warn' },
        shutdown: { timeoutMs: 5_000 },
      });
      const logger = createLogger(process.env.AR_LOG_LEVEL ?? 'warn');
      const stopAll = async (app?: RouterApp) => {
        await app?.stop();
        for (const script of started.reverse()) service(script, 'stop');
      };
      try {
        const events = readFileSync(join(packageRoot(), 'examples', 'events', 'demo.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEvent);
        const publisher = createAuditPublisher({ brokers: config.kafka.brokers, topic: opts.topic, ...(opts.registry ? { avro: { registryUrl } } : {}) });
        await publisher.publish(events);
        await publisher.close();
        process.stderr.write(`sent ${events.length} example events to ${opts.topic}${opts.registry ? ' as Avro' : ''}; routing to the console (Ctrl-C to stop)\n`);
        const app = await RouterApp.start(config, { logger });
        process.stderr.write(`Kafka engine: ${app.kafkaEngine.name} ${app.kafkaEngine.version}\n`);
        const onSignal = () => void stopAll(app).then(() => process.exit(0));
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
      } catch (err) {
        await stopAll();
        fail(err);
      }
    });
}
