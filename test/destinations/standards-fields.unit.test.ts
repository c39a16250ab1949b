import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { MASK, maskedView, parseDestinationBody, validateDestination, type StoredDestination } from '../../src/destinations/model.js';
import { makeCertificates, type Certificates } from '../helpers/certificates.js';

let certs: Certificates;
before(() => {
  certs = makeCertificates();
});
after(() => certs.remove());

const auth = {
  type: 'oauth2',
  tokenUrl: 'https://login.example.com/tenant/oauth2/v2.0/token',
  clientId: 'app-1',
  clientSecret: 'client-secret-real',
  scope: 'https://monitor.azure.com//.default',
};

function stored(): StoredDestination {
  return {
    id: 'd1',
    name: 'sentinel',
    active: true,
    secretHeaders: [],
    sink: {
      url: 'https://ingest.example.com/audit',
      auth,
      tls: { ca: certs.read(certs.caCert), cert: certs.read(certs.clientCert), key: certs.read(certs.clientKey) },
    },
    createdAt: '2026-11-23T00:00:00.000Z',
    updatedAt: '2026-11-23T00:00:00.000Z',
    createdBy: 'ops',
    updatedBy: 'ops',
  };
}

test('the client secret and the TLS key are masked in every view; the rest of auth and tls is shown', () => {
  const view = maskedView(stored()) as { auth: Record<string, string>; tls: Record<string, string> };
  assert.equal(view.auth.clientSecret, MASK);
  assert.equal(view.auth.clientId, 'app-1');
  assert.equal(view.tls.key, MASK);
  assert.equal(view.tls.cert, certs.read(certs.clientCert));
  assert.ok(!JSON.stringify(view).includes('client-secret-real'));
  assert.ok(!JSON.stringify(view).includes(certs.read(certs.clientKey).split('\n')[1]!));
});

test('a PATCH that sends back the masked auth and tls keeps the stored secret and key, and the result validates', () => {
  const existing = stored();
  const { auth: maskedAuth, tls: maskedTls } = maskedView(existing);
  const parsed = parseDestinationBody({ auth: { ...(maskedAuth as object), scope: 'audit.write' }, tls: maskedTls }, existing);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.input.sink.auth, { ...auth, scope: 'audit.write' });
  assert.equal((parsed.input.sink.tls as Record<string, string>).key, certs.read(certs.clientKey));
  assert.ok(validateDestination(parsed.input).ok);
});

test('moving the token endpoint needs the client secret again, so the stored one is never sent to a new host', () => {
  const existing = stored();
  const moved = { ...auth, tokenUrl: 'https://attacker.example.net/token' };
  const withMask = parseDestinationBody({ auth: { ...moved, clientSecret: MASK } }, existing);
  assert.deepEqual(withMask, {
    ok: false,
    issues: [{ path: 'auth.clientSecret', message: 'give the client secret again when auth.tokenUrl changes' }],
  });
  const { clientSecret: _omitted, ...withoutSecret } = moved;
  assert.equal(parseDestinationBody({ auth: withoutSecret }, existing).ok, false);
  const withNew = parseDestinationBody({ auth: { ...moved, clientSecret: 'client-secret-new' } }, existing);
  assert.ok(withNew.ok);
  assert.equal((withNew.input.sink.auth as Record<string, string>).clientSecret, 'client-secret-new');
});

test('over the API, tls takes PEM text only: a path is refused and never opened', () => {
  const input = (tls: Record<string, unknown>) => ({
    name: 'mtls',
    active: true,
    secretHeaders: [],
    sink: { url: 'https://ingest.example.com/audit', tls },
  });
  const refused = validateDestination(input({ ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey }));
  assert.ok(!refused.ok);
  assert.deepEqual(
    refused.issues.map((i) => i.path),
    ['tls.ca', 'tls.cert', 'tls.key'],
  );
  assert.ok(refused.issues.every((i) => i.message === 'give the PEM text itself: file paths are read only from the config file'));
  const accepted = validateDestination(
    input({ ca: certs.read(certs.caCert), cert: certs.read(certs.clientCert), key: certs.read(certs.clientKey) }),
  );
  assert.ok(accepted.ok);
  assert.equal(accepted.config.tls?.rejectUnauthorized, true);
});

test('a destination with every new field validates with the config file schema', () => {
  const result = validateDestination({
    name: 'everything',
    active: true,
    secretHeaders: [],
    sink: {
      url: 'https://ingest.example.com/audit',
      auth,
      signingSecret: `whsec_${randomBytes(32).toString('base64')}`,
      signature: { scheme: 'standard-webhooks' },
      format: 'cloudevents',
      cloudEventsSource: 'urn:example:flipt',
    },
  });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  assert.equal(result.config.auth?.clientAuthentication, 'basic');
  assert.equal(result.config.format, 'cloudevents');
});
