import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VuHttp } from '../../scenarios/engine/vu-http.ts';
import { startServer, type TestServer } from './server.ts';

let server: TestServer;
beforeAll(async () => { server = await startServer(); });
afterAll(async () => { await server.close(); });

describe('VuHttp', () => {
  it('keeps one connection alive per VU and times requests as k6 does', async () => {
    const http = new VuHttp();
    const before = server.connections;
    const first = await http.request({ origin: server.url, path: '/slow?ms=30', method: 'GET', headers: [], timeoutMs: 5000, keepBody: true });
    const second = await http.request({ origin: server.url, path: '/ok', method: 'GET', headers: [], timeoutMs: 5000, keepBody: true });
    expect(server.connections - before).toBe(1);
    expect(first.status).toBe(200);
    expect(first.body.toString()).toBe('slow');
    expect(first.timings.connecting).toBeGreaterThan(0);
    expect(first.timings.blocked).toBeGreaterThanOrEqual(first.timings.connecting);
    expect(second.timings.connecting).toBe(0);
    const t = first.timings;
    expect(t.duration).toBeCloseTo(t.sending + t.waiting + t.receiving, 6);
    expect(t.waiting).toBeGreaterThanOrEqual(25);
    const bytes = http.takeBytes();
    expect(bytes.sent).toBeGreaterThan(40);
    expect(bytes.received).toBeGreaterThan(40);
    expect(http.takeBytes()).toEqual({ sent: 0, received: 0 });
    await http.close();
  });

  it('gives each VU its own connections', async () => {
    const a = new VuHttp();
    const b = new VuHttp();
    const before = server.connections;
    await Promise.all([a, b].map((h) => h.request({ origin: server.url, path: '/ok', method: 'GET', headers: [], timeoutMs: 5000, keepBody: false })));
    expect(server.connections - before).toBe(2);
    await Promise.all([a.close(), b.close()]);
  });

  it('reports network errors and timeouts as status 0, never throwing', async () => {
    const http = new VuHttp();
    const refused = await http.request({ origin: 'http://127.0.0.1:1', path: '/', method: 'GET', headers: [], timeoutMs: 2000, keepBody: false });
    expect(refused.status).toBe(0);
    expect(refused.error).toMatch(/ECONNREFUSED|connect/);
    const slow = await http.request({ origin: server.url, path: '/slow?ms=500', method: 'GET', headers: [], timeoutMs: 100, keepBody: false });
    expect(slow.status).toBe(0);
    await http.close();
  });

  it('interrupt aborts the request in flight', async () => {
    const http = new VuHttp();
    const p = http.request({ origin: server.url, path: '/slow?ms=2000', method: 'GET', headers: [], timeoutMs: 5000, keepBody: false });
    setTimeout(() => http.interrupt(), 50);
    const r = await p;
    expect(r.status).toBe(0);
    expect(r.endedAt).toBeGreaterThan(0);
    await http.close();
  });
});
