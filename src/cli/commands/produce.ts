import { createReadStream, fstatSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Option, type Command } from 'commander';
import { loadConfigFile, type Config } from '../../config/index.js';
import { AuditRouterError, toAuditRouterError } from '../../errors/index.js';
import { parseJsonEvent, type AuditEvent } from '../../event/index.js';
import { BROKER_ADDRESS, TOPIC_NAME, TOPIC_NAME_RULE } from '../../kafka/names.js';
import { createLogger } from '../../observability/logger.js';
import { maskUrlCredentials } from '../../observability/mask-url.js';
import { createAuditPublisher, type AuditPublisher, type AuditPublisherOptions, type EventKey } from '../../publisher/index.js';
import { EXIT, errorLine, fail } from '../output.js';

interface ProduceFlags {
  topic?: string;
  brokers?: string;
  config?: string;
  avro?: boolean;
  registry?: string;
  key?: string;
  onInvalid: 'skip' | 'fail';
}

interface Settings {
  topic: string;
  publisher: AuditPublisherOptions;
  key: EventKey | undefined;
}

interface InputLine {
  no: number;
  text: string;
  /** Bytes of input consumed up to and including this line. */
  bytes: number;
}

/** Events per publish(): one producer request, and how often progress moves. */
const CHUNK = 1000;
const DEFAULT_BROKERS = '127.0.0.1:9092';
const FIELD_PATH = /^[^.\s]+(\.[^.\s]+)*$/;

const usage = (message: string) => new AuditRouterError('AR_ERR_USAGE', message);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `payload.key` → the value at that path as a string; events where it is missing or not a scalar get no key. */
function keyOption(template: string | undefined): EventKey | undefined {
  if (template === undefined) return undefined;
  if (template === 'none') return null;
  if (!FIELD_PATH.test(template))
    throw usage(`--key: expected a dotted field path such as payload.key, or none; got ${JSON.stringify(template)}`);
  const path = template.split('.');
  return (event) => {
    let value: unknown = event;
    for (const name of path)
      value =
        value !== null && typeof value === 'object' && Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined;
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
  };
}

function brokerList(flag: string | undefined, config: Config | undefined): string[] {
  if (flag === undefined) return config ? [...config.kafka.brokers] : [DEFAULT_BROKERS];
  const list = flag.split(',').map((b) => b.trim());
  const bad = list.find((b) => !BROKER_ADDRESS.test(b));
  if (bad !== undefined) throw usage(`--brokers: expected host:port[,host:port…], got ${JSON.stringify(bad)}`);
  return list;
}

function avroOption(flags: ProduceFlags, config: Config | undefined): AuditPublisherOptions['avro'] {
  if (!flags.avro) {
    if (flags.registry !== undefined) throw usage('--registry is only used with --avro');
    return undefined;
  }
  if (flags.registry !== undefined) {
    if (!URL.canParse(flags.registry) || !/^https?:$/.test(new URL(flags.registry).protocol))
      throw usage(`--registry: expected an http(s) URL, got ${JSON.stringify(maskUrlCredentials(flags.registry))}`);
    return { registryUrl: flags.registry };
  }
  const registry = config?.schemaRegistry;
  if (!registry) throw usage('--avro needs --registry <url>, or schemaRegistry.url in the config given with -c');
  return { registryUrl: registry.url, username: registry.username, password: registry.password };
}

function resolveSettings(flags: ProduceFlags): Settings {
  const config = flags.config === undefined ? undefined : loadConfigFile(flags.config);
  const topic = flags.topic ?? config?.source.topic;
  if (topic === undefined) throw usage('--topic is required (or -c with a config whose source.topic is used)');
  if (!TOPIC_NAME.test(topic)) throw usage(`--topic: ${JSON.stringify(topic)} is not a Kafka topic name (${TOPIC_NAME_RULE})`);
  const publisher: AuditPublisherOptions = {
    ...config?.kafka,
    brokers: brokerList(flags.brokers, config),
    topic,
    avro: avroOption(flags, config),
    // The one-line error says what failed; the client's own retries log only when asked (AR_LOG_LEVEL).
    logger: createLogger(process.env.AR_LOG_LEVEL ?? 'silent'),
  };
  return { topic, publisher, key: keyOption(flags.key) };
}

/** The input's size when it is a regular file (named, or redirected to stdin), for a percentage. */
function inputSize(file: string): number | undefined {
  try {
    const stat = file === '-' ? fstatSync(0) : statSync(file);
    return stat.isFile() ? stat.size : undefined;
  } catch (err) {
    if (file === '-') return undefined;
    const code = (err as NodeJS.ErrnoException).code;
    throw new AuditRouterError('AR_ERR_INPUT_FILE', `${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}`);
  }
}

/** Non-blank lines, numbered from 1 as an editor shows them, read as a stream so input size is not bounded by memory. */
async function* inputLines(file: string): AsyncGenerator<InputLine> {
  const input = file === '-' ? process.stdin : createReadStream(file);
  let no = 0;
  let bytes = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    no += 1;
    bytes += Buffer.byteLength(line) + 1;
    const text = no === 1 ? line.replace(/^\uFEFF/, '') : line;
    if (text.trim() !== '') yield { no, text, bytes };
  }
}

/** One updating line on a terminal; nothing when stderr is a file or pipe, so logs stay clean. */
class Progress {
  private readonly enabled = process.stderr.isTTY === true;
  private shown = false;
  private lastDraw = 0;

  constructor(private readonly startedAt: number) {}

  update(produced: number, fraction: number | undefined): void {
    const now = performance.now();
    if (!this.enabled || now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const rate = Math.round(produced / Math.max((now - this.startedAt) / 1000, 0.001));
    const percent = fraction === undefined ? '' : ` (${Math.min(100, Math.floor(fraction * 100))}%)`;
    process.stderr.write(`\rproduced ${produced} events${percent}, ${rate} events/s\x1b[K`);
    this.shown = true;
  }

  /** Before any other stderr output, so it does not land on the progress line. */
  clear(): void {
    if (this.shown) process.stderr.write('\r\x1b[K');
    this.shown = false;
  }
}

class ProduceRun {
  produced = 0;
  invalid = 0;
  private firstInvalidCode: AuditRouterError['code'] | undefined;
  readonly startedAt = performance.now();
  readonly progress = new Progress(this.startedAt);

  constructor(
    private readonly publisher: AuditPublisher,
    private readonly settings: Settings,
  ) {}

  /** The event on the line, or undefined after reporting why it is not one. */
  parse(line: InputLine): AuditEvent | undefined {
    try {
      return parseJsonEvent(line.text);
    } catch (err) {
      const e = toAuditRouterError(err);
      this.invalid += 1;
      this.firstInvalidCode ??= e.code;
      this.progress.clear();
      process.stderr.write(`line ${line.no}: ${e.code} ${e.message}\n`);
      return undefined;
    }
  }

  async send(events: AuditEvent[], fraction: number | undefined): Promise<void> {
    await this.publisher.publish(events, this.settings.key === undefined ? {} : { key: this.settings.key });
    this.produced += events.length;
    this.progress.update(this.produced, fraction);
  }

  /** --on-invalid skip: send as lines arrive, so memory stays flat however long the input. */
  async streamAll(file: string, size: number | undefined): Promise<void> {
    let chunk: AuditEvent[] = [];
    let bytes = 0;
    for await (const line of inputLines(file)) {
      bytes = line.bytes;
      const event = this.parse(line);
      if (event) chunk.push(event);
      if (chunk.length >= CHUNK) {
        await this.send(chunk, size ? bytes / size : undefined);
        chunk = [];
      }
    }
    if (chunk.length > 0) await this.send(chunk, size ? bytes / size : undefined);
  }

  /** --on-invalid fail: every line is checked before the first is sent. Returns false when some were invalid. */
  async validateThenSend(file: string): Promise<boolean> {
    const events: AuditEvent[] = [];
    for await (const line of inputLines(file)) {
      const event = this.parse(line);
      if (event) events.push(event);
    }
    if (this.invalid > 0) return false;
    for (let i = 0; i < events.length; i += CHUNK) await this.send(events.slice(i, i + CHUNK), (i + CHUNK) / events.length);
    return true;
  }

  summary(sentAnything: boolean): string {
    const seconds = ((performance.now() - this.startedAt) / 1000).toFixed(1);
    const invalid = sentAnything
      ? `${plural(this.invalid, 'invalid line')} skipped`
      : `${plural(this.invalid, 'invalid line')}, nothing sent`;
    return `produced ${plural(this.produced, 'event')} to ${this.settings.topic} (${invalid}) in ${seconds}s`;
  }

  rejectedInput(): AuditRouterError {
    return new AuditRouterError(
      this.firstInvalidCode ?? 'AR_ERR_DECODE_SCHEMA',
      `${plural(this.invalid, 'invalid line')} in the input; nothing was sent (--on-invalid fail)`,
    );
  }
}

async function produce(file: string, flags: ProduceFlags): Promise<void> {
  let settings: Settings;
  let size: number | undefined;
  try {
    settings = resolveSettings(flags);
    size = inputSize(file);
  } catch (err) {
    return fail(err);
  }
  if (file === '-' && process.stdin.isTTY) process.stderr.write('reading events from stdin, one JSON object per line (Ctrl-D to end)\n');
  const publisher = createAuditPublisher(settings.publisher);
  const run = new ProduceRun(publisher, settings);
  let failure: unknown;
  let accepted = true;
  try {
    if (flags.onInvalid === 'fail') accepted = await run.validateThenSend(file);
    else await run.streamAll(file, size);
  } catch (err) {
    failure = err;
  } finally {
    await publisher.close().catch(() => undefined);
  }
  run.progress.clear();
  if (failure !== undefined) {
    // stdout carries the result; a run that failed has none. What did get out still matters to whoever retries.
    if (run.produced > 0) process.stderr.write(`${run.summary(accepted)} before the error\n`);
    fail(failure);
  }
  process.stdout.write(run.summary(accepted) + '\n');
  if (!accepted) {
    process.stderr.write(errorLine(run.rejectedInput()) + '\n');
    process.exitCode = EXIT.error;
  }
}

export function registerProduce(program: Command): void {
  program
    .command('produce')
    .description('validate audit events (JSON lines) and write them to a Kafka topic, as JSON or Confluent-framed Avro')
    .argument('[file]', 'JSON lines, one event per line (blank lines ignored); - for stdin', '-')
    .option('-t, --topic <topic>', 'topic to write to (default: source.topic of the -c config)')
    .option('-b, --brokers <list>', `comma-separated host:port list (default: kafka.brokers of the -c config, else ${DEFAULT_BROKERS})`)
    .option('-c, --config <file>', 'router config to take kafka settings (TLS, SASL), source.topic and schemaRegistry from')
    .option('--avro', 'write Confluent-framed Avro, registering schemas/audit-event.avsc under <topic>-value')
    .option('--registry <url>', 'schema registry for --avro (default: schemaRegistry.url of the -c config)')
    .option(
      '--key <path>',
      'message key: a dotted field path such as payload.key, or none (default: <payload.namespace_key>/<type>/<payload.key>)',
    )
    .addOption(
      new Option('--on-invalid <mode>', 'skip: report invalid lines and send the rest; fail: send nothing if any line is invalid')
        .choices(['skip', 'fail'])
        .default('skip'),
    )
    .addHelpText(
      'after',
      `
Examples:
  audit-router produce --topic audit-events events.jsonl
  cat events.jsonl | audit-router produce -c router.yaml --avro --key payload.key --on-invalid fail -

Invalid lines are listed on stderr as "line 7: AR_ERR_DECODE_SCHEMA timestamp: expected a string, got a number".
When every batch was sent, the last line on stdout says how many events were produced, to which topic, and in
how long; after a Kafka or registry error stdout stays empty and stderr ends with the error.

Exit codes: 0 every valid line was sent (invalid ones skipped), 1 a Kafka, registry or input error
(one line on stderr), or invalid lines with --on-invalid fail (nothing sent), 2 usage.
Kafka client logs are off; set AR_LOG_LEVEL=debug to see them.`,
    )
    .action((file: string, flags: ProduceFlags) => produce(file, flags));
}
