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

/** Zod's issues as ours: dotted paths, and unknown keys named rather than "Unrecognized key(s)". */
export function zodIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath(issue.path),
    message: issue.code === 'unrecognized_keys' ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}` : issue.message,
  }));
}

/** All problems of one config, reported together. */
export class ConfigError extends AuditRouterError {
  readonly issues: readonly ConfigIssue[];

  constructor(code: ErrorCode, source: string, issues: readonly ConfigIssue[]) {
    const lines = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
    super(code, `${source}: ${lines.join('; ')}`, { path: issues[0]?.path });
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
