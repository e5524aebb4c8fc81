/**
 * VuHttp and Http1Connection against raw node:net (and node:tls) servers on 127.0.0.1 that write hand-crafted
 * responses, so the framing, the write pattern and the closing of connections are under the test's control:
 * chunked and close-delimited bodies, Connection: close, keep-alive reuse, responses in many delayed pieces and the
 * timing breakdown, stale keep-alive connections (idempotent retry, no retry for POST), malformed and unsolicited
 * bytes, timeouts and interrupt, the exact request bytes on the wire, takeBytes against the server's byte counts,
 * and certificate verification over TLS.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VuHttp, type HttpRequest, type HttpResponse } from '../../../scenarios/engine/http.ts';

interface SeenRequest {
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

type Reply = (req: SeenRequest, sock: Socket, server: RawServer) => void;

interface RawServer {
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

afterEach(async () => {
  await Promise.all(vus.splice(0).map((v) => v.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Parses requests off each connection (Content-Length bodies only) and hands each to `reply`. */
async function rawServer(reply: Reply, tlsOptions?: { key: Buffer; cert: Buffer }): Promise<RawServer> {
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

function vu(): VuHttp {
  const v = new VuHttp();
  vus.push(v);
  return v;
}

function req(server: RawServer, over: Partial<HttpRequest> = {}): HttpRequest {
  return { origin: server.origin, path: '/', method: 'GET', headers: [], timeoutMs: 5000, keepBody: true, ...over };
}

const ok = (body = 'ok', extra = ''): string => `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
const never: Reply = () => {};
const text = (r: HttpResponse): string => r.body.toString('utf8');

describe('VuHttp framing over real connections', () => {
  it('reads chunked responses and keeps the connection', async () => {
    const s = await rawServer((_r, sock) => {
      sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=1\r\n world\r\n0\r\nX-T: 1\r\n\r\n');
    });
    const http = vu();
    for (let i = 0; i < 3; i++) {
      const r = await http.request(req(s));
      expect(r.status).toBe(200);
      expect(text(r)).toBe('hello world');
      expect(r.bodySize).toBe(11);
    }
    expect(s.connections).toBe(1);
  });

  it('reads a close-delimited body; the next request opens a new connection', async () => {
    const s = await rawServer((r, sock) => { sock.end(`HTTP/1.1 200 OK\r\nX-N: ${r.conn}\r\n\r\nuntil the close ${r.conn}`); });
    const http = vu();
    const a = await http.request(req(s));
    const b = await http.request(req(s, { keepBody: false }));
    expect(a.status).toBe(200);
    expect(text(a)).toBe('until the close 0');
    expect(b.status).toBe(200);
    expect(b.body.length).toBe(0);
    expect(b.bodySize).toBe('until the close 1'.length);
    expect(s.connections).toBe(2);
    expect(s.requests.map((q) => q.conn)).toEqual([0, 1]);
    expect(b.timings.connecting).toBeGreaterThan(0);
  });

  it('closes after Connection: close and reconnects for the next request', async () => {
    // The server leaves its side open: the client must close it.
    const s = await rawServer((_r, sock) => { sock.write(ok('bye', 'Connection: close\r\n')); });
    const http = vu();
    const a = await http.request(req(s));
    expect(a.status).toBe(200);
    expect(text(a)).toBe('bye');
    await until(() => s.closed.has(0), 'the client to close the connection');
    const b = await http.request(req(s));
    expect(b.status).toBe(200);
    expect(s.connections).toBe(2);
  });

  it('closes after an HTTP/1.0 response without keep-alive, reuses one with it', async () => {
    let keep = false;
    const s = await rawServer((_r, sock) => {
      sock.write(`HTTP/1.0 200 OK\r\nContent-Length: 2\r\n${keep ? 'Connection: keep-alive\r\n' : ''}\r\nok`);
    });
    const http = vu();
    expect((await http.request(req(s))).status).toBe(200);
    expect((await http.request(req(s))).status).toBe(200);
    expect(s.connections).toBe(2);
    keep = true;
    expect((await http.request(req(s))).status).toBe(200);
    expect((await http.request(req(s))).status).toBe(200);
    expect((await http.request(req(s))).status).toBe(200);
    expect(s.connections).toBe(3);
  });

  it('reuses one keep-alive connection for many requests', async () => {
    const s = await rawServer((r, sock) => { sock.write(ok(`n${r.index}`)); });
    const http = vu();
    for (let i = 0; i < 50; i++) {
      const r = await http.request(req(s, { path: `/i/${i}` }));
      expect(r.status).toBe(200);
      expect(text(r)).toBe(`n${i}`);
      if (i > 0) expect(r.timings.connecting).toBe(0);
    }
    expect(s.connections).toBe(1);
    expect(s.requests.map((q) => q.target)).toEqual(Array.from({ length: 50 }, (_, i) => `/i/${i}`));
  });

  it('skips 100 and 103 interim responses', async () => {
    const s = await rawServer((_r, sock) => {
      sock.write('HTTP/1.1 100 Continue\r\n\r\n');
      setTimeout(() => sock.write(`HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n${ok('final')}`), 10);
    });
    const http = vu();
    const r = await http.request(req(s));
    expect(r.status).toBe(200);
    expect(text(r)).toBe('final');
    expect((await http.request(req(s))).status).toBe(200);
    expect(s.connections).toBe(1);
  });

  it('HEAD, 204 and 304 have no body and keep the connection', async () => {
    const s = await rawServer((r, sock) => {
      if (r.method === 'HEAD') sock.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n');
      else if (r.target === '/204') sock.write('HTTP/1.1 204 No Content\r\n\r\n');
      else if (r.target === '/304') sock.write('HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n');
      else sock.write(ok('after'));
    });
    const http = vu();
    const head = await http.request(req(s, { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(head.bodySize).toBe(0);
    expect((await http.request(req(s, { path: '/204' }))).status).toBe(204);
    expect((await http.request(req(s, { path: '/304' }))).status).toBe(304);
    const after = await http.request(req(s));
    expect(text(after)).toBe('after');
    expect(s.connections).toBe(1);
  });

  it('times a response written in delayed pieces as k6 does', async () => {
    const pieces = ['HTTP/1.1 200 OK\r\nContent-Le', 'ngth: 10\r\n', '\r\nabc', 'def', 'ghij'];
    const s = await rawServer((_r, sock) => {
      let i = 0;
      const next = (): void => {
        sock.write(pieces[i++]!);
        if (i < pieces.length) setTimeout(next, 15);
      };
      setTimeout(next, 15);
    });
    const http = vu();
    for (let round = 0; round < 2; round++) {
      const r = await http.request(req(s));
      expect(r.status).toBe(200);
      expect(text(r)).toBe('abcdefghij');
      const t = r.timings;
      expect(t.waiting).toBeGreaterThan(0);
      expect(t.receiving).toBeGreaterThan(0);
      expect(t.sending).toBeGreaterThanOrEqual(0);
      expect(t.duration).toBeCloseTo(t.sending + t.waiting + t.receiving, 6);
      expect(t.blocked).toBeGreaterThanOrEqual(t.connecting);
      if (round === 0) expect(t.connecting).toBeGreaterThan(0);
      else expect(t.connecting).toBe(0);
      expect(t.tlsHandshaking).toBe(0);
      expect(r.endedAt).toBeGreaterThan(0);
    }
    expect(s.connections).toBe(1);
  });

  it('reads a large chunked body written in many small pieces', async () => {
    const body = Buffer.alloc(200_000);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
    const s = await rawServer((_r, sock) => {
      sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
      let at = 0;
      const next = (): void => {
        const n = Math.min(body.length - at, 9000);
        sock.write(`${n.toString(16)}\r\n`);
        sock.write(body.subarray(at, at + n));
        sock.write('\r\n');
        at += n;
        if (at < body.length) setImmediate(next);
        else sock.write('0\r\n\r\n');
      };
      next();
    });
    const http = vu();
    const r = await http.request(req(s));
    expect(r.status).toBe(200);
    expect(r.bodySize).toBe(body.length);
    expect(r.body.equals(body)).toBe(true);
  });
});

describe('VuHttp and stale or broken connections', () => {
  it('a GET after the server closed an idle keep-alive connection succeeds', async () => {
    const s = await rawServer((_r, sock) => { sock.write(ok()); sock.end(); });
    const http = vu();
    for (let i = 0; i < 5; i++) {
      const r = await http.request(req(s));
      expect(r.status, r.error).toBe(200);
    }
    expect(s.connections).toBeGreaterThanOrEqual(5);
  });

  for (const how of ['end', 'reset'] as const) {
    it(`retries a GET once when a reused connection is closed (${how}) without an answer`, async () => {
      const s = await rawServer((r, sock) => {
        if (r.index === 0) sock.write(ok(`conn ${r.conn}`));
        else if (how === 'end') sock.end();
        else sock.resetAndDestroy();
      });
      const http = vu();
      expect(text(await http.request(req(s)))).toBe('conn 0');
      const r = await http.request(req(s));
      expect(r.status, r.error).toBe(200);
      expect(text(r)).toBe('conn 1');
      expect(s.requests.map((q) => [q.conn, q.index])).toEqual([[0, 0], [0, 1], [1, 0]]);
      expect(s.connections).toBe(2);
    });

    for (const method of ['POST', 'PUT', 'DELETE']) {
      it(`does not retry a ${method} (Go replays only GET, HEAD, OPTIONS, TRACE) on a reused connection closed (${how}) without an answer`, async () => {
        const s = await rawServer((r, sock) => {
          if (r.index === 0) sock.write(ok());
          else if (how === 'end') sock.end();
          else sock.resetAndDestroy();
        });
        const http = vu();
        expect((await http.request(req(s))).status).toBe(200);
        const r = await http.request(req(s, { method, body: '{"a":1}' }));
        expect(r.status).toBe(0);
        expect(r.error).toBeTruthy();
        await sleep(50);
        expect(s.requests.filter((q) => q.method === method)).toHaveLength(1);
        expect(s.connections).toBe(1);
        // The VU goes on with a new connection.
        expect((await http.request(req(s))).status).toBe(200);
        expect(s.connections).toBe(2);
      });
    }
  }

  it('does not retry a GET on a fresh connection closed without an answer', async () => {
    const s = await rawServer((_r, sock) => { sock.end(); });
    const http = vu();
    const r = await http.request(req(s));
    expect(r.status).toBe(0);
    expect(r.error).toMatch(/closed/);
    await sleep(50);
    expect(s.requests).toHaveLength(1);
  });

  it('retries only once: a GET that meets two dead connections fails', async () => {
    const s = await rawServer((r, sock) => {
      if (r.conn === 0 && r.index === 0) sock.write(ok());
      else sock.end();
    });
    const http = vu();
    expect((await http.request(req(s))).status).toBe(200);
    const r = await http.request(req(s));
    expect(r.status).toBe(0);
    await sleep(50);
    expect(s.requests).toHaveLength(3);
  });

  it('does not retry after a partial response', async () => {
    const s = await rawServer((r, sock) => {
      if (r.index === 0) sock.write(ok());
      else sock.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    });
    const http = vu();
    expect((await http.request(req(s))).status).toBe(200);
    const r = await http.request(req(s));
    expect(r.status).toBe(0);
    expect(r.bodySize).toBe(3);
    expect(r.error).toMatch(/closed/);
    await sleep(50);
    expect(s.requests).toHaveLength(2);
  });

  it('a malformed response is status 0 with a "malformed" error, and the connection is dropped', async () => {
    const s = await rawServer((r, sock) => {
      if (r.conn === 0) sock.write('HTTP/1.1 2x0 Nope\r\nContent-Length: 0\r\n\r\n');
      else sock.write(ok());
    });
    const http = vu();
    const bad = await http.request(req(s));
    expect(bad.status).toBe(0);
    expect(bad.error).toMatch(/malformed/);
    await until(() => s.closed.has(0), 'the client to drop the connection');
    const good = await http.request(req(s));
    expect(good.status).toBe(200);
    expect(s.connections).toBe(2);
  });

  it('a malformed chunked body is status 0 with a "malformed" error', async () => {
    const s = await rawServer((_r, sock) => { sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n'); });
    const http = vu();
    const r = await http.request(req(s));
    expect(r.status).toBe(0);
    expect(r.error).toMatch(/malformed/);
    await until(() => s.closed.has(0), 'the client to drop the connection');
  });

  it('bytes after the response in the same write: response ok, connection not reused', async () => {
    const s = await rawServer((_r, sock) => { sock.write(`${ok('fine')}GARBAGE`); });
    const http = vu();
    const r = await http.request(req(s));
    expect(r.status).toBe(200);
    expect(text(r)).toBe('fine');
    await until(() => s.closed.has(0), 'the client to drop the connection');
    expect((await http.request(req(s))).status).toBe(200);
    expect(s.connections).toBe(2);
  });

  it('unsolicited bytes on an idle connection: the connection is dropped', async () => {
    const s = await rawServer((r, sock) => {
      sock.write(ok());
      if (r.conn === 0) setTimeout(() => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), 20);
    });
    const http = vu();
    expect((await http.request(req(s))).status).toBe(200);
    await until(() => s.closed.has(0), 'the client to drop the connection');
    expect((await http.request(req(s))).status).toBe(200);
    expect(s.connections).toBe(2);
  });
});

describe('VuHttp timeouts and interrupt', () => {
  it('times out when the server never answers', async () => {
    const s = await rawServer(never);
    const http = vu();
    const r = await http.request(req(s, { timeoutMs: 100 }));
    expect(r.status).toBe(0);
    expect(r.error).toMatch(/timeout/);
    await until(() => s.closed.has(0), 'the client to close the timed-out connection');
    expect(s.requests).toHaveLength(1);
  });

  it('times out in the middle of a body', async () => {
    const s = await rawServer((_r, sock) => { sock.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc'); });
    const http = vu();
    const r = await http.request(req(s, { timeoutMs: 150 }));
    expect(r.status).toBe(0);
    expect(r.error).toMatch(/timeout/);
    expect(r.bodySize).toBe(3);
  });

  it('a short timeout after a long one fires on time', async () => {
    const s = await rawServer((r, sock) => { if (r.target === '/ok') sock.write(ok()); });
    const http = vu();
    expect((await http.request(req(s, { path: '/ok', timeoutMs: 60_000 }))).status).toBe(200);
    const t0 = performance.now();
    const r = await http.request(req(s, { path: '/never', timeoutMs: 100 }));
    expect(r.status).toBe(0);
    expect(r.error).toMatch(/timeout/);
    // Well before the 60 s timer armed for the first request.
    expect(performance.now() - t0).toBeLessThan(10_000);
  }, 20_000);

  it('a long timeout after a short one does not fire early', async () => {
    const s = await rawServer((r, sock) => {
      if (r.target === '/late') setTimeout(() => sock.write(ok('late')), 300);
      else sock.write(ok());
    });
    const http = vu();
    expect((await http.request(req(s, { timeoutMs: 100 }))).status).toBe(200);
    const r = await http.request(req(s, { path: '/late', timeoutMs: 5000 }));
    expect(r.status, r.error).toBe(200);
    expect(text(r)).toBe('late');
  });

  it('a timeout on a reused connection is not retried', async () => {
    const s = await rawServer((r, sock) => { if (r.index === 0) sock.write(ok()); });
    const http = vu();
    expect((await http.request(req(s))).status).toBe(200);
    const r = await http.request(req(s, { timeoutMs: 100 }));
    expect(r.status).toBe(0);
    expect(r.error).toMatch(/timeout/);
    await sleep(50);
    expect(s.requests).toHaveLength(2);
  });

  for (const keepBody of [false, true]) {
    it(`interrupt() ends the request in flight with status 0 (keepBody ${keepBody})`, async () => {
      const s = await rawServer((_r, sock) => { sock.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789'); });
      const http = vu();
      const p = http.request(req(s, { keepBody, timeoutMs: 10_000 }));
      await until(() => s.requests.length === 1, 'the request');
      await sleep(100); // for the partial body to reach the client
      http.interrupt();
      const r = await p;
      expect(r.status).toBe(0);
      expect(r.error).toMatch(/interrupt/);
      expect(r.bodySize).toBe(10);
      if (!keepBody) expect(r.body.length).toBe(0);
      else expect('0123456789'.startsWith(text(r))).toBe(true);
      await until(() => s.closed.has(0), 'the client to close the interrupted connection');
      // An interrupt with nothing in flight changes nothing for the next request.
      http.interrupt();
      const s2 = await rawServer((_r, sock) => { sock.write(ok()); });
      expect((await http.request(req(s2))).status).toBe(200);
    });
  }
});

describe('VuHttp request bytes on the wire', () => {
  it('writes the request line and a host header', async () => {
    const s = await rawServer((_r, sock) => { sock.write(ok()); });
    const http = vu();
    await http.request(req(s, { path: '/a/b?q=1&r=%20' }));
    expect(s.requests[0]!.head).toBe(`GET /a/b?q=1&r=%20 HTTP/1.1\r\nhost: 127.0.0.1:${s.port}\r\n\r\n`);
    await http.request(req(s, { method: 'DELETE', path: '/x', headers: ['X-One', '1', 'accept', '*/*'] }));
    expect(s.requests[1]!.head).toBe(`DELETE /x HTTP/1.1\r\nX-One: 1\r\naccept: */*\r\nhost: 127.0.0.1:${s.port}\r\n\r\n`);
  });

  it('sends Content-Length in bytes for string and Buffer bodies', async () => {
    const s = await rawServer((_r, sock) => { sock.write(ok()); });
    const http = vu();
    const utf8 = 'héllo ✓ 😀';
    await http.request(req(s, { method: 'POST', body: utf8, headers: ['content-type', 'text/plain; charset=utf-8'] }));
    const bin = Buffer.from([0, 1, 2, 0x0d, 0x0a, 0x0d, 0x0a, 255]);
    await http.request(req(s, { method: 'PUT', body: bin }));
    await http.request(req(s, { method: 'POST', body: '' }));
    await http.request(req(s, { method: 'GET', body: '' }));
    const [a, b, c, d] = s.requests;
    expect(a!.headers.filter(([n]) => n === 'content-length')).toEqual([['content-length', String(Buffer.byteLength(utf8))]]);
    expect(Buffer.byteLength(utf8)).toBeGreaterThan(utf8.length);
    expect(a!.body.toString('utf8')).toBe(utf8);
    expect(b!.headers).toContainEqual(['content-length', '8']);
    expect(b!.body.equals(bin)).toBe(true);
    expect(c!.headers).toContainEqual(['content-length', '0']);
    expect(d!.headers.some(([n]) => n.toLowerCase() === 'content-length')).toBe(false);
    expect(s.connections).toBe(1);
  });

  it('does not duplicate a Host or Content-Length header the step set', async () => {
    const s = await rawServer((_r, sock) => { sock.write(ok()); });
    const http = vu();
    await http.request(req(s, { method: 'POST', body: 'abc', headers: ['Host', 'example.test', 'Content-Length', '3'] }));
    const h = s.requests[0]!.headers;
    expect(h.filter(([n]) => n.toLowerCase() === 'host')).toEqual([['Host', 'example.test']]);
    expect(h.filter(([n]) => n.toLowerCase() === 'content-length')).toEqual([['Content-Length', '3']]);
  });

  it('refuses header names that are not tokens and values with control characters, sending nothing', async () => {
    const s = await rawServer((_r, sock) => { sock.write(ok()); });
    const http = vu();
    for (const headers of [['x-a', 'v\r\nx-injected: 1'], ['x-a', 'v\nb'], ['x-a', 'v\rb'], ['x-a\r\nx-b', 'v'], ['x-a', 'v\u0000'], ['x-a', 'v\u007f'], ['x a', 'v'], ['', 'v']]) {
      const r = await http.request(req(s, { headers }));
      expect(r.status).toBe(0);
      expect(r.error).toMatch(/control character|not an HTTP token/);
    }
    await sleep(50);
    expect(s.connections).toBe(0);
    expect(http.takeBytes()).toEqual({ sent: 0, received: 0 });
    expect((await http.request(req(s))).status).toBe(200);
  });

  it("percent-encodes spaces, controls and non-ASCII in a path (as Go's URL.EscapedPath), keeping existing escapes", async () => {
    const s = await rawServer((_r, sock) => { sock.write(ok()); });
    const http = vu();
    const paths = ['/a b', '/a\r\nx: 1', '/a\tb', '/admin\u4e2fsecret', '/q?x=%20&y=é'];
    for (const path of paths) expect((await http.request(req(s, { path }))).status).toBe(200);
    expect(s.requests.map((r) => r.target)).toEqual(['/a%20b', '/a%0D%0Ax:%201', '/a%09b', '/admin%E4%B8%AFsecret', '/q?x=%20&y=%C3%A9']);
  });

  it('refuses a method that is not a token, sending nothing', async () => {
    const s = await rawServer((_r, sock) => { sock.write(ok()); });
    const http = vu();
    for (const method of ['GET /x', 'GE\nT', '']) {
      const r = await http.request(req(s, { method }));
      expect(r.status).toBe(0);
      expect(r.error).toMatch(/invalid method/);
    }
    await sleep(50);
    expect(s.connections).toBe(0);
  });

  it("writes header values and a string body as UTF-8, as Go's client does", async () => {
    const s = await rawServer((_r, sock) => { sock.write(ok()); });
    const http = vu();
    await http.request(req(s, { method: 'POST', body: 'é', headers: ['x-name', 'Zoē'] }));
    const r = s.requests[0]!;
    expect(r.head).toContain(`x-name: ${Buffer.from('Zoē', 'utf8').toString('latin1')}\r\n`);
    expect(r.body.equals(Buffer.from('é', 'utf8'))).toBe(true);
  });

  it('sends a large body whole, timed until the socket took it', async () => {
    const s = await rawServer((_r, sock) => { sock.write(ok()); });
    const http = vu();
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    const r = await http.request(req(s, { method: 'PUT', body: big }));
    expect(r.status).toBe(200);
    expect(s.requests[0]!.body.equals(big)).toBe(true);
    const t = r.timings;
    expect(t.sending).toBeGreaterThan(0);
    expect(t.duration).toBeCloseTo(t.sending + t.waiting + t.receiving, 6);
  });

  it('announces an empty body with Content-Length: 0 for POST, PUT and PATCH only', async () => {
    const s = await rawServer((_r, sock) => { sock.write(ok()); });
    const http = vu();
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'GET']) await http.request(req(s, { method }));
    expect(s.requests.map((r) => r.headers.find(([n]) => n === 'content-length')?.[1])).toEqual(['0', '0', '0', undefined, undefined]);
  });

  it('times a request that got no connection as k6 does: all blocked, duration 0', async () => {
    const http = vu();
    const r = await http.request({ origin: 'http://127.0.0.1:1', path: '/', method: 'GET', headers: [], timeoutMs: 2000, keepBody: false });
    expect(r.status).toBe(0);
    expect(r.timings.blocked).toBeGreaterThan(0);
    expect(r.timings.blocked).toBeCloseTo(r.endedAt - (r.endedAt - r.timings.blocked), 6);
    expect([r.timings.sending, r.timings.waiting, r.timings.receiving, r.timings.duration]).toEqual([0, 0, 0, 0]);
  });

  it('close() with a request in flight resolves it with status 0 and opens no new connection', async () => {
    const s = await rawServer((r, sock) => { if (r.index === 0) sock.write(ok()); });
    const http = vu();
    expect((await http.request(req(s))).status).toBe(200);
    const pending = http.request(req(s));
    await sleep(30);
    await http.close();
    const r = await pending;
    expect(r.status).toBe(0);
    await sleep(50);
    expect(s.connections).toBe(1);
    expect((await http.request(req(s))).status).toBe(0);
  });

  it('an invalid origin is status 0 with an error', async () => {
    const http = vu();
    const a = await http.request({ origin: 'not a url', path: '/', method: 'GET', headers: [], timeoutMs: 1000, keepBody: false });
    expect(a.status).toBe(0);
    expect(a.error).toMatch(/invalid URL/);
    const b = await http.request({ origin: 'ftp://127.0.0.1:21', path: '/', method: 'GET', headers: [], timeoutMs: 1000, keepBody: false });
    expect(b.status).toBe(0);
    expect(b.error).toMatch(/unsupported protocol/);
  });
});

describe('VuHttp byte counts', () => {
  it('takeBytes() equals what the servers read and wrote', async () => {
    const body = 'x'.repeat(5000);
    const a = await rawServer((r, sock) => {
      if (r.target === '/chunked') sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
      else if (r.target === '/close') sock.write(ok('c', 'Connection: close\r\n'));
      else if (r.target === '/eof') sock.end('HTTP/1.1 200 OK\r\n\r\nto the end');
      else if (r.target === '/extra') sock.write(`${ok()}EXTRA`);
      else if (r.target === '/stale' && r.index > 0) sock.end();
      else sock.write(ok(body));
    });
    const b = await rawServer((_r, sock) => { sock.write(ok('b')); });
    const http = vu();
    const paths = ['/', '/chunked', '/close', '/', '/eof', '/', '/extra', '/stale', '/stale'];
    for (const path of paths) {
      // The second GET of /stale goes out on a reused connection that the server closes, and is retried.
      const method = path === '/stale' ? 'GET' : 'POST';
      const r = await http.request(req(a, { path, method, body: method === 'POST' ? `body of ${path}` : undefined }));
      expect(r.status, `${path}: ${r.error}`).toBe(200);
      expect((await http.request(req(b, { path: '/b', keepBody: false }))).status).toBe(200);
    }
    expect(a.connections).toBe(5);
    const bytes1 = http.takeBytes();
    await http.close();
    await until(() => a.closed.size === a.connections && b.closed.size === b.connections, 'server connections to close');
    const bytes2 = http.takeBytes();
    expect(bytes1.sent + bytes2.sent).toBe(a.bytesIn() + b.bytesIn());
    expect(bytes1.received + bytes2.received).toBe(a.bytesOut() + b.bytesOut());
    expect(http.takeBytes()).toEqual({ sent: 0, received: 0 });
    expect(a.bytesOut()).toBeGreaterThan(4 * body.length);
  });

  it('takeBytes() counts per call and includes retried requests', async () => {
    const s = await rawServer((r, sock) => { if (r.index === 0) sock.write(ok('hello')); else sock.end(); });
    const http = vu();
    await http.request(req(s));
    const first = http.takeBytes();
    expect(first.sent).toBe(s.bytesIn());
    expect(first.received).toBe(s.bytesOut());
    const r = await http.request(req(s));
    expect(r.status, r.error).toBe(200);
    const second = http.takeBytes();
    expect(first.sent + second.sent).toBe(s.bytesIn());
    expect(first.received + second.received).toBe(s.bytesOut());
    expect(second.sent).toBeGreaterThan(first.sent); // the request went out twice
  });
});

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const OPENSSL = hasOpenssl();

describe('VuHttp over TLS', () => {
  let dir = '';
  let key = Buffer.alloc(0);
  let cert = Buffer.alloc(0);
  beforeAll(() => {
    if (!OPENSSL) return;
    dir = mkdtempSync(join(tmpdir(), 'caplab-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore', timeout: 20_000 });
    key = readFileSync(join(dir, 'key.pem'));
    cert = readFileSync(join(dir, 'cert.pem'));
  });
  afterAll(() => { if (dir !== '') rmSync(dir, { recursive: true, force: true }); });

  it.skipIf(!OPENSSL)('refuses a server whose certificate is not trusted', async () => {
    const s = await rawServer((_r, sock) => { sock.write(ok()); }, { key, cert });
    const http = vu();
    for (const origin of [s.origin, `https://localhost:${s.port}`]) {
      const r = await http.request(req(s, { origin }));
      expect(r.status).toBe(0);
      expect(r.error).toMatch(/certificate/i);
      // The TCP connection was made, the handshake failed: connecting counts, nothing was sent (k6's timings).
      expect(r.timings.connecting).toBeGreaterThan(0);
      expect(r.timings.blocked).toBeGreaterThanOrEqual(r.timings.connecting);
      expect(r.timings.duration).toBe(0);
    }
    await sleep(50);
    expect(s.requests).toHaveLength(0);
  });

  // The certificate can only be trusted from process start (NODE_EXTRA_CA_CERTS), so a child process makes these
  // requests against the server of this one.
  it.skipIf(!OPENSSL)('talks HTTPS to a trusted server: SNI, reuse, chunked and close-delimited bodies, TLS timing', async () => {
    const s = await rawServer((r, sock) => {
      if (r.target === '/chunked') sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nsafe\r\n0\r\n\r\n');
      else if (r.target === '/eof') sock.end('HTTP/1.1 200 OK\r\n\r\nuntil close');
      else sock.write(ok(`tls ${r.conn}`));
    }, { key, cert });
    const script = join(dir, 'client.mjs');
    writeFileSync(script, `
      const { VuHttp } = await import(process.argv[2]);
      const port = process.argv[3];
      const http = new VuHttp();
      const out = [];
      for (const [host, path] of [['127.0.0.1', '/'], ['127.0.0.1', '/chunked'], ['localhost', '/'], ['localhost', '/eof'], ['localhost', '/']]) {
        const r = await http.request({ origin: 'https://' + host + ':' + port, path, method: 'GET', headers: [], timeoutMs: 5000, keepBody: true });
        out.push({ status: r.status, body: r.body.toString(), error: r.error, t: r.timings, bytes: http.takeBytes() });
      }
      await http.close();
      console.log(JSON.stringify(out));
    `);
    const httpModule = pathToFileURL(resolve('scenarios/engine/http.ts')).href;
    const stdout = await new Promise<string>((done, fail) => {
      execFile(process.execPath, ['--import', 'tsx', script, httpModule, String(s.port)], {
        cwd: process.cwd(), timeout: 30_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') },
      }, (err, out, errOut) => (err ? fail(new Error(`${err.message}\n${errOut}`)) : done(out)));
    });
    const results = JSON.parse(stdout.trim().split('\n').pop()!) as { status: number; body: string; error?: string; t: HttpResponse['timings']; bytes: { sent: number; received: number } }[];
    expect(results.map((r) => [r.status, r.body, r.error])).toEqual([
      [200, 'tls 0', undefined], [200, 'safe', undefined], [200, 'tls 1', undefined], [200, 'until close', undefined], [200, 'tls 2', undefined],
    ]);
    const [first, reused, , , afterEof] = results;
    expect(first!.t.connecting).toBeGreaterThan(0);
    expect(first!.t.tlsHandshaking).toBeGreaterThan(0);
    expect(first!.t.blocked).toBeGreaterThanOrEqual(first!.t.connecting + first!.t.tlsHandshaking - 0.001);
    expect(reused!.t.tlsHandshaking).toBe(0);
    expect(reused!.t.connecting).toBe(0);
    expect(afterEof!.t.tlsHandshaking).toBeGreaterThan(0);
    expect(s.connections).toBe(3);
    // Bytes on the wire, as k6 counts them: a new connection's handshake (the certificate alone is hundreds of bytes)
    // shows in data_received and data_sent; a reused one carries only the TLS records of the exchange.
    expect(first!.bytes.received).toBeGreaterThan(reused!.bytes.received + 300);
    expect(first!.bytes.sent).toBeGreaterThan(reused!.bytes.sent + 100);
    expect(reused!.bytes.received).toBeGreaterThan('HTTP/1.1 200 OK\r\n\r\n'.length);
  }, 40_000);
});
