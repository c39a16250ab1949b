import { request as httpRequest, createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the store was sent it, and the store's answer once it was forwarded. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  status?: number;
}

interface Hold {
  readonly match: (r: RecordedRequest) => boolean;
  readonly caught: (r: RecordedRequest) => void;
  readonly released: Promise<void>;
  readonly forwarded: (status: number) => void;
}

/**
 * A transparent HTTP proxy in front of the real store: it forwards every
 * request byte for byte (headers too, so S3 signatures still verify) and
 * records what it forwarded. It can hold a request after receiving it whole
 * and forward it later, even after its client gave up: a PUT delayed on the
 * network, as a paused or partitioned process would send it.
 */
export class RecordingProxy {
  readonly requests: RecordedRequest[] = [];
  private readonly holds: Hold[] = [];

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
  ) {}

  static async start(target: string): Promise<RecordingProxy> {
    const server = createServer();
    const proxy = new RecordingProxy(server, new URL(target));
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const recorded: RecordedRequest = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
        void proxy.forward(recorded).then(
          (answer) => {
            if (res.destroyed) return;
            res.writeHead(answer.status, answer.headers);
            res.end(answer.body);
          },
          () => res.destroy(),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * Holds the next request that matches until release() is called. `caught`
   * resolves once it arrived whole; `release` forwards it and resolves with
   * the store's status.
   */
  hold(match: (r: RecordedRequest) => boolean): { caught: Promise<RecordedRequest>; release: () => Promise<number> } {
    let caught!: (r: RecordedRequest) => void;
    const caughtPromise = new Promise<RecordedRequest>((resolve) => (caught = resolve));
    let open!: () => void;
    const released = new Promise<void>((resolve) => (open = resolve));
    let forwarded!: (status: number) => void;
    const answered = new Promise<number>((resolve) => (forwarded = resolve));
    this.holds.push({ match, caught, released, forwarded });
    return {
      caught: caughtPromise,
      release: () => {
        open();
        return answered;
      },
    };
  }

  private async forward(r: RecordedRequest): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    const at = this.holds.findIndex((h) => h.match(r));
    const hold = at === -1 ? undefined : this.holds.splice(at, 1)[0];
    if (hold) {
      hold.caught(r);
      await hold.released;
    }
    this.requests.push(r);
    const answer = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const upstream = httpRequest(
        { host: this.target.hostname, port: this.target.port, method: r.method, path: r.url, headers: r.headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(r.body);
    });
    r.status = answer.status;
    hold?.forwarded(answer.status);
    return answer;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
