import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  attempt: number;
  /** Date.now() when the whole request had arrived. */
  receivedAt: number;
}

/** Decides how to answer the n-th request (1-based). */
export type Responder = (req: ReceivedRequest, res: ServerResponse) => void | Promise<void>;

/**
 * A real node:http server on 127.0.0.1, port 0, whose answers a test scripts.
 * Every request is recorded with its body, whatever the answer was.
 */
export class HttpReceiver {
  readonly requests: ReceivedRequest[] = [];
  private server: Server;
  private sockets = new Set<import('node:net').Socket>();

  constructor(private responder: Responder = (_req, res) => void res.writeHead(200).end('ok')) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const received: ReceivedRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          attempt: this.requests.length + 1,
          receivedAt: Date.now(),
        };
        this.requests.push(received);
        Promise.resolve(this.responder(received, res)).catch(() => res.destroy());
      });
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  respondWith(responder: Responder): void {
    this.responder = responder;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/hook`;
  }

  /** Events received in 2xx-answered requests' bodies are the test's business; this returns all parsed bodies. */
  bodies(): unknown[] {
    return this.requests.map((r) => JSON.parse(r.body));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
