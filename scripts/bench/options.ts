/** The bench's command line, parsed once. See scripts/bench.ts for the usage line. */
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const args = process.argv.slice(2);
export const flag = (name: string) => args.includes(`--${name}`);
export const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};

export const quick = flag('quick');
export const N = Number(option('events') ?? (quick ? 50_000 : 1_000_000));
export const selected = new Set((option('scenarios') ?? 'a,b,c,d,logfile,latency').split(','));
/** Both engines by default, in this order within each scenario; one that cannot load is reported and skipped. */
export const requestedEngines = (option('engines') ?? 'kafkajs,librdkafka').split(',');
export const profile = flag('profile');
export const brokersArg = option('brokers') ?? process.env.KAFKA_BROKERS;
export const brokers = (brokersArg ?? `127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`).split(',');
export const REGISTRY = process.env.SCHEMA_REGISTRY_URL ?? `http://127.0.0.1:${process.env.REGISTRY_PORT ?? 8081}/apis/ccompat/v7`;
export const PARTITIONS = 6;
/** Names this run's topics, groups and files, so runs never read each other's data. */
export const run = Date.now().toString(36);
export const command = args.length > 0 ? `npm run bench -- ${args.join(' ')}` : 'npm run bench';

export const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
