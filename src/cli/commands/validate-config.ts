import type { Command } from 'commander';
import { ConfigError, loadConfigFile } from '../../config/index.js';
import { configIssueLines, EXIT, fail } from '../output.js';

export function registerValidateConfig(program: Command): void {
  program
    .command('validate-config')
    .description('check a config file without connecting to anything; lists every problem with its path')
    .requiredOption('-c, --config <file>', 'router config, YAML or JSON')
    .addHelpText('after', '\nExit codes: 0 valid, 1 invalid (one line per problem on stderr).')
    .action((opts: { config: string }) => {
      try {
        const config = loadConfigFile(opts.config);
        process.stdout.write(
          `${opts.config}: valid (${config.sinks.length} sink${config.sinks.length === 1 ? '' : 's'}: ${config.sinks.map((s) => `${s.name} [${s.type}]`).join(', ')})\n`,
        );
      } catch (err) {
        if (!(err instanceof ConfigError)) fail(err);
        process.stderr.write(
          `audit-router: error ${err.code}: ${opts.config} has ${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}\n`,
        );
        process.stderr.write(configIssueLines(err).join('\n') + '\n');
        process.exitCode = EXIT.error;
      }
    });
}
