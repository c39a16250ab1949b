import type { Command } from 'commander';
import { loadConfigFile } from '../../config/index.js';
import { createLogger } from '../../observability/logger.js';
import { RouterApp } from '../../runtime/router-app.js';
import { errorLine, fail } from '../output.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('consume the source topic and route every event to its sinks until stopped (SIGINT/SIGTERM)')
    .requiredOption('-c, --config <file>', 'router config, YAML or JSON (see examples/router.yaml)')
    .addHelpText(
      'after',
      `
On SIGINT or SIGTERM it stops fetching, lets sinks deliver what they hold (at most
shutdown.timeoutMs, default 15 s), commits, and exits 0. Events not acknowledged by
then are read again on the next start: delivery is at least once.

Exit codes: 0 stopped cleanly, 1 config or connection error (one line on stderr).
Logs: JSON lines on stderr; level from logging.level or AR_LOG_LEVEL.`,
    )
    .action(async (opts: { config: string }) => {
      const config = (() => {
        try {
          return loadConfigFile(opts.config);
        } catch (err) {
          return fail(err);
        }
      })();
      const logger = createLogger(process.env.AR_LOG_LEVEL ?? config.logging.level);
      // Handlers go in before connecting: a SIGTERM during start-up must still end in a clean exit.
      let app: RouterApp | undefined;
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        if (++signals > 1 || !app) {
          logger.warn(`${signal}: exiting ${app ? 'without waiting for sinks' : 'during start-up'}`);
          process.exit(app ? 130 : 0);
        }
        logger.info(`${signal} received`);
        void app.stop().then(() => process.exit(0));
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        app = await RouterApp.start(config, { logger });
      } catch (err) {
        return fail(err);
      }
      app.on('fatal', (err) => {
        process.stderr.write(errorLine(err) + '\n');
        void app!.stop().finally(() => process.exit(1));
      });
    });
}
