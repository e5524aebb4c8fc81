/**
 * Test helper: raw node:net (or node:tls) HTTP servers on 127.0.0.1 that parse each request (Content-Length bodies
 * only) and let the test write hand-crafted responses, so framing, write pattern and closing are under its control;
 * plus VUs and requests for them, closed by {@link closeRawHttp} after each test.
 */
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { HttpRequest } from '../../scenarios/engine/http-request.ts';
import type { HttpResponse } from '../../scenarios/engine/http-response.ts';
import { VuHttp } from '../../scenarios/engine/vu-http.ts';

/** A request as the server read it. */
export interface SeenRequest {
  /** Connection number on the server, from 0. */
  conn: number;
  /** Request number on its connection, from 0. */
  index: number;
  /** The head exactly as received, with the blank line. */
  head: string;
  method: string;
  target: string;
  headers: [string, string][];
  body: Buffer;
}

/** Answers one request (writes to, ends or destroys the socket as the test needs). */
export type Reply = (req: SeenRequest, sock: Socket, server: RawServer) => void;

/** A running raw server. */
export interface RawServer {
  origin: string;
  port: number;
  requests: SeenRequest[];
  sockets: Socket[];
  /** Sockets that have closed on the server side. */
  closed: Set<number>;
  readonly connections: number;
  /** Bytes the server read and wrote on all its connections. */
  bytesIn(): number;
  bytesOut(): number;
  close(): Promise<void>;
}

const servers: RawServer[] = [];
const vus: VuHttp[] = [];

/** Closes every VU and server made since the last call; for `afterEach`. */
export async function closeRawHttp(): Promise<void> {
  await Promise.all(vus.splice(0).map((v) => v.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
}

/** Waits `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 5 ms; throws naming `what` after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Starts a server that parses requests off each connection (Content-Length bodies only) and hands each to `reply`. */
export async function rawServer(reply: Reply, tlsOptions?: { key: Buffer; cert: Buffer }): Promise<RawServer> {
  const requests: SeenRequest[] = [];
  const sockets: Socket[] = [];
  const closed = new Set<number>();
  let self: RawServer;
  const onSocket = (sock: Socket): void => {
    const conn = sockets.length;
    sockets.push(sock);
    sock.on('error', () => {});
    sock.on('close', () => closed.add(conn));
    let pending = Buffer.alloc(0);
    let index = 0;
    sock.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.toString('latin1', 0, end + 4);
        const lines = head.slice(0, -4).split('\r\n');
        const [method = '', target = ''] = lines[0]!.split(' ');
        const headers = lines.slice(1).map((l): [string, string] => {
          const c = l.indexOf(':');
          return [l.slice(0, c), l.slice(c + 1).trim()];
        });
        const cl = headers.find(([n]) => n.toLowerCase() === 'content-length');
        const len = cl === undefined ? 0 : Number(cl[1]);
        if (pending.length < end + 4 + len) return;
        const body = Buffer.from(pending.subarray(end + 4, end + 4 + len));
        pending = pending.subarray(end + 4 + len);
        const req: SeenRequest = { conn, index: index++, head, method, target, headers, body };
        requests.push(req);
        reply(req, sock, self);
      }
    });
  };
  const server: Server = tlsOptions === undefined ? createNetServer(onSocket) : createTlsServer(tlsOptions, onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  self = {
    origin: `${tlsOptions === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    port,
    requests,
    sockets,
    closed,
    get connections() { return sockets.length; },
    bytesIn: () => sockets.reduce((t, s) => t + s.bytesRead, 0),
    bytesOut: () => sockets.reduce((t, s) => t + s.bytesWritten, 0),
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
  servers.push(self);
  return self;
}

/** A VU's HTTP client, closed by {@link closeRawHttp}. */
export function vu(): VuHttp {
  const v = new VuHttp();
  vus.push(v);
  return v;
}

/** A GET of `/` on `server` (5 s timeout, body kept), with `over` applied. */
export function req(server: RawServer, over: Partial<HttpRequest> = {}): HttpRequest {
  return { origin: server.origin, path: '/', method: 'GET', headers: [], timeoutMs: 5000, keepBody: true, ...over };
}

/** A 200 response with a Content-Length body and `extra` header lines. */
export const ok = (body = 'ok', extra = ''): string => `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
/** A reply that never answers. */
export const never: Reply = () => {};
/** The response body as UTF-8 text. */
export const text = (r: HttpResponse): string => r.body.toString('utf8');
