import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConfigIssue } from '../config/index.js';
import { maskedView, parseDestinationBody, validateDestination, type StoredDestination } from './model.js';
import { privateNetworkProblem } from './network-policy.js';
import type { DestinationStore } from './store.js';
import { AuditRouterError, type ErrorCode } from '../errors/index.js';
import type { Vocabulary } from '../filter/index.js';
import type { Logger } from '../observability/logger.js';
import type { AdminRouteHandler } from '../admin/admin-server.js';
import { authenticate, type ApiToken } from '../admin/bearer-auth.js';
import { sendError, sendJson } from '../admin/json-reply.js';

const PREFIX = '/api/v1/destinations';
const MAX_BODY_BYTES = 64 * 1024;
/** A destination id (a UUID) or nothing; no dot segments, percent escapes or slashes. */
const ID = /^[A-Za-z0-9-]*$/;

function rawPath(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0]!;
}

type DestinationChange = 'created' | 'updated' | 'deleted';

interface DestinationsApiOptions {
  store: () => DestinationStore | undefined;
  tokens: readonly ApiToken[];
  vocabulary: Vocabulary;
  /** Names taken by config-file sinks. */
  reservedNames: ReadonlySet<string>;
  allowPrivateNetworks: boolean;
  maxDestinations: number;
  /** Emits the change as an audit event into the input topic (the auditor is audited). */
  audit: (change: DestinationChange, view: Record<string, unknown>, actor: { name: string; ip: string }) => Promise<void>;
  logger: Logger;
}

/** An answer other than success: the status the API replies with, the code and message it names. */
function apiError(status: number, code: ErrorCode, message: string, issues?: readonly ConfigIssue[]): AuditRouterError {
  return new AuditRouterError(code, message, { status, issues });
}

/** The message names the fields, so a client that shows only the message still says what to fix. */
function invalid(issues: readonly ConfigIssue[]): AuditRouterError {
  const fields = [...new Set(issues.map((i) => i.path || '(body)'))].join(', ');
  return apiError(400, 'AR_ERR_API_VALIDATION', `invalid destination: ${fields}`, issues);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw apiError(413, 'AR_ERR_API_VALIDATION', `request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw apiError(400, 'AR_ERR_API_VALIDATION', 'request body is not valid JSON');
  }
}

/**
 * /api/v1/destinations on the admin listener: create, list, read, update and
 * delete webhook destinations at runtime. Every route needs a bearer token;
 * read-only tokens may only read. Secrets are write-only: responses mask them
 * (the generated verification token is shown once, on create).
 */
export function destinationsApi(options: DestinationsApiOptions): AdminRouteHandler {
  const { tokens, logger } = options;

  const requireStore = () => {
    const store = options.store();
    if (!store) throw apiError(503, 'AR_ERR_API_UNAVAILABLE', 'destinations are still loading');
    return store;
  };
  const find = (id: string) => {
    const found = requireStore().all.get(id);
    if (!found) throw apiError(404, 'AR_ERR_API_NOT_FOUND', `no destination ${id}`);
    return found;
  };

  const check = async (body: unknown, existing?: StoredDestination) => {
    const parsed = parseDestinationBody(body, existing);
    if (!parsed.ok) throw invalid(parsed.issues);
    const valid = validateDestination(parsed.input, options.vocabulary);
    if (!valid.ok) throw invalid(valid.issues);
    const { name } = parsed.input;
    const taken = options.reservedNames.has(name) || [...requireStore().all.values()].some((d) => d.name === name && d.id !== existing?.id);
    if (taken) throw apiError(409, 'AR_ERR_API_CONFLICT', `the name ${name} is taken`);
    if (!options.allowPrivateNetworks) {
      const problem = await privateNetworkProblem(valid.config.url);
      if (problem) throw invalid([{ path: 'url', message: problem }]);
      // The token endpoint is sent the client secret: the same policy as the destination.
      const tokenProblem = valid.config.auth && (await privateNetworkProblem(valid.config.auth.tokenUrl));
      if (tokenProblem) throw invalid([{ path: 'auth.tokenUrl', message: tokenProblem }]);
    }
    return parsed.input;
  };

  const routes = async (req: IncomingMessage, res: ServerResponse, actor: ApiToken, ip: string): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://admin');
    // The path as sent, not as URL normalised it: `/api/v1/destinations/../../etc` must not become the list.
    const id = rawPath(req).slice(PREFIX.length + 1);
    if (!ID.test(id)) throw apiError(404, 'AR_ERR_API_NOT_FOUND', 'no such destinations route (ids are letters, digits and -)');
    const method = req.method ?? 'GET';
    const write = method !== 'GET' && method !== 'HEAD';
    if (write && actor.readOnly) throw apiError(403, 'AR_ERR_API_FORBIDDEN', `token ${actor.name} is read-only`);
    const who = { name: actor.name, ip };
    const now = new Date().toISOString();

    if (id === '' && method === 'GET') {
      const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 50) || 50, 1), 500);
      const all = [...requireStore().all.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
      const cursor = url.searchParams.get('cursor');
      const start = cursor ? all.findIndex((d) => d.id === cursor) + 1 : 0;
      const page = all.slice(start, start + limit);
      return sendJson(res, 200, {
        items: page.map(maskedView),
        nextCursor: start + limit < all.length ? page.at(-1)?.id : null,
        total: all.length,
      });
    }
    if (id === '' && method === 'POST') {
      const store = requireStore();
      if (store.all.size >= options.maxDestinations)
        throw apiError(409, 'AR_ERR_API_CONFLICT', `at most ${options.maxDestinations} destinations (admin.api.maxDestinations)`);
      const input = await check(await readJson(req));
      // GitLab style: a verification token the receiver can check, generated when none is given.
      const verificationToken =
        typeof input.sink.verificationToken === 'string' ? input.sink.verificationToken : randomBytes(24).toString('base64url');
      const destination: StoredDestination = {
        id: randomUUID(),
        name: input.name,
        active: input.active,
        secretHeaders: input.secretHeaders,
        sink: { ...input.sink, verificationToken },
        createdAt: now,
        updatedAt: now,
        createdBy: actor.name,
        updatedBy: actor.name,
      };
      await store.put(destination);
      const view = maskedView(destination);
      await options.audit('created', view, who);
      return sendJson(res, 201, { ...view, verificationToken });
    }
    if (id !== '') {
      if (method === 'GET') return sendJson(res, 200, maskedView(find(id)));
      if (method === 'PATCH') {
        const existing = find(id);
        const input = await check(await readJson(req), existing);
        const updated: StoredDestination = {
          ...existing,
          name: input.name,
          active: input.active,
          secretHeaders: input.secretHeaders,
          sink: input.sink,
          updatedAt: now,
          updatedBy: actor.name,
        };
        await requireStore().put(updated);
        const view = maskedView(updated);
        await options.audit('updated', view, who);
        return sendJson(res, 200, view);
      }
      if (method === 'DELETE') {
        const existing = find(id);
        await requireStore().remove(id);
        await options.audit('deleted', maskedView(existing), who);
        return sendJson(res, 204);
      }
    }
    throw apiError(405, 'AR_ERR_API_NOT_FOUND', `${method} ${url.pathname} is not a destinations route`);
  };

  return async (req, res) => {
    const path = rawPath(req);
    if (path !== PREFIX && !path.startsWith(`${PREFIX}/`)) return false;
    try {
      const actor = authenticate(req.headers.authorization, tokens);
      if (!actor) {
        res.setHeader('www-authenticate', 'Bearer realm="audit-router"');
        throw apiError(
          401,
          'AR_ERR_API_UNAUTHORIZED',
          req.headers.authorization ? 'the bearer token is not valid' : 'an Authorization: Bearer <token> header is required',
        );
      }
      await routes(req, res, actor, req.socket.remoteAddress ?? '');
    } catch (err) {
      // Only the API's own answers carry a status; anything else is a failure it must not describe to the client.
      if (err instanceof AuditRouterError && err.status !== undefined) {
        sendError(res, err);
      } else {
        logger.error({ err: { message: (err as Error).message } }, `destinations API: ${req.method} ${path} failed`);
        sendError(res, new AuditRouterError('AR_ERR_INTERNAL', 'internal error'));
      }
    }
    return true;
  };
}
