import { ConfigError } from '../config/index.js';
import { AuditRouterError, toAuditRouterError } from '../errors/index.js';
import { maskUrlCredentials } from '../observability/mask-url.js';

/** Exit codes: 0 ok, 1 a reported error (config, input, connection), 2 usage, 70 a bug (EX_SOFTWARE). */
export const EXIT = { ok: 0, error: 1, usage: 2, internal: 70 } as const;

/**
 * The one line the CLI prints for an error: its code and message, never a
 * stack trace (AR_DEBUG=1 adds it, for bug reports).
 */
export function errorLine(err: unknown): string {
  const e = toAuditRouterError(err);
  const line = `audit-router: error ${e.code}: ${e.message.replace(/\s*\n\s*/g, ' ')}`;
  // The last guard: whatever a library put in a message or stack, no URL credentials reach the terminal.
  return maskUrlCredentials(process.env.AR_DEBUG && err instanceof Error && err.stack ? `${line}\n${err.stack}` : line);
}

/** A command-line parse error from commander ("error: unknown option '--x'\n") as our one line. */
export function usageLine(commanderMessage: string): string {
  const message = commanderMessage
    .replace(/^error:\s*/, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  return `audit-router: error AR_ERR_USAGE: ${message} (run with --help for usage)\n`;
}

function exitCodeFor(err: unknown): number {
  if (!(err instanceof AuditRouterError)) return EXIT.internal;
  return err.code === 'AR_ERR_USAGE' ? EXIT.usage : EXIT.error;
}

/** validate-config lists every problem on its own line, path first. */
export function configIssueLines(err: ConfigError): string[] {
  return err.issues.map((i) => `  ${i.path || '(file)'}: ${i.message}`);
}

export function fail(err: unknown): never {
  process.stderr.write(errorLine(err) + '\n');
  process.exit(exitCodeFor(err));
}
