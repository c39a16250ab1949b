import { AuditRouterError } from '../errors/index.js';

/** An ISO 8601 time on the command line → ms since epoch, or a usage error naming the option. */
export function parseTime(value: string, option: string): number {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) {
    throw new AuditRouterError(
      'AR_ERR_USAGE',
      `${option} ${JSON.stringify(value)}: expected an ISO 8601 time such as 2026-11-22T10:00:00Z`,
    );
  }
  return ms;
}
