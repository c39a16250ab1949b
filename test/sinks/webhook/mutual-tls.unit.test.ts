import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { AuditRouterError } from '../../../src/errors/index.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { Metrics } from '../../../src/observability/metrics.js';
import { SinkRunner, type FailedDelivery } from '../../../src/sinks/runner.js';
import { webhookSinkConfigSchema } from '../../../src/sinks/webhook/config.js';
import { WebhookSink } from '../../../src/sinks/webhook/webhook-sink.js';
import { makeCertificates, type Certificates } from '../../helpers/certificates.js';
import { makeEvents } from '../../helpers/events.js';
import { waitFor } from '../../helpers/wait.js';
import { NO_ABORT, sinkEvent, startSink, webhookConfig } from './sink-fixtures.js';

let certs: Certificates;
before(() => {
  certs = makeCertificates();
});
after(() => certs.remove());

const batch = makeEvents(2, 'mtls').map(sinkEvent);

interface MtlsServer {
  url: string;
  /** Common names of the client certificates of the requests that got through. */
  clients: string[];
}

/** A real HTTPS server that requires a client certificate issued by the test CA, as an mTLS ingest endpoint does. */
async function startMtlsServer(
  t: { after(fn: () => Promise<void>): void },
  maxVersion: 'TLSv1.2' | 'TLSv1.3' = 'TLSv1.3',
): Promise<MtlsServer> {
  const clients: string[] = [];
  const server: Server = createServer(
    {
      cert: certs.read(certs.serverCert),
      key: certs.read(certs.serverKey),
      ca: certs.read(certs.caCert),
      requestCert: true,
      rejectUnauthorized: true,
      maxVersion,
    },
    (req, res) => {
      clients.push((req.socket as TLSSocket).getPeerCertificate().subject.CN as string);
      req.resume().on('end', () => res.writeHead(200).end('ok'));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`, clients };
}

async function failure(promise: Promise<void>): Promise<AuditRouterError> {
  const err = await promise.then(
    () => assert.fail('delivered'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AuditRouterError, String(err));
  return err;
}

test('with the right client certificate (PEM files) the server accepts the delivery', async (t) => {
  const server = await startMtlsServer(t);
  const sink = startSink(t, webhookConfig(server.url, { tls: { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey } }));
  await sink.send(batch, NO_ABORT);
  await sink.send(batch, NO_ABORT);
  assert.deepEqual(server.clients, ['audit-router', 'audit-router']);
});

test('PEM text works as well as a path (for ${ENV} and the destinations API)', async (t) => {
  const server = await startMtlsServer(t);
  const tls = { ca: certs.read(certs.caCert), cert: certs.read(certs.clientCert), key: certs.read(certs.clientKey) };
  const sink = startSink(t, webhookConfig(server.url, { tls }));
  await sink.send(batch, NO_ABORT);
  assert.deepEqual(server.clients, ['audit-router']);
});

for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
  test(`without a client certificate the ${maxVersion} server refuses: AR_ERR_SINK_TLS, not retried`, async (t) => {
    const server = await startMtlsServer(t, maxVersion);
    const sink = startSink(t, webhookConfig(server.url, { tls: { ca: certs.caCert } }));
    const err = await failure(sink.send(batch, NO_ABORT));
    assert.equal(err.code, 'AR_ERR_SINK_TLS', err.message);
    assert.equal(err.retriable, false);
    const reason = maxVersion === 'TLSv1.3' ? 'tlsv13 alert certificate required' : 'sslv3 alert handshake failure';
    assert.match(
      err.message,
      new RegExp(
        `^webhook hook: the server refused the handshake; does it accept this client certificate \\(tls.cert, tls.key\\)\\?: ${reason} \\(ERR_SSL_`,
      ),
    );
    assert.deepEqual(server.clients, []);
  });
}

test('through the runner, the refused batch is dead-lettered on the first attempt', async (t) => {
  const server = await startMtlsServer(t);
  const config = webhookConfig(server.url, { tls: { ca: certs.caCert }, batch: { maxEvents: 2, maxWaitMs: 60_000 } });
  const parked: FailedDelivery[] = [];
  const runner = new SinkRunner(new WebhookSink(config), config, async (f) => void parked.push(f), new Metrics(), silentLogger());
  t.after(() => runner.close());
  batch.forEach((item) => runner.offer('0', item, () => undefined));
  const failed = await waitFor(() => parked[0], { what: 'the batch to be dead-lettered' });
  assert.equal(failed.error.code, 'AR_ERR_SINK_TLS');
  assert.equal(failed.attempts, 1);
  assert.equal(failed.items.length, 2);
});

test('a server certificate the sink does not trust is AR_ERR_SINK_TLS; rejectUnauthorized: false accepts it', async (t) => {
  const server = await startMtlsServer(t);
  const untrusting = startSink(t, webhookConfig(server.url, { tls: { cert: certs.clientCert, key: certs.clientKey } }));
  const err = await failure(untrusting.send(batch, NO_ABORT));
  assert.equal(err.code, 'AR_ERR_SINK_TLS');
  assert.match(err.message, /the server's certificate is not trusted \(tls\.ca\): .*\(SELF_SIGNED_CERT_IN_CHAIN\)/);
  const trusting = startSink(
    t,
    webhookConfig(server.url, { tls: { cert: certs.clientCert, key: certs.clientKey, rejectUnauthorized: false } }),
  );
  await trusting.send(batch, NO_ABORT);
  assert.deepEqual(server.clients, ['audit-router']);
});

test('a client certificate from another CA is not delivered (Node closes such connections without an alert, so it is retried)', async (t) => {
  const server = await startMtlsServer(t);
  const sink = startSink(t, webhookConfig(server.url, { tls: { ca: certs.caCert, cert: certs.strangerCert, key: certs.strangerKey } }));
  const err = await failure(sink.send(batch, NO_ABORT));
  assert.equal(err.code, 'AR_ERR_SINK_UNAVAILABLE', err.message);
  assert.deepEqual(server.clients, []);
});

test('blockPrivateNetworks still refuses a loopback address when TLS options are set', async (t) => {
  const server = await startMtlsServer(t);
  const sink = startSink(
    t,
    webhookConfig(server.url, { blockPrivateNetworks: true, tls: { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey } }),
  );
  const err = await failure(sink.send(batch, NO_ABORT));
  assert.equal(err.code, 'AR_ERR_SINK_REJECTED');
  assert.match(err.message, /refused to connect to 127\.0\.0\.1/);
  assert.deepEqual(server.clients, []);
});

test('tls config errors name the field and the path, and never quote a key', () => {
  const issues = (tls: Record<string, unknown>, url = 'https://example.com/hook') => {
    const parsed = webhookSinkConfigSchema.safeParse({ name: 'hook', type: 'webhook', url, tls });
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  assert.deepEqual(issues({ ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey }), []);
  assert.deepEqual(issues({ ca: '/nonexistent/ca.pem' }), ['tls.ca: cannot read /nonexistent/ca.pem (no such file)']);
  assert.deepEqual(issues({ cert: certs.clientKey, key: certs.clientKey }), [`tls.cert: ${certs.clientKey} is not a PEM certificate`]);
  assert.deepEqual(issues({ cert: certs.clientCert, key: certs.clientCert }), [
    `tls.key: ${certs.clientCert} is not an unencrypted PEM private key`,
  ]);
  const garbled = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n';
  assert.deepEqual(issues({ cert: certs.clientCert, key: garbled }), ['tls.key: the text given is not an unencrypted PEM private key']);
  assert.deepEqual(issues({ cert: certs.clientCert }), ['tls.key: tls.cert and tls.key go together']);
  assert.deepEqual(issues({ cert: certs.clientCert, key: certs.strangerKey }), ['tls.key: tls.key is not the private key of tls.cert']);
  assert.deepEqual(issues({ ca: certs.caCert }, 'http://example.com/hook'), ['tls: tls applies to https URLs only']);
});
