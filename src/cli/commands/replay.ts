import type { Command } from 'commander';
import { loadConfigFile } from '../../config/index.js';
import { createLogger } from '../../observability/logger.js';
import { ReplayProgress } from '../../replay/progress.js';
import { Replay, type ReplayPlan } from '../../replay/replay.js';
import { summaryLine } from '../../replay/summary.js';
import { parseOffsetSpec, parsePartitionList } from '../offset-spec.js';
import type { OffsetSpecKind } from '../../offsets/offset-spec.js';
import { fail } from '../output.js';

interface ReplayFlags {
  config: string;
  from: string;
  to?: string;
  sink?: string;
  partitions?: string;
  deadLetter?: boolean;
}

const POSITION: OffsetSpecKind[] = ['earliest', 'latest', 'offset', 'partitions', 'time'];

/** Exit code after Ctrl-C, as shells report a SIGINT. */
const INTERRUPTED = 130;

function header(plan: ReplayPlan): string {
  const ranges = plan.ranges.map((r) => `${r.partition} [${r.from}, ${r.to})`).join(', ');
  const group = plan.total > 0 ? ` (group ${plan.groupId})` : '';
  return `replay: ${plan.topic} partitions ${ranges || '(none)'}: at most ${plan.total} events → ${plan.sinks.join(', ')}${group}\n`;
}

function createReplay(flags: ReplayFlags): Replay {
  const config = loadConfigFile(flags.config);
  return new Replay(config, {
    from: parseOffsetSpec(flags.from, '--from', POSITION),
    to: flags.to === undefined ? undefined : parseOffsetSpec(flags.to, '--to', POSITION),
    partitions: flags.partitions === undefined ? undefined : parsePartitionList(flags.partitions, '--partitions'),
    sink: flags.sink,
    deadLetterUndecodable: flags.deadLetter === true,
    // Warnings (sink retries, dead-lettering) matter here; routine info would bury the progress line.
    logger: createLogger(process.env.AR_LOG_LEVEL ?? 'warn'),
  });
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description("re-deliver a range of the input topic to its sinks (or one, --sink); the live group's offsets do not move")
    .requiredOption('-c, --config <file>', 'router config, YAML or JSON')
    .requiredOption(
      '--from <where>',
      'earliest, latest, an offset for every partition, partition:offset pairs (0:1200,2:40), or an ISO 8601 time',
    )
    .option('--to <where>', 'exclusive end, in the same forms (default: the end of each partition when the replay starts)')
    .option('--sink <name>', 'deliver to this sink only (its own rules still apply)')
    .option('--partitions <list>', 'only these partitions, e.g. 0,2')
    .option('--dead-letter', 'park undecodable messages in the dead-letter topic (default: count them only; run already parked them)')
    .addHelpText(
      'after',
      `
Events are decoded, filtered (global events + each sink's rules) and delivered exactly as
by run, with the same ids (<topic>/<partition>/<offset> for events without one), so
receivers can drop what they already have. A sink's failures are dead-lettered as in run.
It reads with its own consumer group, <groupId>.replay-<ms>, deleted at the end.

Progress goes to stderr, the summary to stdout. Ctrl-C stops reading and gives the sinks
shutdown.timeoutMs to deliver what they hold.

Exit codes: 0 the whole range was replayed, 1 config or Kafka error, 2 usage, 130 interrupted.`,
    )
    .action(async (flags: ReplayFlags) => {
      let replay: Replay;
      try {
        replay = createReplay(flags);
      } catch (err) {
        return fail(err);
      }
      const progress = new ReplayProgress(() => replay.progress());
      let signals = 0;
      const onSignal = () => {
        if (++signals > 1) process.exit(INTERRUPTED);
        replay.interrupt();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const started = performance.now();
        const plan = await replay.prepare();
        process.stderr.write(header(plan));
        progress.start();
        const complete = await replay.run();
        progress.stop();
        const seconds = (performance.now() - started) / 1000;
        process.stdout.write(summaryLine(replay.counts, plan.ranges, seconds, !complete) + '\n');
        process.exitCode = complete ? 0 : INTERRUPTED;
      } catch (err) {
        progress.stop();
        fail(err);
      }
    });
}
