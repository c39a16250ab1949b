/** A local webhook receiver that counts events and, for latency runs, their age on arrival. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditEvent } from '../../src/event/index.js';

export interface Receiver {
  url: string;
  events: number;
  latencies: number[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const state: Receiver = { url: '', events: 0, latencies: [], close: async () => undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = Date.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AuditEvent | AuditEvent[];
      const list = Array.isArray(body) ? body : [body];
      state.events += list.length;
      for (const e of list) {
        const sent = (e.payload as { sent_at?: number }).sent_at;
        if (sent) state.latencies.push(now - sent);
      }
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/audit`;
  state.close = () => new Promise((r) => server.close(() => r()));
  return state;
}
