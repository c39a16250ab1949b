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
