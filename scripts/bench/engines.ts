/** Which Kafka engines this run can measure: both by default, never silently fewer. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { log, root } from './options.js';

export type EngineName = 'kafkajs' | 'librdkafka';
const KNOWN: readonly string[] = ['kafkajs', 'librdkafka'];

export interface EngineSet {
  /** Engines to run, in the order each scenario runs them. */
  engines: EngineName[];
  /** Engine name → its version as the router would report it. */
  versions: Partial<Record<EngineName, string>>;
  /** Engine name → why it is not measured in this run (printed, and written into results and the doc). */
  skipped: Partial<Record<EngineName, string>>;
}

/**
 * Loads each engine the way the router will (the built `createKafkaEngine` with
 * kafka.engine forced), in a child process so a native module that crashes on
 * load cannot take the bench down. No connection is made.
 */
function probe(engine: EngineName): { version: string } | { error: string } {
  const url = pathToFileURL(join(root, 'dist', 'src', 'kafka', 'index.js')).href;
  const logger = pathToFileURL(join(root, 'dist', 'src', 'observability', 'logger.js')).href;
  const code = `const { createKafkaEngine } = await import(${JSON.stringify(url)});
const { silentLogger } = await import(${JSON.stringify(logger)});
try { const e = await createKafkaEngine({ brokers: ['127.0.0.1:1'], engine: ${JSON.stringify(engine)} }, silentLogger()); console.log(JSON.stringify({ version: e.name + ' ' + e.version })); }
catch (err) { console.log(JSON.stringify({ error: String(err.message).split('\\n')[0] })); }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as { version: string } | { error: string };
  } catch {
    return { error: `loading it ended with status ${r.status ?? r.signal}: ${r.stderr.trim().split('\n')[0] ?? ''}` };
  }
}

export function resolveEngines(requested: string[]): EngineSet {
  const set: EngineSet = { engines: [], versions: {}, skipped: {} };
  for (const name of requested) {
    if (!KNOWN.includes(name)) throw new Error(`--engines: ${JSON.stringify(name)} is not one of ${KNOWN.join(', ')}`);
    const engine = name as EngineName;
    const result = probe(engine);
    if ('version' in result) {
      set.engines.push(engine);
      set.versions[engine] = result.version;
    } else {
      // Relative to the checkout: the reason goes into the committed doc, where this machine's paths mean nothing.
      set.skipped[engine] = result.error.replaceAll(root, '');
      log(`ENGINE SKIPPED: ${engine} cannot be loaded, so this run measures ${requested.filter((e) => e !== engine).join(', ') || 'nothing'} only: ${set.skipped[engine]}`);
    }
  }
  if (set.engines.length === 0) throw new Error(`--engines ${requested.join(',')}: none of them can be loaded (see README "Kafka engines")`);
  log(`engines: ${set.engines.map((e) => set.versions[e]).join(', ')}`);
  return set;
}
