import { z } from 'zod';
import { commonSinkFields } from '../common-config.js';
import { headerNameProblem, OBJECT_PROPERTY_NAMES, SAFE_HEADER_VALUE } from './header-rules.js';
import { loadTemplate } from './load-template.js';
import { keyPairProblem, loadPem } from './load-tls.js';
import { standardSecretProblem } from './standard-webhooks.js';

const MAX_HEADERS = 20;
const headerValueRule = 'must be printable ASCII: no CR, LF, NUL or other control characters';

/** Checked on the raw input: once copied into a record, a `__proto__` key is gone without a trace. */
const noPrototypeKeys = z.unknown().superRefine((value, ctx) => {
  if (value === null || typeof value !== 'object') return;
  for (const name of Object.keys(value)) {
    if (OBJECT_PROPERTY_NAMES.has(name.toLowerCase()))
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `header name ${JSON.stringify(name)} is a JavaScript object property name, refused`,
      });
  }
});

const headerRecord = z.record(z.string(), z.string().regex(SAFE_HEADER_VALUE, headerValueRule)).superRefine((record, ctx) => {
  const names = Object.keys(record);
  if (names.length > MAX_HEADERS) ctx.addIssue({ code: 'custom', message: `at most ${MAX_HEADERS} headers (has ${names.length})` });
  const seen = new Set<string>();
  for (const name of names) {
    const problem = headerNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', path: [name], message: `header name ${JSON.stringify(name)} ${problem}` });
    // HTTP names are case-insensitive: two spellings would be sent as two values of one header.
    else if (seen.has(name.toLowerCase()))
      ctx.addIssue({ code: 'custom', path: [name], message: `header ${JSON.stringify(name)} is given twice (names are case-insensitive)` });
    seen.add(name.toLowerCase());
  }
});
const headers = noPrototypeKeys.pipe(headerRecord);

const url = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
  // undici would drop them silently, and a URL is printed in logs where a header is not.
  .refine((value) => !/^[a-z]+:\/\/[^/?#]*@/i.test(value), 'credentials in the URL are not sent: use headers (e.g. Authorization) instead');

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** OAuth 2.0 client credentials (RFC 6749 §4.4): a bearer token fetched from tokenUrl, cached, sent as Authorization. */
const oauth2 = z.strictObject({
  type: z.literal('oauth2'),
  tokenUrl: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
    // The client secret is sent there: in clear text only to this machine.
    .refine((value) => value.startsWith('https:') || LOOPBACK_HOSTS.has(new URL(value).hostname), 'must be https (http only to localhost)'),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** Space-separated scopes (Entra ID: `https://monitor.azure.com//.default`). */
  scope: z.string().min(1).optional(),
  /** The resource the token is for, sent as RFC 8707 `resource`. */
  audience: z.string().min(1).optional(),
  /** How the client authenticates to the token endpoint: HTTP Basic (the RFC's default) or form fields. */
  clientAuthentication: z.enum(['basic', 'post']).default('basic'),
});

/** Mutual TLS and private CAs: PEM file paths (or PEM text), read and parsed once, here. */
const tls = z
  .strictObject({
    ca: z.string().min(1).transform(loadPem('ca')).optional(),
    cert: z.string().min(1).transform(loadPem('cert')).optional(),
    key: z.string().min(1).transform(loadPem('key')).optional(),
    rejectUnauthorized: z.boolean().default(true),
  })
  .superRefine((value, ctx) => {
    if ((value.cert === undefined) !== (value.key === undefined)) {
      ctx.addIssue({ code: 'custom', path: [value.cert === undefined ? 'cert' : 'key'], message: 'tls.cert and tls.key go together' });
    } else if (typeof value.cert === 'string' && typeof value.key === 'string') {
      const problem = keyPairProblem(value.cert, value.key);
      if (problem) ctx.addIssue({ code: 'custom', path: ['key'], message: problem });
    }
  });

export const webhookSinkConfigSchema = z
  .strictObject({
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
    /**
     * Which signature signingSecret makes: audit-router's x-audit-signature, or
     * Standard Webhooks' webhook-id/-timestamp/-signature (secret `whsec_…`).
     */
    signature: z.strictObject({ scheme: z.enum(['audit-router', 'standard-webhooks']).default('audit-router') }).prefault({}),
    auth: oauth2.optional(),
    tls: tls.optional(),
    /** The body: canonical events as JSON, or each wrapped in a CloudEvents 1.0 envelope (structured mode). */
    format: z.enum(['json', 'cloudevents']).default('json'),
    /** The CloudEvents `source` attribute; default `/audit-router/<input topic>`. */
    cloudEventsSource: z
      .string()
      .min(1)
      .max(512)
      .regex(/^[\x21-\x7e]+$/, 'must be a URI reference: printable ASCII, no spaces')
      .optional(),
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
    maxResponseBytes: z
      .number()
      .int()
      .min(256)
      .max(16 * 1024 * 1024)
      .default(64 * 1024),
    /** Follow 307/308 to the same origin. Other redirects would drop the body or send it elsewhere, so they are rejections. */
    followRedirects: z.boolean().default(false),
    /**
     * Refuse loopback, link-local and private addresses, checked on every connection. Destinations created
     * through the API always have it unless admin.api.allowPrivateNetworks is on.
     */
    blockPrivateNetworks: z.boolean().default(false),
  })
  .superRefine((config, ctx) => {
    if (config.signature.scheme === 'standard-webhooks') {
      const problem =
        config.signingSecret === undefined
          ? 'is required by signature.scheme standard-webhooks'
          : standardSecretProblem(config.signingSecret);
      if (problem) ctx.addIssue({ code: 'custom', path: ['signingSecret'], message: problem });
    }
    if (config.auth && Object.keys(config.headers).some((name) => name.toLowerCase() === 'authorization')) {
      ctx.addIssue({
        code: 'custom',
        path: ['headers'],
        message: 'Authorization is set by auth (oauth2) and cannot be configured as well',
      });
    }
    if (config.tls && typeof config.url === 'string' && config.url.startsWith('http:')) {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'tls applies to https URLs only' });
    }
    if (config.cloudEventsSource !== undefined && config.format !== 'cloudevents') {
      ctx.addIssue({ code: 'custom', path: ['cloudEventsSource'], message: 'is only used with format: cloudevents' });
    }
  });

export type WebhookSinkConfig = z.output<typeof webhookSinkConfigSchema>;
