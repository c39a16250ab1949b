import type { Command } from 'commander';
import { loadConfigFile } from '../../config/index.js';
import { createLogger } from '../../observability/logger.js';
import { redrive, type ListedRecord } from '../../replay/redrive.js';
import { EXIT, fail } from '../output.js';
import { parseTime } from '../parse-time.js';

const SHOWN = 20;

function list(title: string, records: ListedRecord[]): string[] {
  if (records.length === 0) return [];
  const lines = records.slice(0, SHOWN).map((r) => `  partition ${r.partition} offset ${r.offset}: ${r.code} ${r.message.slice(0, 160)}`);
  if (records.length > SHOWN) lines.push(`  … and ${records.length - SHOWN} more`);
  return [title, ...lines];
}

export function registerRedrive(program: Command): void {
  program
    .command('redrive')
    .description('re-send dead-lettered delivery failures to their sink (or to --sink); decode failures are listed, not re-sent')
    .requiredOption('-c, --config <file>', 'router config, YAML or JSON (its deadLetter.topic is read)')
    .option('--sink <name>', 'send every delivery failure to this sink instead of the one that failed it')
    .option('--from-sink <name>', 'only records that this sink failed')
    .option('--since <time>', 'only records dead-lettered at or after this ISO 8601 time (e.g. 2026-11-22T10:00:00Z)')
    .addHelpText(
      'after',
      `
Reads the dead-letter topic up to its current end; it does not move any consumer group.
Records stay in the topic; events that fail again are parked anew (nothing is lost).
Receivers can drop repeats: the idempotency key is the same as on the first attempt.

Exit codes: 0 everything re-sent was delivered, 1 some failed again or an error.`,
    )
    .action(async (opts: { config: string; sink?: string; fromSink?: string; since?: string }) => {
      try {
        const config = loadConfigFile(opts.config);
        const logger = createLogger(process.env.AR_LOG_LEVEL ?? 'warn');
        const started = Date.now();
        const report = await redrive(config, {
          toSink: opts.sink,
          fromSink: opts.fromSink,
          sinceMs: opts.since ? parseTime(opts.since, '--since') : undefined,
          logger,
        });
        const lines = [
          ...list(`${report.undecodable.length} decode failure(s), not re-sent:`, report.undecodable),
          ...list(`${report.skipped.length} record(s) skipped:`, report.skipped),
          `redrive: read ${report.read} record(s) from ${config.deadLetter.topic} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${report.delivered} delivered, ${report.failedAgain} failed again (parked anew), ${report.undecodable.length} undecodable, ${report.skipped.length} skipped`,
        ];
        process.stdout.write(lines.join('\n') + '\n');
        process.exitCode = report.failedAgain > 0 ? EXIT.error : EXIT.ok;
      } catch (err) {
        fail(err);
      }
    });
}
