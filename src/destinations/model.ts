import { z } from 'zod';
import { zodIssues, type ConfigIssue } from '../config/index.js';
import { buildVocabulary, ruleProblem, type Vocabulary } from '../filter/index.js';
import { isInlinePem, webhookSinkConfigSchema, type WebhookSinkConfig } from '../sinks/webhook/index.js';

/** What the compacted topic holds per destination id. Secrets are stored (every instance must sign). */
export interface StoredDestination {
  id: string;
  name: string;
  active: boolean;
  /** Names of `sink.headers` whose values are secrets: write-only, like signingSecret. */
  secretHeaders: string[];
  /** The webhook sink definition as given, without `type`/`name` (validated with the config schema). */
  sink: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string;
}

/**
 * A template is a path the router reads, and an API token (or write access to
 * the destinations topic) must never make the router open a path, let alone
 * one that blocks (a FIFO): validateDestination refuses any `template` before
 * the webhook sink schema (which would load it) sees the input. The schema has
 * cross-field refinements, so zod cannot derive a copy without the field.
 */
const TEMPLATE_REFUSED =
  'templates are a config-file feature: the API does not accept a template, nor does the router open one for a destination';

export const MASK = '********';
/** Sink fields that are write-only: masked in every view, and a MASK sent back keeps the stored value. */
const SECRET_FIELDS = ['signingSecret', 'verificationToken'] as const;
/** The same inside the sink's objects: `auth.clientSecret`, `tls.key`. */
const NESTED_SECRETS = [
  ['auth', 'clientSecret'],
  ['tls', 'key'],
] as const;
const TLS_PEM_FIELDS = ['ca', 'cert', 'key'] as const;

function objectField(record: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const value = record[key];
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The request body of POST and PATCH: a webhook sink definition plus the destination's own fields. */
const envelope = z.strictObject({
  name: z.string(),
  active: z.boolean().default(true),
  secretHeaders: z.array(z.string()).default([]),
});
const ENVELOPE_KEYS = new Set(['name', 'active', 'secretHeaders']);

interface DestinationInput {
  name: string;
  active: boolean;
  secretHeaders: string[];
  sink: Record<string, unknown>;
}

/**
 * Validates a destination with the same schema as a config-file webhook sink,
 * plus the noun:verb rules against the router's vocabulary. Returns the sink
 * config to run, or every problem with its path.
 */
export function validateDestination(
  input: DestinationInput,
  vocabulary: Vocabulary = buildVocabulary(),
): { ok: true; config: WebhookSinkConfig } | { ok: false; issues: ConfigIssue[] } {
  // Refused before any other check, so nothing below ever sees the path.
  if ('template' in input.sink) return { ok: false, issues: [{ path: 'template', message: TEMPLATE_REFUSED }] };
  const issues: ConfigIssue[] = [];
  if ('type' in input.sink && input.sink.type !== 'webhook') issues.push({ path: 'type', message: 'destinations are webhooks' });
  const { type: _type, ...sink } = input.sink;
  // A path would have the router read its own files for an API user: only PEM text is taken, and a path is never opened.
  const tls = objectField(sink, 'tls');
  if (tls) {
    const pemOnly = { ...tls };
    for (const field of TLS_PEM_FIELDS) {
      if (typeof tls[field] === 'string' && !isInlinePem(tls[field])) {
        issues.push({ path: `tls.${field}`, message: 'give the PEM text itself: file paths are read only from the config file' });
        delete pemOnly[field];
      }
    }
    sink.tls = pemOnly;
  }
  const parsed = webhookSinkConfigSchema.safeParse({ ...sink, type: 'webhook', name: input.name });
  if (!parsed.success) issues.push(...zodIssues(parsed.error));
  for (const field of ['events', 'exclude'] as const) {
    const rules = input.sink[field];
    if (!Array.isArray(rules)) continue;
    rules.forEach((rule, i) => {
      const problem = typeof rule === 'string' ? ruleProblem(rule, vocabulary) : undefined;
      if (problem) issues.push({ path: `${field}[${i}]`, message: `"${rule}": ${problem}` });
    });
  }
  const headerNames = Object.keys((input.sink.headers as Record<string, unknown> | undefined) ?? {});
  input.secretHeaders.forEach((name, i) => {
    if (!headerNames.includes(name)) issues.push({ path: `secretHeaders[${i}]`, message: `"${name}" is not one of headers` });
  });
  if (issues.length > 0 || !parsed.success) return { ok: false, issues };
  return { ok: true, config: parsed.data };
}

/** Splits a request body into the envelope fields and the sink definition. */
export function parseDestinationBody(
  body: unknown,
  existing?: StoredDestination,
): { ok: true; input: DestinationInput } | { ok: false; issues: ConfigIssue[] } {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return { ok: false, issues: [{ path: '', message: 'expected a JSON object' }] };
  const fields = body as Record<string, unknown>;
  const own = Object.fromEntries(Object.entries(fields).filter(([k]) => ENVELOPE_KEYS.has(k)));
  const sink = Object.fromEntries(Object.entries(fields).filter(([k]) => !ENVELOPE_KEYS.has(k)));
  const parsed = envelope.safeParse({ name: existing?.name, active: existing?.active, secretHeaders: existing?.secretHeaders, ...own });
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error) };
  // PATCH: absent fields keep their value, secrets included (they are write-only, so clients cannot echo them);
  // a masked value copied from a GET keeps the stored secret too, instead of becoming it.
  const merged = existing ? { ...existing.sink, ...sink } : sink;
  for (const field of SECRET_FIELDS) if (existing && sink[field] === MASK) merged[field] = existing.sink[field];
  const issues: ConfigIssue[] = [];
  for (const [parent, field] of NESTED_SECRETS) {
    const given = objectField(sink, parent);
    const stored = existing ? objectField(existing.sink, parent) : undefined;
    if (!given || !stored || (field in given && given[field] !== MASK)) continue;
    // The client secret goes to the token endpoint: one moved elsewhere must be given the secret anew, never sent the stored one.
    if (parent === 'auth' && given.tokenUrl !== stored.tokenUrl) {
      issues.push({ path: 'auth.clientSecret', message: 'give the client secret again when auth.tokenUrl changes' });
      continue;
    }
    merged[parent] = { ...given, [field]: stored[field] };
  }
  if (issues.length > 0) return { ok: false, issues };
  if (existing && sink.headers && typeof sink.headers === 'object') {
    const previous = (existing.sink.headers ?? {}) as Record<string, string>;
    merged.headers = Object.fromEntries(
      Object.entries(sink.headers as Record<string, string>).map(([k, v]) => [k, v === MASK ? (previous[k] ?? v) : v]),
    );
  }
  return { ok: true, input: { ...parsed.data, sink: merged } };
}

/** The destination as the API shows it: secrets masked, always. */
export function maskedView(d: StoredDestination): Record<string, unknown> {
  const sink = { ...d.sink };
  for (const field of SECRET_FIELDS) if (sink[field] !== undefined) sink[field] = MASK;
  for (const [parent, field] of NESTED_SECRETS) {
    const object = objectField(sink, parent);
    if (object?.[field] !== undefined) sink[parent] = { ...object, [field]: MASK };
  }
  if (sink.headers && d.secretHeaders.length > 0) {
    sink.headers = Object.fromEntries(
      Object.entries(sink.headers as Record<string, string>).map(([k, v]) => [k, d.secretHeaders.includes(k) ? MASK : v]),
    );
  }
  return {
    id: d.id,
    name: d.name,
    active: d.active,
    ...sink,
    secretHeaders: d.secretHeaders,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    createdBy: d.createdBy,
    updatedBy: d.updatedBy,
  };
}
