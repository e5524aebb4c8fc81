/**
 * VuHttp timeouts (one lazily re-armed timer per VU, short after long and long after short), no replay after a
 * timeout, and interrupt() of the request in flight, against raw servers on 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeRawHttp, never, ok, rawServer, req, sleep, text, until, vu } from '../../helpers/raw-http-server.ts';

afterEach(closeRawHttp);

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
