import { z } from 'zod';
import { commonSinkFields } from '../common-config.js';
import { headerNameProblem, OBJECT_PROPERTY_NAMES, SAFE_HEADER_VALUE } from './header-rules.js';
import { loadTemplate } from './load-template.js';

const MAX_HEADERS = 20;
const headerValueRule = 'must be printable ASCII: no CR, LF, NUL or other control characters';

/** Checked on the raw input: once copied into a record, a `__proto__` key is gone without a trace. */
const noPrototypeKeys = z.unknown().superRefine((value, ctx) => {
  if (value === null || typeof value !== 'object') return;
  for (const name of Object.keys(value)) {
    if (OBJECT_PROPERTY_NAMES.has(name.toLowerCase())) ctx.addIssue({ code: 'custom', path: [name], message: `header name ${JSON.stringify(name)} is a JavaScript object property name, refused` });
  }
});

const headerRecord = z
  .record(z.string(), z.string().regex(SAFE_HEADER_VALUE, headerValueRule))
  .superRefine((record, ctx) => {
    const names = Object.keys(record);
    if (names.length > MAX_HEADERS) ctx.addIssue({ code: 'custom', message: `at most ${MAX_HEADERS} headers (has ${names.length})` });
    const seen = new Set<string>();
    for (const name of names) {
      const problem = headerNameProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', path: [name], message: `header name ${JSON.stringify(name)} ${problem}` });
      // HTTP names are case-insensitive: two spellings would be sent as two values of one header.
      else if (seen.has(name.toLowerCase())) ctx.addIssue({ code: 'custom', path: [name], message: `header ${JSON.stringify(name)} is given twice (names are case-insensitive)` });
      seen.add(name.toLowerCase());
    }
  });
const headers = noPrototypeKeys.pipe(headerRecord);

const url = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
  // undici would drop them silently, and a URL is printed in logs where a header is not.
  .refine((value) => !/^[a-z]+:\/\/[^/?#]*@/i.test(value), 'credentials in the URL are not sent: use headers (e.g. Authorization) instead');

export const webhookSinkConfigSchema = z.strictObject({
  type: z.literal('webhook'),
  ...commonSinkFields({
    batch: { maxEvents: 100, maxBytes: 1024 * 1024, maxWaitMs: 1_000 },
    retry: { initialBackoffMs: 200, maxBackoffMs: 15_000, maxElapsedMs: 300_000 },
    concurrency: 4,
  }),
  url,
  method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
  headers: headers.default({}),
  /** HMAC-SHA256 key for the x-audit-signature header; no signature when absent. */
  signingSecret: z.string().min(1).optional(),
  /** Sent as is in x-audit-verification-token, for receivers that compare a shared token (GitLab style). */
  verificationToken: z.string().min(1).regex(SAFE_HEADER_VALUE, headerValueRule).optional(),
  /**
   * Handlebars body template, path relative to the working directory. The
   * transform compiles it here, so the parsed config carries the compiled
   * template (a CompiledTemplate, not the path string): loading, compiling
   * and the sample render happen once, and only a config that passed them
   * exists. The sink never touches the file system.
   */
  template: z.string().min(1).transform(loadTemplate).optional(),
  /** Whole attempt: connect, send, response headers and body. */
  timeoutMs: z.number().int().min(100).max(300_000).default(10_000),
  /** Bytes of a response body read at most; the rest is not downloaded. */
  maxResponseBytes: z.number().int().min(256).max(16 * 1024 * 1024).default(64 * 1024),
  /** Follow 307/308 to the same origin. Other redirects would drop the body or send it elsewhere, so they are rejections. */
  followRedirects: z.boolean().default(false),
  /**
   * Refuse loopback, link-local and private addresses, checked on every connection. Destinations created
   * through the API always have it unless admin.api.allowPrivateNetworks is on.
   */
  blockPrivateNetworks: z.boolean().default(false),
});

export type WebhookSinkConfig = z.output<typeof webhookSinkConfigSchema>;
