import type { ServerResponse } from 'node:http';
import type { AuditRouterError } from '../errors/index.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Every answer of the admin listener, built-in routes and the destinations API alike. */
export function send(res: ServerResponse, status: number, contentType: string, body?: string): void {
  // Each answer is about this instant (health, metrics, a destination as stored now): no proxy or client should reuse one.
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
}

/** A JSON answer; no body for 204. */
export function sendJson(res: ServerResponse, status: number, body?: unknown): void {
  send(res, status, JSON_TYPE, body === undefined ? undefined : JSON.stringify(body));
}

/** An error as `{ error: { code, message, issues? } }`, with the error's status (500 when it has none). */
export function sendError(res: ServerResponse, err: Pick<AuditRouterError, 'code' | 'message' | 'status' | 'issues'>): void {
  sendJson(res, err.status ?? 500, { error: { code: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}) } });
}
