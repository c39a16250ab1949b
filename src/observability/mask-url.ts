/**
 * `scheme://user:password@` up to the last `@` before the path: a password may
 * itself hold an `@`, and the URL parser splits at the last one too.
 */
const CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;
const MASKED_CREDENTIALS = '***';

/**
 * Text fit to show: the user and password of every URL in it replaced by
 * `***`. Every place that shows a URL (errors, logs, CLI output) goes through
 * this, since a registry URL may carry its basic-auth credentials.
 */
export function maskUrlCredentials(text: string): string {
  return text.replace(CREDENTIALS, `$1${MASKED_CREDENTIALS}@`);
}
