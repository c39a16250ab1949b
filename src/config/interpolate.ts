import { formatPath, type ConfigIssue } from './issues.js';

const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` (and `${NAME:-default}`) in every string of a parsed
 * config tree; `$$` is a literal `$`. Unset variables are collected as issues
 * at the path where they were used. Values are never echoed: they are secrets.
 */
export function interpolateEnv(tree: unknown, env: NodeJS.ProcessEnv, issues: ConfigIssue[], path: PropertyKey[] = []): unknown {
  if (typeof tree === 'string') {
    return tree.replace(REFERENCE, (whole, name: string | undefined, fallback: string | undefined) => {
      if (whole === '$$') return '$';
      const value = env[name!];
      if (value !== undefined && value !== '') return value;
      if (fallback !== undefined) return fallback;
      issues.push({ path: formatPath(path), message: `environment variable ${name} is not set` });
      return '';
    });
  }
  if (Array.isArray(tree)) return tree.map((item, i) => interpolateEnv(item, env, issues, [...path, i]));
  if (tree !== null && typeof tree === 'object') {
    // fromEntries defines keys: an assignment would turn a `__proto__` key into a prototype, hiding it from the schema.
    return Object.fromEntries(Object.entries(tree).map(([key, value]) => [key, interpolateEnv(value, env, issues, [...path, key])]));
  }
  return tree;
}
