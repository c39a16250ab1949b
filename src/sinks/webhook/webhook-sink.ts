import { Agent, request, type Dispatcher } from 'undici';
import type { Sink, SinkEvent } from '../types.js';
import { requestBody } from './body.js';
import type { WebhookSinkConfig } from './config.js';
import { Deadline } from './deadline.js';
import { publicOnlyConnector } from './private-network.js';
import { redirectTarget } from './redirect.js';
import { longestSecretForm, quoteBody } from './redact.js';
import { batchHeaders, VERIFICATION_TOKEN_HEADER } from './request-headers.js';
import { QUOTED_BODY_BYTES, parseRetryAfter, readCapped, statusError } from './response.js';
import { SIGNATURE_HEADER, signBody } from './signature.js';
import { transportError } from './transport-error.js';

/**
 * POSTs (or PUTs/PATCHes) batches of events as JSON to one URL. One send() is
 * one attempt: the sink runner owns retries, backoff, Retry-After, the
 * circuit breaker and dead-lettering, and decides from the error's
 * `retriable`, `status` and `retryAfterMs`.
 */
export class WebhookSink implements Sink {
  readonly name: string;
  private readonly agent: Agent;
  /** Values an error message must never show, even when the receiver echoes them back. */
  private readonly sensitive: readonly string[];
  /** Room to find a secret that straddles the quoted prefix's end before cutting it. */
  private readonly keepBytes: number;

  constructor(private readonly config: WebhookSinkConfig) {
    this.name = config.name;
    // Keep-alive connections, as many as batches the runner may have in flight; no RetryAgent, the runner retries.
    const connect = config.blockPrivateNetworks ? publicOnlyConnector(config.name, config.timeoutMs) : { timeout: config.timeoutMs };
    this.agent = new Agent({ connections: config.concurrency, connect });
    this.sensitive = [config.signingSecret, config.verificationToken, ...Object.values(config.headers)].filter(
      (v): v is string => v !== undefined && v !== '',
    );
    this.keepBytes = QUOTED_BODY_BYTES + longestSecretForm(this.sensitive);
  }

  async send(batch: readonly SinkEvent[], signal: AbortSignal): Promise<void> {
    const body = requestBody(batch, this.config.template, this.config.batch.maxEvents === 1);
    const headers = this.headers(batch, body);
    const deadline = new Deadline(signal, this.config.timeoutMs);
    try {
      let url = this.config.url;
      for (let hops = 0; ; hops++) {
        const response = await request(url, { dispatcher: this.agent, method: this.config.method, headers, body, signal: deadline.signal });
        if (response.statusCode >= 200 && response.statusCode < 300) {
          // Read to the end (up to the cap) so the connection can be reused.
          await readCapped(response.body, this.config.maxResponseBytes, 0);
          return;
        }
        const redirect = response.statusCode >= 300 && response.statusCode < 400 && this.config.followRedirects
          ? redirectTarget(response.statusCode, response.headers.location, url, hops)
          : undefined;
        if (redirect && 'url' in redirect) {
          await readCapped(response.body, this.config.maxResponseBytes, 0);
          url = redirect.url;
          continue;
        }
        throw await this.statusError(response, redirect?.refused ?? (response.statusCode < 400 ? 'redirects are not followed (followRedirects: false)' : undefined));
      }
    } catch (err) {
      throw transportError(err, this.name, deadline, this.config.timeoutMs);
    } finally {
      deadline.dispose();
    }
  }

  private headers(batch: readonly SinkEvent[], body: string): Record<string, string> {
    const headers: Record<string, string> = { ...this.config.headers, 'content-type': 'application/json', ...batchHeaders(batch) };
    if (this.config.verificationToken !== undefined) headers[VERIFICATION_TOKEN_HEADER] = this.config.verificationToken;
    // Signed per attempt: a retry hours later carries a fresh timestamp and so passes the receiver's tolerance check.
    if (this.config.signingSecret !== undefined) headers[SIGNATURE_HEADER] = signBody(this.config.signingSecret, body, Date.now() / 1000);
    return headers;
  }

  /** The answer as an error; its body is quoted best effort, since the status alone decides what happens next. */
  private async statusError(response: Dispatcher.ResponseData, note: string | undefined) {
    const prefix = await readCapped(response.body, this.config.maxResponseBytes, this.keepBytes).catch(() => Buffer.alloc(0));
    return statusError({
      sink: this.name,
      status: response.statusCode,
      quotedBody: quoteBody(prefix, this.sensitive),
      retryAfterMs: parseRetryAfter(response.headers['retry-after']),
      note,
    });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
