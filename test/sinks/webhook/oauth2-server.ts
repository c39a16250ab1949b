import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { errors } from 'oidc-provider';

/** The resource server the sink's tokens are for (RFC 8707), and the scope it grants. */
export const RESOURCE = 'https://siem.example.com/audit';
export const SCOPE = 'audit.write';

export const CLIENTS = {
  basic: { id: 'audit-router', secret: 'right-secret-for-basic-0123456789' },
  post: { id: 'audit-router-post', secret: 'right-secret-for-post-0123456789' },
  /** The receiver, which introspects the tokens it is sent. */
  receiver: { id: 'siem', secret: 'receiver-secret-0123456789' },
} as const;

export interface OAuth2Server {
  issuer: string;
  tokenUrl: string;
  /** Requests that reached /token, whatever the answer. */
  tokenRequests: number;
  /** While set, /token answers this status instead of the provider (an outage). */
  outage: number | undefined;
  /** What the provider says about a token, asked the way a resource server asks (RFC 7662). */
  introspect(token: string): Promise<{ active: boolean; aud?: string | string[]; scope?: string; client_id?: string }>;
  /** Revokes a token (RFC 7009), as its client. */
  revoke(token: string, client: { id: string; secret: string }): Promise<void>;
  close(): Promise<void>;
}

function basic(client: { id: string; secret: string }): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`;
}

/**
 * A real OAuth 2.0 authorization server: oidc-provider (an OpenID Certified
 * implementation) with the client credentials grant, resource indicators,
 * introspection and revocation, on 127.0.0.1 port 0. Access tokens live
 * `accessTokenTtlSeconds`.
 */
export async function startOAuth2Server(accessTokenTtlSeconds = 3600): Promise<OAuth2Server> {
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENTS.basic.id,
        client_secret: CLIENTS.basic.secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: SCOPE,
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: CLIENTS.post.id,
        client_secret: CLIENTS.post.secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: SCOPE,
        token_endpoint_auth_method: 'client_secret_post',
      },
      { client_id: CLIENTS.receiver.id, client_secret: CLIENTS.receiver.secret, grant_types: [], response_types: [], redirect_uris: [] },
    ],
    scopes: [SCOPE],
    // The provider's defaults work but it asks that a deployment decide these; here they are decided.
    ttl: { ClientCredentials: () => accessTokenTtlSeconds },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: async (ctx) => ctx.oidc.client?.clientId === CLIENTS.receiver.id },
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      resourceIndicators: {
        enabled: true,
        getResourceServerInfo: async (_ctx, indicator) => {
          if (indicator !== RESOURCE) throw new errors.InvalidTarget();
          return { scope: SCOPE, audience: RESOURCE, accessTokenTTL: accessTokenTtlSeconds, accessTokenFormat: 'opaque' };
        },
      },
    },
  });
  const handle = provider.callback();
  const state: OAuth2Server = {
    issuer,
    tokenUrl: `${issuer}/token`,
    tokenRequests: 0,
    outage: undefined,
    async introspect(token) {
      const response = await fetch(`${issuer}/token/introspection`, {
        method: 'POST',
        headers: { authorization: basic(CLIENTS.receiver), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }),
      });
      return (await response.json()) as Awaited<ReturnType<OAuth2Server['introspect']>>;
    },
    async revoke(token, client) {
      const response = await fetch(`${issuer}/token/revocation`, {
        method: 'POST',
        headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }),
      });
      if (response.status !== 200) throw new Error(`revocation answered ${response.status}`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/token') {
      state.tokenRequests++;
      if (state.outage !== undefined) return void res.writeHead(state.outage).end();
    }
    handle(req, res);
  });
  return state;
}
