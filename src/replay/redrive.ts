import type { Config } from '../config/index.js';
import { DLQ_HEADERS } from '../deadletter/headers.js';
import { AuditRouterError } from '../errors/index.js';
import { canonicalJson, validateAuditEvent } from '../event/index.js';
import { headerText, type BatchControl, type KafkaRecord } from '../kafka/index.js';
import type { Logger } from '../observability/logger.js';
import type { OffsetSpec } from '../offsets/offset-spec.js';
import { RangeRun, type Settled } from './range-run.js';

interface RedriveOptions {
  /** Send every delivery failure to this sink instead of the one that failed it. */
  toSink?: string | undefined;
  /** Only records dead-lettered by this sink. */
  fromSink?: string | undefined;
  sinceMs?: number | undefined;
  logger: Logger;
}

export interface ListedRecord {
  partition: number;
  offset: string;
  code: string;
  message: string;
}

interface RedriveReport {
  read: number;
  delivered: number;
  /** Failed again: parked anew at the end of the dead-letter topic, nothing lost. */
  failedAgain: number;
  /** Decode failures are listed, never re-sent: the bytes are not an event. */
  undecodable: ListedRecord[];
  /** Records whose sink is not in this config (and no --sink was given), or that are not redrivable. */
  skipped: ListedRecord[];
}

/**
 * Re-sends dead-lettered delivery failures to the sink that failed them (or
 * `toSink`): a RangeRun over the dead-letter topic, from `sinceMs` (or its
 * start) to its end at start, with the sink runners of `run`. Records stay in
 * the topic: receivers de-duplicate on the idempotency key, which is the same
 * as before.
 */
export async function redrive(config: Config, options: RedriveOptions): Promise<RedriveReport> {
  const report: RedriveReport = { read: 0, delivered: 0, failedAgain: 0, undecodable: [], skipped: [] };
  if (options.toSink && !config.sinks.some((s) => s.name === options.toSink)) {
    throw new AuditRouterError(
      'AR_ERR_USAGE',
      `--sink ${options.toSink}: no such sink in the config (have: ${config.sinks.map((s) => s.name).join(', ')})`,
    );
  }
  const run = new RangeRun(config, 'redrive', options.logger);
  const settled = (how: Settled) => (how === 'delivered' ? report.delivered++ : report.failedAgain++);

  const handle = async (partition: number, message: KafkaRecord, control: BatchControl): Promise<boolean> => {
    report.read++;
    const listed = {
      partition,
      offset: String(message.offset),
      code: headerText(message.headers, DLQ_HEADERS.code) ?? '?',
      message: headerText(message.headers, DLQ_HEADERS.message) ?? '',
    };
    const stage = headerText(message.headers, DLQ_HEADERS.stage);
    const failedSink = headerText(message.headers, DLQ_HEADERS.sink);
    if (stage === 'decode') {
      report.undecodable.push(listed);
      return true;
    }
    if (options.fromSink && failedSink !== options.fromSink) return true;
    const route = stage === 'deliver' ? await run.route(options.toSink ?? failedSink ?? '') : undefined;
    if (!route || !message.value) {
      report.skipped.push({
        ...listed,
        message: stage === 'deliver' ? `sink ${failedSink} is not in this config (use --sink)` : 'not an audit-router dead-letter record',
      });
      return true;
    }
    const event = validateAuditEvent(JSON.parse(message.value.toString('utf8')));
    const source = {
      topic: headerText(message.headers, DLQ_HEADERS.sourceTopic) ?? config.source.topic,
      partition: Number(headerText(message.headers, DLQ_HEADERS.sourcePartition) ?? partition),
      offset: headerText(message.headers, DLQ_HEADERS.sourceOffset) ?? String(message.offset),
    };
    return run.handOn([route], String(source.partition), { event, json: canonicalJson(event), key: message.key, source }, settled, control);
  };

  const from: OffsetSpec = options.sinceMs === undefined ? { kind: 'earliest' } : { kind: 'time', ms: options.sinceMs };
  await run.prepare(config.deadLetter.topic, { from }, handle);
  // Each sink gets its whole retry budget, and 10 s more, to settle what it holds.
  const budget = Math.max(10_000, ...config.sinks.map((s) => s.retry.maxElapsedMs + 10_000));
  await run.run(() => budget);
  return report;
}
