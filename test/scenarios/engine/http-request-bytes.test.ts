/**
 * The exact request bytes VuHttp writes (request line, Host, Content-Length, path encoding, header checks, UTF-8),
 * k6-like timings of requests without a connection, close() mid-request, and takeBytes() against the byte counts of
 * raw servers on 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeRawHttp, ok, rawServer, req, sleep, until, vu } from '../../helpers/raw-http-server.ts';

afterEach(closeRawHttp);

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
