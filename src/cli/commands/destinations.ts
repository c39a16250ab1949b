import type { Command } from 'commander';
import { request } from 'undici';
import { AuditRouterError } from '../../errors/index.js';
import { maskUrlCredentials } from '../../observability/mask-url.js';
import { fail } from '../output.js';
import { readInput } from '../read-input.js';

interface ApiOptions {
  url: string;
  token?: string;
}

/** Calls the destinations API; prints the JSON answer; a non-2xx becomes one error line with the API's code. */
async function call(opts: ApiOptions, method: string, path: string, body?: string): Promise<void> {
  const token = opts.token ?? process.env.AR_ADMIN_TOKEN;
  if (!token) throw new AuditRouterError('AR_ERR_USAGE', 'no token: pass --token or set AR_ADMIN_TOKEN');
  let res;
  try {
    res = await request(`${opts.url.replace(/\/$/, '')}/api/v1/destinations${path}`, {
      method: method as 'GET',
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body,
    });
  } catch (err) {
    throw new AuditRouterError(
      'AR_ERR_KAFKA_CONNECTION',
      `admin API at ${maskUrlCredentials(opts.url)} unreachable: ${(err as { code?: string }).code ?? (err as Error).message}`,
    );
  }
  const text = await res.body.text();
  if (res.statusCode >= 300) {
    const error =
      (JSON.parse(text || '{}') as { error?: { code?: string; message?: string; issues?: { path: string; message: string }[] } }).error ??
      {};
    const issues = error.issues?.map((i) => `${i.path}: ${i.message}`).join('; ');
    process.stderr.write(
      `audit-router: error ${error.code ?? 'AR_ERR_INTERNAL'}: HTTP ${res.statusCode} ${error.message ?? ''}${issues ? ` (${issues})` : ''}\n`,
    );
    process.exit(1);
  }
  if (text) process.stdout.write(JSON.stringify(JSON.parse(text), null, 2) + '\n');
}

function withApi(command: Command): Command {
  return command
    .option('--url <url>', 'the router admin listener', 'http://127.0.0.1:9464')
    .option('--token <token>', 'bearer token (default: $AR_ADMIN_TOKEN; prefer the variable, argv is visible to other users)');
}

export function registerDestinations(program: Command): void {
  const destinations = program
    .command('destinations')
    .description('manage webhook destinations at runtime through the admin API (admin.api in the config)')
    .addHelpText(
      'after',
      `
A destination is a webhook sink definition (url, method, headers, events, exclude,
namespaces, status, batch, retry, signingSecret, signature, verificationToken, auth, tls,
format, cloudEventsSource, timeoutMs, concurrency) plus name, active and secretHeaders.
Secrets (auth.clientSecret and tls.key too) are write-only: answers mask them; a
generated verification token is shown once, on create.

Example:
  export AR_ADMIN_TOKEN=…
  echo '{"name":"siem","url":"https://siem.example.com/audit","events":["flag:*","*:deleted"]}' \\
    | audit-router destinations create -
  audit-router destinations list
  audit-router destinations update <id> - <<< '{"active":false}'
  audit-router destinations delete <id>`,
    );
  const action =
    <A extends unknown[]>(fn: (...args: A) => Promise<void>) =>
    (...args: A) =>
      fn(...args).catch(fail);
  withApi(
    destinations
      .command('list')
      .description('list destinations (secrets masked)')
      .option('--limit <n>', 'page size', '50')
      .option('--cursor <id>', 'next page after this id'),
  ).action(
    action(async (opts: ApiOptions & { limit: string; cursor?: string }) =>
      call(opts, 'GET', `?limit=${encodeURIComponent(opts.limit)}${opts.cursor ? `&cursor=${encodeURIComponent(opts.cursor)}` : ''}`),
    ),
  );
  withApi(destinations.command('get').description('show one destination').argument('<id>')).action(
    action(async (id: string, opts: ApiOptions) => call(opts, 'GET', `/${encodeURIComponent(id)}`)),
  );
  withApi(destinations.command('create').description('create a destination from a JSON file or - for stdin').argument('<file>')).action(
    action(async (file: string, opts: ApiOptions) => call(opts, 'POST', '', await readInput(file))),
  );
  withApi(
    destinations
      .command('update')
      .description('change fields of a destination (JSON file or -); absent fields keep their value')
      .argument('<id>')
      .argument('<file>'),
  ).action(
    action(async (id: string, file: string, opts: ApiOptions) => call(opts, 'PATCH', `/${encodeURIComponent(id)}`, await readInput(file))),
  );
  withApi(destinations.command('delete').description('delete a destination').argument('<id>')).action(
    action(async (id: string, opts: ApiOptions) => call(opts, 'DELETE', `/${encodeURIComponent(id)}`)),
  );
}
