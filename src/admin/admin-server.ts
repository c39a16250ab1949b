import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseListenAddress } from '../config/listen-address.js';
import { AuditRouterError } from '../errors/index.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { send, sendError, sendJson } from './json-reply.js';

export interface Readiness {
  ready: boolean;
  /** Why not ready, for people: "consumer has not joined its group", "sink hooks: circuit open". */
  reasons: string[];
}

/** Handles a request the built-in routes do not, and says so by returning (or resolving) true. */
export type AdminRouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

interface AdminServerOptions {
  /** host:port; port 0 picks a free one (the returned url has the real port). */
  listen: string;
  metrics: Metrics;
  isReady: () => Readiness;
  logger: Logger;
  routes?: AdminRouteHandler;
}

export interface AdminServer {
  url: string;
  close(): Promise<void>;
}

/** Callers other than the config file (tests, embedding code) get the same check. */
function parseListen(listen: string): { host: string; port: number } {
  const parsed = parseListenAddress(listen);
  if ('problem' in parsed)
    throw new AuditRouterError('AR_ERR_CONFIG_INVALID', `admin.listen: ${parsed.problem}, got ${JSON.stringify(listen)}`, {
      path: 'admin.listen',
    });
  return parsed;
}

function readiness(isReady: () => Readiness, logger: Logger): Readiness {
  try {
    return isReady();
  } catch (err) {
    // A readiness check that cannot tell is a "no": the orchestrator holds traffic rather than guessing.
    logger.error({ err }, 'admin: readiness check failed');
    return { ready: false, reasons: [`readiness check failed: ${(err as Error).message}`] };
  }
}

/**
 * The operator's listener: Prometheus scrapes /metrics, orchestrators probe
 * /healthz (alive) and /readyz (consuming and delivering). Plain node:http, so
 * it keeps answering whatever the router is busy with. Request headers are
 * never logged or echoed: they may carry credentials meant for extra routes.
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const { metrics, isReady, logger, routes } = options;
  const { host, port } = parseListen(options.listen);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // The query string is dropped: it is not ours to log, and no built-in route reads one.
    const path = new URL(req.url ?? '/', 'http://admin').pathname;
    const isGet = req.method === 'GET' || req.method === 'HEAD';
    if (isGet && path === '/metrics') return send(res, 200, metrics.registry.contentType, await metrics.registry.metrics());
    if (isGet && path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (isGet && path === '/readyz') {
      const { ready, reasons } = readiness(isReady, logger);
      return ready ? sendJson(res, 200, { status: 'ready' }) : sendJson(res, 503, { status: 'not ready', reasons });
    }
    if (routes && (await routes(req, res))) return;
    sendError(res, new AuditRouterError('AR_ERR_API_NOT_FOUND', `no route ${req.method ?? '?'} ${path.slice(0, 200)}`, { status: 404 }));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err, method: req.method, path: new URL(req.url ?? '/', 'http://admin').pathname }, 'admin: request failed');
      if (!res.headersSent)
        sendError(res, new AuditRouterError('AR_ERR_INTERNAL', 'the admin listener failed to answer; see the router log'));
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onListenError = (err: NodeJS.ErrnoException) => {
      reject(
        new AuditRouterError('AR_ERR_ADMIN_LISTEN', `admin.listen: cannot listen on ${options.listen} (${err.code ?? err.message})`, {
          path: 'admin.listen',
          cause: err,
        }),
      );
    };
    server.once('error', onListenError);
    server.listen(port, host, () => {
      server.off('error', onListenError);
      resolve();
    });
  });
  server.on('error', (err) => logger.error({ err }, 'admin: listener error'));

  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info({ url }, 'admin listener started');

  let closing: Promise<void> | undefined;
  return {
    url,
    // Idempotent: shutdown paths may race to close it.
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive connections (Prometheus keeps one) would hold close() open until they time out.
        server.closeAllConnections();
      })),
  };
}
