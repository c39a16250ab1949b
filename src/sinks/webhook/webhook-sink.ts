import { Agent, buildConnector, request, type Dispatcher } from 'undici';
import type { Sink, SinkEvent } from '../types.js';
import { requestBody } from './body.js';
import { CLOUDEVENT_BATCH_CONTENT_TYPE, CLOUDEVENT_CONTENT_TYPE } from './cloudevents.js';
import type { WebhookSinkConfig } from './config.js';
import { Deadline } from './deadline.js';
import { OAuth2TokenSource } from './oauth2-token.js';
import { publicOnlyConnector, type TlsOptions } from './private-network.js';
import { redirectTarget } from './redirect.js';
import { longestSecretForm, quoteBody } from './redact.js';
import { batchHeaders, VERIFICATION_TOKEN_HEADER } from './request-headers.js';
import { QUOTED_BODY_BYTES, parseRetryAfter, readCapped, statusError } from './response.js';
import { SIGNATURE_HEADER, signBody } from './signature.js';
import { standardSecretKey, standardWebhookHeaders } from './standard-webhooks.js';
import { keepTlsAlerts } from './tls-failure.js';
import { transportError } from './transport-error.js';

/** Test seams; production uses the defaults. */
interface WebhookSinkOptions {
  /** The clock the OAuth2 token cache reads, so a test can pass a token's expiry without waiting for it. */
  now?: () => number;
}

/**
 * POSTs (or PUTs/PATCHes) batches of events as JSON to one URL. One send() is
 * one attempt: the sink runner owns retries, backoff, Retry-After, the
 * circuit breaker and dead-lettering, and decides from the error's
 * `retriable`, `status` and `retryAfterMs`.
 */
export class WebhookSink implements Sink {
  readonly name: string;
  private readonly agent: Agent;
  /** Token requests go through their own pool: the destination's CA and client certificate are not the token server's. */
  private readonly tokenAgent: Agent | undefined;
  private readonly oauth2: OAuth2TokenSource | undefined;
  private readonly standardKey: Buffer | undefined;
  private readonly contentType: string;
  /** Values an error message must never show, even when the receiver echoes them back. */
  private readonly sensitive: readonly string[];

  constructor(
    private readonly config: WebhookSinkConfig,
    options: WebhookSinkOptions = {},
  ) {
    this.name = config.name;
    const tls: TlsOptions = config.tls
      ? { ca: config.tls.ca, cert: config.tls.cert, key: config.tls.key, rejectUnauthorized: config.tls.rejectUnauthorized }
      : {};
    // Keep-alive connections, as many as batches the runner may have in flight; no RetryAgent, the runner retries.
    this.agent = new Agent({ connections: config.concurrency, connect: this.connector(tls) });
    if (config.auth) {
      this.tokenAgent = new Agent({ connections: 1, connect: this.connector({}) });
      this.oauth2 = new OAuth2TokenSource(config.name, config.auth, this.tokenAgent, config.timeoutMs, options.now);
    }
    if (config.signingSecret !== undefined && config.signature.scheme === 'standard-webhooks')
      this.standardKey = standardSecretKey(config.signingSecret);
    const single = config.batch.maxEvents === 1;
    this.contentType = config.format === 'json' ? 'application/json' : single ? CLOUDEVENT_CONTENT_TYPE : CLOUDEVENT_BATCH_CONTENT_TYPE;
    this.sensitive = [config.signingSecret, config.verificationToken, config.auth?.clientSecret, ...Object.values(config.headers)].filter(
      (v): v is string => v !== undefined && v !== '',
    );
  }

  private connector(tls: TlsOptions): buildConnector.connector {
    const { timeoutMs: timeout, blockPrivateNetworks, name } = this.config;
    return keepTlsAlerts(blockPrivateNetworks ? publicOnlyConnector(name, timeout, tls) : buildConnector({ ...tls, timeout }));
  }

  async send(batch: readonly SinkEvent[], signal: AbortSignal): Promise<void> {
    const body = requestBody(batch, {
      template: this.config.template,
      single: this.config.batch.maxEvents === 1,
      cloudEvents: this.config.format === 'cloudevents' ? { source: this.config.cloudEventsSource } : undefined,
    });
    const headers = this.headers(batch, body);
    const deadline = new Deadline(signal, this.config.timeoutMs);
    try {
      let url = this.config.url;
      let renewed = false;
      for (let hops = 0; ;) {
        const token = this.oauth2 ? await this.oauth2.token(deadline.signal) : undefined;
        if (token !== undefined) headers.authorization = `Bearer ${token}`;
        const response = await request(url, { dispatcher: this.agent, method: this.config.method, headers, body, signal: deadline.signal });
        if (response.statusCode >= 200 && response.statusCode < 300) {
          // Read to the end (up to the cap) so the connection can be reused.
          await readCapped(response.body, this.config.maxResponseBytes, 0);
          return;
        }
        // A token can be revoked or expire early: one new token per batch, then the 401 stands.
        if (response.statusCode === 401 && token !== undefined && !renewed) {
          await readCapped(response.body, this.config.maxResponseBytes, 0);
          this.oauth2!.invalidate(token);
          renewed = true;
          continue;
        }
        const redirect =
          response.statusCode >= 300 && response.statusCode < 400 && this.config.followRedirects
            ? redirectTarget(response.statusCode, response.headers.location, url, hops)
            : undefined;
        if (redirect && 'url' in redirect) {
          await readCapped(response.body, this.config.maxResponseBytes, 0);
          url = redirect.url;
          hops++;
          continue;
        }
        const note = redirect?.refused ?? (response.statusCode < 400 ? 'redirects are not followed (followRedirects: false)' : undefined);
        throw await this.statusError(response, note, token);
      }
    } catch (err) {
      throw transportError(err, this.name, deadline, this.config.timeoutMs);
    } finally {
      deadline.dispose();
    }
  }

  private headers(batch: readonly SinkEvent[], body: string): Record<string, string> {
    const described = batchHeaders(batch);
    const headers: Record<string, string> = { ...this.config.headers, 'content-type': this.contentType, ...described };
    if (this.config.verificationToken !== undefined) headers[VERIFICATION_TOKEN_HEADER] = this.config.verificationToken;
    // Signed per attempt: a retry hours later carries a fresh timestamp and so passes the receiver's tolerance check.
    if (this.standardKey)
      Object.assign(headers, standardWebhookHeaders(this.standardKey, described['idempotency-key']!, body, Date.now() / 1000));
    else if (this.config.signingSecret !== undefined)
      headers[SIGNATURE_HEADER] = signBody(this.config.signingSecret, body, Date.now() / 1000);
    return headers;
  }

  /** The answer as an error; its body is quoted best effort, since the status alone decides what happens next. */
  private async statusError(response: Dispatcher.ResponseData, note: string | undefined, token: string | undefined) {
    const sensitive = token === undefined ? this.sensitive : [...this.sensitive, token];
    // Room to find a secret that straddles the quoted prefix's end before cutting it.
    const keepBytes = QUOTED_BODY_BYTES + longestSecretForm(sensitive);
    const prefix = await readCapped(response.body, this.config.maxResponseBytes, keepBytes).catch(() => Buffer.alloc(0));
    return statusError({
      sink: this.name,
      status: response.statusCode,
      quotedBody: quoteBody(prefix, sensitive),
      retryAfterMs: parseRetryAfter(response.headers['retry-after']),
      note,
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.agent.close(), this.tokenAgent?.close()]);
  }
}
