/**
 * VuHttp and Http1Connection against raw servers on 127.0.0.1 that write hand-crafted responses: chunked and
 * close-delimited bodies, Connection: close, keep-alive reuse, responses in many delayed pieces and the timing
 * breakdown, stale keep-alive connections (replay of GET, none for POST/PUT/DELETE), malformed and unsolicited bytes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeRawHttp, ok, rawServer, req, sleep, text, until, vu } from '../../helpers/raw-http-server.ts';

afterEach(closeRawHttp);

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
