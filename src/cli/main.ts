import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { packageRoot } from '../event/package-root.js';
import { registerProduce } from './commands/produce.js';
import { registerDestinations } from './commands/destinations.js';
import { registerDev } from './commands/dev.js';
import { registerKeygen } from './commands/keygen.js';
import { registerOffsets } from './commands/offsets.js';
import { registerRedrive } from './commands/redrive.js';
import { registerReplay } from './commands/replay.js';
import { registerRun } from './commands/run.js';
import { registerTestRoute } from './commands/test-route.js';
import { registerValidateConfig } from './commands/validate-config.js';
import { registerVerify } from './commands/verify.js';
import { EXIT, fail, usageLine } from './output.js';

const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;

function buildProgram(): Command {
  const program = new Command('audit-router')
    .description(
      'Route audit events ("who did what to which entity") from a Kafka topic to webhooks, log files and topics, at least once.\n' +
        'Events are validated against schemas/audit-event.avsc and filtered by noun:verb rules (flag:created, *:deleted, flag:*, *:*).',
    )
    .version(version, '-V, --version')
    // Commander's parse errors ("unknown option '--x'") get the same one-line shape as every other error.
    .configureOutput({ outputError: (message, write) => write(usageLine(message)) })
    .exitOverride();
  registerRun(program);
  registerDev(program);
  registerRedrive(program);
  registerDestinations(program);
  registerReplay(program);
  registerOffsets(program);
  registerValidateConfig(program);
  registerTestRoute(program);
  registerProduce(program);
  registerKeygen(program);
  registerVerify(program);
  program.addHelpText('after', '\nErrors are printed as one line with a stable code (AR_ERR_…); the README lists every code.');
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0; usage errors were already printed.
      process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
    }
    fail(err);
  }
}
