import type { buildConnector } from 'undici';
import { AuditRouterError } from '../../errors/index.js';

/** Node's codes for a server certificate the client does not trust. */
const UNTRUSTED_SERVER = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** OpenSSL errors and alerts (`ERR_SSL_…`), or a server certificate refused. */
function isTlsFailure(code: string | undefined): code is string {
  return code !== undefined && (code.startsWith('ERR_SSL_') || UNTRUSTED_SERVER.has(code));
}

/**
 * Under TLS 1.3 a server judges the client certificate after the client
 * considers the handshake done, so its refusal (an alert) arrives while the
 * request is in flight, and undici reports the end of stream that follows as
 * "other side closed", losing the alert. Ending the socket with the alert
 * itself makes it the request's error, so the refusal is not mistaken for a
 * dropped connection and retried until the budget runs out.
 */
export function keepTlsAlerts(connect: buildConnector.connector): buildConnector.connector {
  return (options, callback) =>
    connect(options, (...args) => {
      const socket = args[1];
      socket?.on('error', (err) => {
        if (isTlsFailure(codeOf(err))) socket.destroy(err);
      });
      callback(...args);
    });
}

/** The error for a failed TLS handshake, or undefined when `err` is something else. */
export function tlsFailure(err: unknown, sink: string): AuditRouterError | undefined {
  const code = codeOf(err);
  if (!isTlsFailure(code)) return undefined;
  // OpenSSL's message is "<hex>:error:<hex>:SSL routines:<function>:<reason>:<file>:<line>:…"; the reason is what helps.
  const message = (err as Error).message;
  const reason = /:SSL routines:[^:]*:([^:]+)/.exec(message)?.[1] ?? message;
  const hint = UNTRUSTED_SERVER.has(code)
    ? "the server's certificate is not trusted (tls.ca)"
    : code.includes('_ALERT_')
      ? 'the server refused the handshake; does it accept this client certificate (tls.cert, tls.key)?'
      : 'the TLS handshake failed';
  return new AuditRouterError('AR_ERR_SINK_TLS', `webhook ${sink}: ${hint}: ${reason} (${code})`, { retriable: false, cause: err });
}
