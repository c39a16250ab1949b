import type { Command } from 'commander';
import { loadConfigFile, type Config } from '../../config/index.js';
import { AuditRouterError } from '../../errors/index.js';
import { createKafkaEngine, describeKafkaError } from '../../kafka/index.js';
import { createLogger } from '../../observability/logger.js';
import { groupLag, lagWith, type LagRow } from '../../offsets/group-lag.js';
import { lagTable } from '../../offsets/lag-table.js';
import { assertGroupInactive, setGroupOffsets } from '../../offsets/reset.js';
import { resolveOffsets } from '../../offsets/resolve-offsets.js';
import { topicWatermarks } from '../../offsets/watermarks.js';
import { parseOffsetSpec } from '../offset-spec.js';
import type { OffsetSpec } from '../../offsets/offset-spec.js';
import { fail } from '../output.js';

interface OffsetsFlags {
  config: string;
  resetTo?: string;
  yes?: boolean;
}

function table(title: string, rows: readonly LagRow[], config: Config): string {
  const note = rows.some((r) => r.committed === undefined)
    ? `\n(- = nothing committed: the group starts at the ${config.source.fromBeginning ? 'earliest' : 'latest'} offset, per source.fromBeginning)`
    : '';
  return `${title}\n${lagTable(rows)}${note}\n`;
}

async function offsets(config: Config, flags: OffsetsFlags, spec: OffsetSpec | undefined): Promise<void> {
  const { topic, groupId, fromBeginning } = config.source;
  // Silent unless asked: a failure is reported as one line below, not as the client's retry chatter.
  const engine = await createKafkaEngine(config.kafka, createLogger(process.env.AR_LOG_LEVEL ?? 'silent'));
  const admin = engine.admin({ clientIdSuffix: 'offsets' });
  try {
    await admin.connect();
    const marks = await topicWatermarks(admin, topic);
    const before = await groupLag(admin, groupId, topic, marks, fromBeginning);
    if (!spec) {
      process.stdout.write(table(`group ${groupId} on ${topic}:`, before, config));
      return;
    }
    await assertGroupInactive(admin, groupId);
    const targets = await resolveOffsets(admin, topic, spec, marks, '--reset-to');
    process.stdout.write(table(`group ${groupId} on ${topic}, before:`, before, config));
    if (!flags.yes) {
      const planned = lagWith(marks, targets, before, fromBeginning);
      process.stdout.write(table(`after --reset-to ${flags.resetTo} (dry run):`, planned, config));
      process.stdout.write('dry run: nothing changed; add --yes to reset the offsets\n');
      return;
    }
    await setGroupOffsets(engine, admin, groupId, topic, targets);
    const after = await groupLag(admin, groupId, topic, marks, fromBeginning);
    process.stdout.write(table(`after --reset-to ${flags.resetTo}:`, after, config));
    process.stdout.write(`reset group ${groupId} on ${topic} to ${flags.resetTo}\n`);
  } finally {
    await admin.close();
  }
}

export function registerOffsets(program: Command): void {
  program
    .command('offsets')
    .description("show the live consumer group's lag per partition; --reset-to moves its committed offsets")
    .requiredOption('-c, --config <file>', 'router config, YAML or JSON (source.topic and source.groupId are used)')
    .option('--reset-to <where>', 'earliest, latest, or an ISO 8601 time (the first offset at or after it)')
    .option('--yes', 'apply --reset-to; without it, only show what would change')
    .addHelpText(
      'after',
      `
Columns: committed offset, end (high watermark), lag = end - committed.
A reset is refused while any process is in the group (stop every router first):
they would keep their positions and commit over it. Events past the new offsets
are delivered again after a reset backwards; receivers de-duplicate on the event id.

Exit codes: 0 shown or reset, 1 the group is in use or a Kafka error, 2 usage.`,
    )
    .action(async (flags: OffsetsFlags) => {
      let config: Config;
      let spec: OffsetSpec | undefined;
      try {
        config = loadConfigFile(flags.config);
        if (flags.yes && flags.resetTo === undefined)
          throw new AuditRouterError('AR_ERR_USAGE', '--yes applies a reset: give --reset-to too');
        spec = flags.resetTo === undefined ? undefined : parseOffsetSpec(flags.resetTo, '--reset-to', ['earliest', 'latest', 'time']);
      } catch (err) {
        return fail(err);
      }
      try {
        await offsets(config, flags, spec);
      } catch (err) {
        fail(describeKafkaError(err, config.kafka));
      }
    });
}
