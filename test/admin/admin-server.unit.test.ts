import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startAdminServer, type AdminServer, type Readiness } from '../../src/admin/index.js';
import { AuditRouterError } from '../../src/errors/index.js';
import { Metrics } from '../../src/observability/metrics.js';
import { silentLogger } from '../../src/observability/logger.js';

/** The value of one sample line in Prometheus text format, e.g. `name{label="x"} 3`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('admin server', () => {
  const metrics = new Metrics();
  let readiness: Readiness = { ready: false, reasons: ['consumer has not joined its group'] };
  const logLines: string[] = [];
  const logger = pino(
    { level: 'trace' },
    new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  );
  let server: AdminServer;

  before(async () => {
    server = await startAdminServer({
      listen: '127.0.0.1:0',
      metrics,
      isReady: () => readiness,
      logger,
      routes: async (req, res) => {
        if (req.url === '/boom') throw new Error('extra route failed');
        if (req.url !== '/extra') return false;
        res.writeHead(200, { 'content-type': 'text/plain' }).end('extra');
        return true;
      },
    });
  });
  after(async () => {
    await server.close();
  });

  test('listens on the real port when asked for port 0', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(new URL(server.url).port, '0');
  });

  test('GET /metrics serves the registry in Prometheus text format', async () => {
    metrics.consumed.inc({ topic: 'audit' }, 3);
    metrics.delivered.inc({ sink: 'hooks' });
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), metrics.registry.contentType);
    const text = await res.text();
    assert.equal(sample(text, 'audit_router_events_consumed_total{topic="audit"}'), 3);
    assert.equal(sample(text, 'audit_router_sink_events_delivered_total{sink="hooks"}'), 1);

    metrics.consumed.inc({ topic: 'audit' }, 2);
    const again = await (await fetch(`${server.url}/metrics?ignored=1`)).text();
    assert.equal(sample(again, 'audit_router_events_consumed_total{topic="audit"}'), 5);
  });

  test('GET /healthz answers ok', async () => {
    const res = await fetch(`${server.url}/healthz`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  test('GET /readyz is 503 with reasons until the readiness check flips, then 200', async () => {
    readiness = { ready: false, reasons: ['consumer has not joined its group'] };
    const before = await fetch(`${server.url}/readyz`);
    assert.equal(before.status, 503);
    assert.deepEqual(await before.json(), { status: 'not ready', reasons: ['consumer has not joined its group'] });

    readiness = { ready: true, reasons: [] };
    const after = await fetch(`${server.url}/readyz`);
    assert.equal(after.status, 200);
    assert.deepEqual(await after.json(), { status: 'ready' });
  });

  test('unknown routes and methods get a 404 with an AR_ERR_API_NOT_FOUND body', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['POST', '/metrics'],
      ['DELETE', '/readyz'],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, { method });
      assert.equal(res.status, 404, `${method} ${path}`);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'AR_ERR_API_NOT_FOUND');
      assert.match(body.error.message, new RegExp(`${method} ${path}`));
    }
  });

  test('the extra route hook answers what the built-in routes do not', async () => {
    const res = await fetch(`${server.url}/extra`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'extra');
  });

  test('a failing route answers 500 and logs the failure without the request headers', async () => {
    const token = 'admin-token-5d1e0c77';
    const logged = logLines.length;
    for (const path of ['/nope', '/boom']) {
      const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      assert.ok(!(await res.text()).includes(token));
    }
    const res = await fetch(`${server.url}/boom`);
    assert.equal(res.status, 500);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'AR_ERR_INTERNAL');
    const newLines = logLines.slice(logged);
    assert.ok(
      newLines.some((l) => l.includes('extra route failed')),
      'the failure is logged',
    );
    assert.ok(!newLines.some((l) => l.includes(token)), 'the token is not');
  });
});

test('a readiness check that throws reads as not ready', async () => {
  const server = await startAdminServer({
    listen: '127.0.0.1:0',
    metrics: new Metrics(),
    isReady: () => {
      throw new Error('sink table not built');
    },
    logger: silentLogger(),
  });
  try {
    const res = await fetch(`${server.url}/readyz`);
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { status: 'not ready', reasons: ['readiness check failed: sink table not built'] });
  } finally {
    await server.close();
  }
});

test('a port in use fails with AR_ERR_ADMIN_LISTEN', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const { port } = blocker.address() as { port: number };
  try {
    await assert.rejects(
      startAdminServer({
        listen: `127.0.0.1:${port}`,
        metrics: new Metrics(),
        isReady: () => ({ ready: true, reasons: [] }),
        logger: silentLogger(),
      }),
      (err: unknown) => err instanceof AuditRouterError && err.code === 'AR_ERR_ADMIN_LISTEN' && /EADDRINUSE/.test(err.message),
    );
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
});

test('close() ends kept-alive connections and can be called twice', async () => {
  const server = await startAdminServer({
    listen: '127.0.0.1:0',
    metrics: new Metrics(),
    isReady: () => ({ ready: true, reasons: [] }),
    logger: silentLogger(),
  });
  // fetch keeps the connection alive: close() must not wait for it to time out.
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  await Promise.all([server.close(), server.close()]);
  await assert.rejects(fetch(`${server.url}/healthz`));
});
