import { request, type Dispatcher } from 'undici';
import { AuditRouterError } from '../../errors/index.js';
import type { WebhookSinkConfig } from './config.js';
import { SAFE_HEADER_VALUE } from './header-rules.js';
import { quoteBody } from './redact.js';
import { isRetriableStatus, parseRetryAfter, readCapped } from './response.js';

type OAuth2Settings = NonNullable<WebhookSinkConfig['auth']>;

/** A token response is a small JSON object; more than this is not one. */
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;
/** Renew this long before expiry (at most half the lifetime), so a token does not expire in flight. */
const RENEW_MARGIN_MS = 60_000;

interface CachedToken {
  value: string;
  /** When to fetch a new one; Infinity when the server gave no expires_in (then only a 401 renews it). */
  renewAt: number;
}

/** Waits for `promise` unless `signal` fires first; the promise itself goes on for its other waiters. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * OAuth 2.0 client credentials for one webhook sink: a token fetched once and
 * shared by every batch, renewed shortly before it expires or when the
 * receiver answers 401. Concurrent batches that find no valid token wait for
 * one request. The token and the client secret never appear in an error.
 */
export class OAuth2TokenSource {
  private cached: CachedToken | undefined;
  private pending: Promise<CachedToken> | undefined;
  /** The token endpoint without query or credentials, for messages. */
  private readonly endpoint: string;

  constructor(
    private readonly sink: string,
    private readonly settings: OAuth2Settings,
    private readonly dispatcher: Dispatcher,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {
    const url = new URL(settings.tokenUrl);
    this.endpoint = `${url.origin}${url.pathname}`;
  }

  /** A token to send now. */
  async token(signal: AbortSignal): Promise<string> {
    if (this.cached && this.now() < this.cached.renewAt) return this.cached.value;
    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    });
    return (await abortable(this.pending, signal)).value;
  }

  /** The receiver refused `value`: forget it, unless another batch has already replaced it. */
  invalidate(value: string): void {
    if (this.cached?.value === value) this.cached = undefined;
  }

  private async fetch(): Promise<CachedToken> {
    const { clientId, clientSecret, scope, audience, clientAuthentication } = this.settings;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope !== undefined) form.set('scope', scope);
    if (audience !== undefined) form.set('resource', audience);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (clientAuthentication === 'basic') {
      // RFC 6749 §2.3.1: both parts are form-encoded before the Basic encoding.
      const pair = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    } else {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    }
    const started = this.now();
    let response: Dispatcher.ResponseData;
    let text: string;
    try {
      response = await request(this.settings.tokenUrl, {
        dispatcher: this.dispatcher,
        method: 'POST',
        headers,
        body: form.toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = (await readCapped(response.body, MAX_TOKEN_RESPONSE_BYTES, MAX_TOKEN_RESPONSE_BYTES)).toString('utf8');
    } catch (err) {
      if (err instanceof AuditRouterError) throw err;
      const code = (err as { code?: unknown }).code;
      const detail =
        (err as Error).name === 'TimeoutError'
          ? `no answer within ${this.timeoutMs} ms`
          : `${(err as Error).message}${typeof code === 'string' ? ` (${code})` : ''}`;
      throw this.unavailable(`request failed: ${detail}`, undefined, err);
    }
    const status = response.statusCode;
    if (isRetriableStatus(status)) throw this.unavailable(`HTTP ${status}`, parseRetryAfter(response.headers['retry-after']));
    const answer = this.parse(text);
    if (status !== 200) {
      const description = typeof answer?.error_description === 'string' ? ` ${this.quote(answer.error_description)}` : '';
      const error = typeof answer?.error === 'string' ? ` ${this.quote(answer.error)}` : ` body ${this.quote(text)}`;
      throw this.refused(`refused the client credentials: HTTP ${status}${error}${description}`);
    }
    const value = answer?.access_token;
    if (typeof value !== 'string' || value === '' || !SAFE_HEADER_VALUE.test(value))
      throw this.refused('answered without a usable access_token');
    if (typeof answer!.token_type !== 'string' || answer!.token_type.toLowerCase() !== 'bearer') {
      throw this.refused(`issued a token of type ${this.quote(String(answer!.token_type))}, not Bearer`);
    }
    const lifetimeMs = typeof answer!.expires_in === 'number' && answer!.expires_in > 0 ? answer!.expires_in * 1000 : undefined;
    const renewAt = lifetimeMs === undefined ? Infinity : started + lifetimeMs - Math.min(RENEW_MARGIN_MS, lifetimeMs / 2);
    this.cached = { value, renewAt };
    return this.cached;
  }

  private parse(text: string): Record<string, unknown> | undefined {
    try {
      const value: unknown = JSON.parse(text);
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Server text for a message: the secret removed (a server could echo it), cut short, quoted. */
  private quote(text: string): string {
    return quoteBody(Buffer.from(text), [this.settings.clientSecret]);
  }

  private unavailable(detail: string, retryAfterMs?: number, cause?: unknown): AuditRouterError {
    return new AuditRouterError('AR_ERR_SINK_UNAVAILABLE', `webhook ${this.sink}: token endpoint ${this.endpoint}: ${detail}`, {
      retriable: true,
      retryAfterMs,
      cause,
    });
  }

  private refused(detail: string): AuditRouterError {
    return new AuditRouterError('AR_ERR_SINK_AUTH', `webhook ${this.sink}: token endpoint ${this.endpoint} ${detail}`, {
      retriable: false,
    });
  }
}
