/**
 * VuHttp over HTTP/2 against node:http2's secure server on 127.0.0.1: ALPN as Go's transport (k6) does it (h2 when
 * the server picks it, HTTP/1.1 when it offers only http/1.1 or nothing), one session per VU and origin reused across
 * requests, k6's timing breakdown, bytes on the wire, the request as Go writes it, kept and capped bodies, timeouts
 * and interrupts that reset the stream but keep the session.
 */
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { k6ErrorOf } from '../../../scenarios/engine/error-codes.ts';
import type { HttpResponse, HttpTimings } from '../../../scenarios/engine/http-response.ts';
import { closeH2, h2Req, h2Server, h2Vu, respond, testCert } from '../../helpers/http2-server.ts';
import { until } from '../../helpers/raw-http-server.ts';

afterEach(closeH2);

/** k6's invariants of one request's timings. */
function expectK6Timings(t: HttpTimings): void {
  for (const [k, v] of Object.entries(t)) expect(v, k).toBeGreaterThanOrEqual(0);
  expect(t.duration).toBeCloseTo(t.sending + t.waiting + t.receiving, 6);
  expect(t.blocked).toBeGreaterThanOrEqual(t.connecting + t.tlsHandshaking - 1e-6);
}

async function httpsServer(alpn: string[] | undefined): Promise<{ origin: string; versions: string[]; close(): Promise<void> }> {
  const versions: string[] = [];
  const server: HttpsServer = createHttpsServer({ ...testCert(), ...(alpn === undefined ? {} : { ALPNProtocols: alpn }) }, (req, res) => {
    versions.push(req.httpVersion);
    res.end('h1');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    versions,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('VuHttp over HTTP/2', () => {
  it('speaks HTTP/2 when the server chooses h2 by ALPN, HTTP/1.1 when it offers only http/1.1 or no ALPN at all', async () => {
    const s = await h2Server((stream) => respond(stream, 'h2'));
    const http = h2Vu();
    const r = await http.request(h2Req(s.origin));
    expect([r.status, r.proto, r.body.toString(), r.error]).toEqual([200, 'HTTP/2.0', 'h2', undefined]);
    expect(s.streams).toHaveLength(1);
    for (const alpn of [['http/1.1'], undefined]) {
      const h1 = await httpsServer(alpn);
      try {
        const r1 = await http.request(h2Req(h1.origin));
        expect([r1.status, r1.proto, r1.body.toString()], String(alpn)).toEqual([200, 'HTTP/1.1', 'h1']);
        expect(h1.versions).toEqual(['1.1']);
      } finally {
        await h1.close();
      }
    }
  });

  it('one session per VU and origin, reused: connecting and tls_handshaking only on its first request; duration = sending + waiting + receiving', async () => {
    const s = await h2Server((stream) => respond(stream));
    const a = h2Vu();
    const b = h2Vu();
    const ra: HttpResponse[] = [];
    const rb: HttpResponse[] = [];
    for (let i = 0; i < 5; i++) ra.push(await a.request(h2Req(s.origin, { path: `/a${i}` })));
    for (let i = 0; i < 2; i++) rb.push(await b.request(h2Req(s.origin, { path: `/b${i}` })));
    for (const r of [...ra, ...rb]) {
      expect([r.status, r.proto]).toEqual([200, 'HTTP/2.0']);
      expectK6Timings(r.timings);
    }
    expect(s.sessions).toHaveLength(2);
    expect(s.streams.map((x) => `${x.session} ${x.headers[':path']}`)).toEqual(['0 /a0', '0 /a1', '0 /a2', '0 /a3', '0 /a4', '1 /b0', '1 /b1']);
    for (const first of [ra[0]!, rb[0]!]) {
      expect(first.timings.connecting).toBeGreaterThan(0);
      expect(first.timings.tlsHandshaking).toBeGreaterThan(0);
    }
    for (const later of [...ra.slice(1), ...rb.slice(1)]) expect([later.timings.connecting, later.timings.tlsHandshaking]).toEqual([0, 0]);
  });

  it('counts the bytes on the wire per session, handshake included: what the server read and wrote, exactly', async () => {
    const s = await h2Server((stream) => respond(stream, 'x'.repeat(1000)));
    const http = h2Vu();
    const bytes: { sent: number; received: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await http.request(h2Req(s.origin));
      expect(r.bodySize).toBe(1000);
      bytes.push(http.takeBytes());
    }
    for (const b of bytes) {
      expect(b.sent).toBeGreaterThan(0);
      expect(b.received).toBeGreaterThan(1000);
    }
    // The first exchange carries the handshake (the certificate alone is hundreds of bytes) and the connection preface.
    expect(bytes[0]!.received).toBeGreaterThan(bytes[1]!.received + 300);
    expect(bytes[0]!.sent).toBeGreaterThan(bytes[1]!.sent + 100);
    let sent = bytes.reduce((t, b) => t + b.sent, 0);
    let received = bytes.reduce((t, b) => t + b.received, 0);
    // Frames may still be in flight (SETTINGS ACK, WINDOW_UPDATE): at rest both ends agree to the byte.
    await until(() => {
      const more = http.takeBytes();
      sent += more.sent;
      received += more.received;
      return s.bytesIn() === sent && s.bytesOut() === received;
    }, `client ${sent}/${received} bytes vs server ${s.bytesIn()}/${s.bytesOut()}`);
  });

  it('sends the request as Go\'s transport writes it: :authority from Host, lower-case names, computed Content-Length, no connection headers', async () => {
    const s = await h2Server((stream, seen) => respond(stream, seen.body));
    const http = h2Vu();
    const body = JSON.stringify({ hello: 'wörld' });
    const r = await http.request(h2Req(s.origin, {
      method: 'POST', path: '/v1/echo?q=a b', body,
      headers: ['Content-Type', 'application/json', 'X-Trace', '1', 'x-trace', '2', 'Connection', 'keep-alive', 'Content-Length', '999', 'Host', 'api.test'],
    }));
    expect([r.status, r.body.toString()]).toEqual([200, body]);
    const h = s.streams[0]!.headers;
    expect(h).toMatchObject({
      ':method': 'POST', ':path': '/v1/echo?q=a%20b', ':scheme': 'https', ':authority': 'api.test',
      'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)),
    });
    expect(h['x-trace']).toBe('1, 2');
    expect(h.connection).toBeUndefined();
    const empty = await http.request(h2Req(s.origin, { method: 'POST' }));
    expect(empty.status).toBe(200);
    expect(s.streams[1]!.headers['content-length']).toBe('0');
    const get = await http.request(h2Req(s.origin));
    expect(get.status).toBe(200);
    expect(s.streams[2]!.headers[':authority']).toBe(`127.0.0.1:${s.port}`);
    expect(s.streams[2]!.headers['content-length']).toBeUndefined();
  });

  it('HEAD, and a body only counted when not kept', async () => {
    const s = await h2Server((stream, seen) => {
      if (seen.headers[':method'] === 'HEAD') { stream.respond({ ':status': 200, 'content-length': '5' }, { endStream: true }); return; }
      respond(stream, 'abcde');
    });
    const http = h2Vu();
    const head = await http.request(h2Req(s.origin, { method: 'HEAD' }));
    expect([head.status, head.bodySize]).toEqual([200, 0]);
    const counted = await http.request(h2Req(s.origin, { keepBody: false }));
    expect([counted.status, counted.body.length, counted.bodySize]).toEqual([200, 0, 5]);
    expect(s.sessions).toHaveLength(1);
  });

  it('a kept body over maxBodyBytes fails naming the cap and resets its stream (CANCEL); the session stays', async () => {
    const s = await h2Server((stream, seen) => {
      const path = seen.headers[':path'];
      if (path === '/endless') { stream.respond({ ':status': 200 }); stream.write(Buffer.alloc(5000, 1)); } // and more, some day
      else respond(stream, path === '/big' ? Buffer.alloc(200_000, 1) : 'small');
    });
    const http = h2Vu();
    const r = await http.request(h2Req(s.origin, { path: '/endless', maxBodyBytes: 1000 }));
    expect(r.status).toBe(0);
    expect(r.error).toMatch(/response body over 1000 bytes/);
    expect(r.bodySize).toBeGreaterThan(1000);
    expect(k6ErrorOf(r.error, r.errorCause).code).toBe(1000);
    await until(() => s.streams[0]!.rstCode !== undefined, 'the server to see the stream reset');
    expect(s.streams[0]!.rstCode).toBe(8);
    const big = await http.request(h2Req(s.origin, { path: '/big', maxBodyBytes: 1000 }));
    expect([big.status, big.error]).toEqual([0, 'response body over 1000 bytes, the cap on bodies kept for extract and body checks (options.caplabMaxBodyBytes)']);
    expect(big.bodySize).toBeLessThan(200_000);
    // Bodies only counted stay uncapped.
    const counted = await http.request(h2Req(s.origin, { path: '/big', maxBodyBytes: 1000, keepBody: false }));
    expect([counted.status, counted.bodySize]).toEqual([200, 200_000]);
    const next = await http.request(h2Req(s.origin, { maxBodyBytes: 1000 }));
    expect([next.status, next.body.toString(), next.timings.connecting]).toEqual([200, 'small', 0]);
    expect(s.sessions).toHaveLength(1);
  });

  it('a timeout fails the request with k6\'s 1050 and resets its stream (CANCEL); the next request reuses the session', async () => {
    const s = await h2Server((stream, seen) => { if (seen.headers[':path'] !== '/never') respond(stream); });
    const http = h2Vu();
    const r = await http.request(h2Req(s.origin, { path: '/never', timeoutMs: 150 }));
    expect(r.status).toBe(0);
    expect(r.error).toMatch(/^request timeout/);
    expect(k6ErrorOf(r.error, r.errorCause)).toEqual({ code: 1050, message: 'request timeout' });
    await until(() => s.streams[0]!.rstCode !== undefined, 'the server to see the stream reset');
    expect(s.streams[0]!.rstCode).toBe(8);
    const next = await http.request(h2Req(s.origin));
    expect([next.status, next.timings.connecting]).toEqual([200, 0]);
    expect(s.sessions).toHaveLength(1);
  });

  it('a timeout while the connection is being made fails as unconnected (all blocked, duration 0)', async () => {
    // A TLS server that never answers the ClientHello.
    const { createServer } = await import('node:net');
    const silent = createServer((sock) => { sock.on('error', () => {}); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const http = h2Vu();
      const r = await http.request(h2Req(`https://127.0.0.1:${(silent.address() as AddressInfo).port}`, { timeoutMs: 150 }));
      expect(r.status).toBe(0);
      expect(r.error).toMatch(/^request timeout/);
      expect(r.timings.duration).toBe(0);
      expect(r.timings.connecting).toBeGreaterThan(0);
      expect(r.timings.blocked).toBeGreaterThanOrEqual(r.timings.connecting);
      expect(http.takeBytes().sent).toBeGreaterThan(0); // the ClientHello went out
    } finally {
      silent.close();
    }
  });

  it('interrupt() ends the request in flight; close() ends the session', async () => {
    const s = await h2Server(() => { /* never answers */ });
    const http = h2Vu();
    const pending = http.request(h2Req(s.origin));
    await until(() => s.streams.length === 1, 'the request to arrive');
    http.interrupt();
    const r = await pending;
    expect([r.status, r.error]).toEqual([0, 'request interrupted']);
    await http.close();
    await until(() => s.closedSessions.has(0), 'the server to see the session closed');
    const after = await http.request(h2Req(s.origin));
    expect(after.error).toBe('request after the VU closed its connections');
  });
});
