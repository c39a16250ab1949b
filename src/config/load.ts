import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { interpolateEnv } from './interpolate.js';
import { ConfigError, zodIssues, type ConfigIssue } from './issues.js';
import { configSchema } from './schema.js';
import type { Config } from './types.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Parses YAML or JSON text (by extension; YAML is a superset, so anything else is read as YAML). */
export function parseConfigText(text: string, source: string): unknown {
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
    const issues = doc.errors.map((e) => ({ path: '', message: `invalid YAML at line ${e.linePos?.[0]?.line ?? lineOf(e.pos[0])}: ${e.message.split('\n')[0]}` }));
    throw new ConfigError('AR_ERR_CONFIG_PARSE', source, issues);
  }
  return doc.toJS();
}

/**
 * Validates a parsed config tree: ${ENV} interpolation, schema, rules; every
 * problem is collected and reported in one ConfigError, then the result is frozen.
 */
export function validateConfig(tree: unknown, source = 'config', env: NodeJS.ProcessEnv = process.env): Config {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) {
    throw new ConfigError('AR_ERR_CONFIG_INVALID', source, [{ path: '', message: 'expected a mapping at the top level (kafka:, source:, sinks: …)' }]);
  }
  const issues: ConfigIssue[] = [];
  const interpolated = interpolateEnv(tree, env, issues);
  const result = configSchema.safeParse(interpolated);
  if (!result.success) {
    // An unset variable became '', which the schema then also calls too short: say it once.
    const unset = new Set(issues.map((i) => i.path));
    issues.push(...zodIssues(result.error).filter((i) => !unset.has(i.path)));
  }
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
