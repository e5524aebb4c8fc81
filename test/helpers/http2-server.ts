/**
 * Test helper: HTTPS servers on 127.0.0.1 port 0 for the engine's HTTP/2 path, with a self-signed certificate (the
 * VUs skip verification, k6's insecureSkipTLSVerify):
 * - {@link h2Server}: node:http2's secure server (ALPN h2), recording sessions, streams and the bytes on the wire;
 * - {@link frameServer}: a TLS server that chooses h2 and lets the test write HTTP/2 frames by hand (GOAWAY with any
 *   last stream id, RST_STREAM with any code, a peer that is not HTTP/2 at all).
 * Plus VUs and requests for them; {@link closeH2} closes all of them after each test.
 */
import { createSecureServer, type Http2SecureServer, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { HttpRequest } from '../../scenarios/engine/http-request.ts';
import { VuHttp } from '../../scenarios/engine/vu-http.ts';
import { type SelfSignedCert, selfSignedCert } from './self-signed-cert.ts';

let certificate: SelfSignedCert | undefined;

/** The certificate of every server here, made once per test file. */
export function testCert(): SelfSignedCert {
  certificate ??= selfSignedCert();
  return certificate;
}

/** A stream as the server saw it. */
export interface SeenStream {
  /** Session number on the server, from 0. */
  session: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The stream's RST_STREAM code once closed (0 when it ended cleanly). */
  rstCode?: number;
}

/** A running node:http2 server. */
export interface H2Server {
  origin: string;
  port: number;
  sessions: ServerHttp2Session[];
  /** Sessions that have closed on the server side. */
  closedSessions: Set<number>;
  streams: SeenStream[];
  /** Bytes the server read and wrote on the wire (its TCP sockets, under TLS). */
  bytesIn(): number;
  bytesOut(): number;
  close(): Promise<void>;
}

/** Answers one stream once its request body has arrived. */
export type H2Reply = (stream: ServerHttp2Stream, seen: SeenStream, server: H2Server) => void;

const closers: (() => Promise<void>)[] = [];
const vus: VuHttp[] = [];

/** Closes every VU and server made since the last call; for `afterEach`. */
export async function closeH2(): Promise<void> {
  await Promise.all(vus.splice(0).map((v) => v.close()));
  await Promise.all(closers.splice(0).map((c) => c()));
}

/**
 * Starts node:http2's secure server.
 * @param reply answers each stream
 * @returns the running server
 */
export async function h2Server(reply: H2Reply): Promise<H2Server> {
  const sessions: ServerHttp2Session[] = [];
  const closedSessions = new Set<number>();
  const streams: SeenStream[] = [];
  const sockets: Socket[] = [];
  const server: Http2SecureServer = createSecureServer({ ...testCert() });
  let self: H2Server;
  server.on('connection', (raw: Socket) => { sockets.push(raw); raw.on('error', () => {}); });
  server.on('sessionError', () => {});
  server.on('session', (s: ServerHttp2Session) => {
    const n = sessions.length;
    sessions.push(s);
    s.on('error', () => {});
    s.on('close', () => closedSessions.add(n));
  });
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    const seen: SeenStream = { session: sessions.indexOf(stream.session as ServerHttp2Session), headers, body: Buffer.alloc(0) };
    streams.push(seen);
    stream.on('error', () => {});
    stream.on('close', () => { seen.rstCode = stream.rstCode; });
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      seen.body = Buffer.concat(chunks);
      if (!stream.destroyed) reply(stream, seen, self);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  self = {
    origin: `https://127.0.0.1:${port}`,
    port,
    sessions,
    closedSessions,
    streams,
    bytesIn: () => sockets.reduce((t, s) => t + s.bytesRead, 0),
    bytesOut: () => sockets.reduce((t, s) => t + s.bytesWritten, 0),
    close: () => new Promise<void>((resolve) => {
      for (const s of sessions) s.destroy();
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
  closers.push(self.close);
  return self;
}

/** Answers 200 with `body` (default `ok`). */
export function respond(stream: ServerHttp2Stream, body: string | Buffer = 'ok', status = 200): void {
  stream.respond({ ':status': status, 'content-type': 'text/plain' });
  stream.end(body);
}

/** One HTTP/2 frame (RFC 9113 section 4.1). */
export function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(9 + payload.length);
  b.writeUIntBE(payload.length, 0, 3);
  b[3] = type;
  b[4] = flags;
  b.writeUInt32BE(streamId, 5);
  payload.copy(b, 9);
  return b;
}

/** Frame types and flags the tests write. */
export const FRAME = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, GOAWAY: 7, END_STREAM: 1, END_HEADERS: 4 } as const;

/** A GOAWAY frame. */
export function goawayFrame(lastStreamId: number, code: number): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(lastStreamId, 0);
  p.writeUInt32BE(code, 4);
  return frame(FRAME.GOAWAY, 0, 0, p);
}

/** A RST_STREAM frame. */
export function rstFrame(streamId: number, code: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(code, 0);
  return frame(FRAME.RST_STREAM, 0, streamId, p);
}

/** A 200 response on `streamId` with `body`: HEADERS (HPACK static index 8, `:status: 200`) and DATA ending the stream. */
export function okFrames(streamId: number, body: string): Buffer {
  return Buffer.concat([frame(FRAME.HEADERS, FRAME.END_HEADERS, streamId, Buffer.from([0x88])), frame(FRAME.DATA, FRAME.END_STREAM, streamId, Buffer.from(body))]);
}

/** A request's HEADERS frame as the frame server saw it. */
export interface SeenHeaders {
  /** Connection number on the server, from 0. */
  conn: number;
  streamId: number;
}

/** A running frame server. */
export interface FrameServer {
  origin: string;
  /** HEADERS frames received, in order. */
  requests: SeenHeaders[];
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * Starts a TLS server that chooses h2 by ALPN and speaks HTTP/2 by hand: after the client's preface it sends an empty
 * SETTINGS (unless `onConnect` writes something else first), then hands each HEADERS frame to `onHeaders`.
 * @param onHeaders answers a request: write frames to the socket, end or reset it
 * @param onConnect replaces the SETTINGS frame sent after the client's preface (a peer that is not HTTP/2)
 * @returns the running server
 */
export async function frameServer(
  onHeaders: (sock: TLSSocket, seen: SeenHeaders, raw: Socket) => void,
  onConnect?: (sock: TLSSocket) => void,
): Promise<FrameServer> {
  const requests: SeenHeaders[] = [];
  const sockets: Socket[] = [];
  let conns = 0;
  const server: TlsServer = createTlsServer({ ...testCert(), ALPNProtocols: ['h2'] }, (sock) => {
    const conn = conns++;
    const raw = sockets[conn]!;
    sock.on('error', () => {});
    let got = Buffer.alloc(0);
    let preface = false;
    sock.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (!preface) {
        if (got.length < 24) return;
        got = got.subarray(24);
        preface = true;
        if (onConnect !== undefined) { onConnect(sock); return; }
        sock.write(frame(FRAME.SETTINGS, 0, 0));
      }
      while (got.length >= 9) {
        const len = got.readUIntBE(0, 3);
        if (got.length < 9 + len) return;
        const type = got[3]!;
        const streamId = got.readUInt32BE(5) & 0x7fffffff;
        got = got.subarray(9 + len);
        if (type === FRAME.HEADERS) {
          const seen = { conn, streamId };
          requests.push(seen);
          onHeaders(sock, seen, raw);
        }
      }
    });
  });
  server.on('connection', (raw: Socket) => { sockets.push(raw); raw.on('error', () => {}); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const self: FrameServer = {
    origin: `https://127.0.0.1:${port}`,
    requests,
    get connections() { return conns; },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
  closers.push(self.close);
  return self;
}

/** A VU that accepts the self-signed certificate (k6's insecureSkipTLSVerify), closed by {@link closeH2}. */
export function h2Vu(): VuHttp {
  const v = new VuHttp({ insecureSkipTLSVerify: true });
  vus.push(v);
  return v;
}

/** A GET of `/` on `origin` (5 s timeout, body kept), with `over` applied. */
export function h2Req(origin: string, over: Partial<HttpRequest> = {}): HttpRequest {
  return { origin, path: '/', method: 'GET', headers: [], timeoutMs: 5000, keepBody: true, ...over };
}
