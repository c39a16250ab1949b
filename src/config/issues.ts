import type { z } from 'zod';
import { AuditRouterError, type ErrorCode } from '../errors/index.js';

export interface ConfigIssue {
  /** `sinks[0].url`, `kafka.brokers[1]`, or '' for the whole file. */
  path: string;
  message: string;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** What a value at a path is, for messages: keyed by path with list indexes as `[]` (`sinks[].name`). */
export type PathWords = Readonly<Record<string, string>>;

const TYPE_WORDS: Record<string, string> = {
  array: 'a list',
  object: 'a mapping',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  undefined: 'nothing',
  null: 'null',
};

/**
 * Zod's issues as ours: dotted paths, unknown keys named rather than
 * "Unrecognized key(s)", and zod's generic wording ("Invalid input: expected
 * string, received undefined") said in the project's words: what is missing,
 * or what was expected and what was found, using `words` where a path has them.
 */
export function zodIssues(error: z.ZodError, words: PathWords = {}): ConfigIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issueMessage(issue, words[wordsKey(issue.path)]) }));
}

function issueMessage(issue: z.core.$ZodIssue, what: string | undefined): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_type': {
      const expected = what ?? TYPE_WORDS[issue.expected] ?? issue.expected;
      const received = /received (\w+)$/.exec(issue.message)?.[1];
      if (received === 'undefined') return `required (${expected})`;
      return `expected ${expected}, got ${received ? (TYPE_WORDS[received] ?? received) : 'something else'}`;
    }
    case 'too_small':
      if (issue.origin === 'array' && Number(issue.minimum) === 1) return `needs at least one entry${what ? ` (${what})` : ''}`;
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return `must not be empty${what ? ` (${what})` : ''}`;
      if (issue.origin === 'number') return `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${issue.minimum}`;
      return issue.message;
    case 'too_big':
      if (issue.origin === 'number') return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${issue.maximum}`;
      return issue.message;
    default:
      return issue.message;
  }
}

function wordsKey(path: readonly PropertyKey[]): string {
  return formatPath(path.map((p) => (typeof p === 'number' ? -1 : p))).replaceAll('[-1]', '[]');
}

/** All problems of one config, reported together. */
export class ConfigError extends AuditRouterError {
  override readonly issues: readonly ConfigIssue[];

  constructor(code: ErrorCode, source: string, issues: readonly ConfigIssue[]) {
    const lines = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
    super(code, `${source}: ${lines.join('; ')}`, { path: issues[0]?.path });
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
