import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { interpolateEnv } from './interpolate.js';
import { ConfigError, zodIssues, type ConfigIssue } from './issues.js';
import { configSchema } from './schema.js';
import { CONFIG_WORDS } from './words.js';
import type { Config } from './types.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * ${VAR} is replaced after parsing, inside string values only, so that no
 * environment value can add keys or change the document's shape. The price:
 * YAML sees an unquoted `${VAR}` first, and inside a flow mapping
 * (`{ file: ${LOGFILE} }`) its `{` opens a nested mapping and the parse fails.
 * Say so, with the fix, rather than leave YAML's "Unexpected flow-map-start".
 */
function quoteHint(line: string): string {
  const unquoted = line.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '');
  return /\$\{/.test(unquoted) && /[{[]/.test(unquoted.replace(/\$\{/g, ''))
    ? ' (quote values that use ${…} inside { } or [ ], e.g. file: "${LOGFILE}")'
    : '';
}

/** Parses YAML or JSON text (by extension; YAML is a superset, so anything else is read as YAML). */
function parseConfigText(text: string, source: string): unknown {
  if (extname(source) === '.json') {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new ConfigError('AR_ERR_CONFIG_PARSE', source, [{ path: '', message: `invalid JSON: ${(err as Error).message}` }]);
    }
  }
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // linePos is only filled with prettyErrors, whose messages span lines; count the lines up to the offset instead.
    const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
    // One issue per line: YAML's later errors on a line follow from its first.
    const byLine = new Map<number, string>();
    for (const e of doc.errors) {
      const line = e.linePos?.[0]?.line ?? lineOf(e.pos[0]);
      if (!byLine.has(line))
        byLine.set(line, `invalid YAML at line ${line}: ${e.message.split('\n')[0]}${quoteHint(text.split('\n')[line - 1] ?? '')}`);
    }
    const issues = [...byLine.values()].map((message) => ({ path: '', message }));
    throw new ConfigError('AR_ERR_CONFIG_PARSE', source, issues);
  }
  return doc.toJS();
}

/**
 * Sinks sharing a name, found on the unvalidated tree: the schema's own checks
 * of the whole file run only once every part parsed, which would hide this one
 * until, say, an unknown sink type elsewhere is fixed.
 */
function duplicateSinkNames(tree: unknown): ConfigIssue[] {
  const sinks = (tree as { sinks?: unknown }).sinks;
  if (!Array.isArray(sinks)) return [];
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  sinks.forEach((sink: unknown, i) => {
    const name = (sink as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') return;
    if (seen.has(name)) issues.push({ path: `sinks[${i}].name`, message: `duplicate sink name "${name}"` });
    seen.add(name);
  });
  return issues;
}

/**
 * Validates a parsed config tree: ${ENV} interpolation, schema, rules; every
 * problem is collected and reported in one ConfigError, then the result is frozen.
 */
export function validateConfig(tree: unknown, source = 'config', env: NodeJS.ProcessEnv = process.env): Config {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) {
    throw new ConfigError('AR_ERR_CONFIG_INVALID', source, [
      { path: '', message: 'expected a mapping at the top level (kafka:, source:, sinks: …)' },
    ]);
  }
  const issues: ConfigIssue[] = [];
  const interpolated = interpolateEnv(tree, env, issues);
  const result = configSchema.safeParse(interpolated);
  if (!result.success) {
    // An unset variable became '', which the schema then also calls too short: say it once.
    const unset = new Set(issues.map((i) => i.path));
    issues.push(...zodIssues(result.error, CONFIG_WORDS).filter((i) => !unset.has(i.path)));
  }
  issues.push(...duplicateSinkNames(interpolated));
  if (issues.length > 0 || !result.success) throw new ConfigError('AR_ERR_CONFIG_INVALID', source, issues);
  const config = result.data;
  const deadLetter = config.deadLetter ?? { topic: `${config.source.topic}.dlq` };
  return deepFreeze({ ...config, deadLetter });
}

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
    throw new ConfigError('AR_ERR_CONFIG_FILE', file, [{ path: '', message: `cannot read config file (${reason})` }]);
  }
  return validateConfig(parseConfigText(text, file), file, env);
}
