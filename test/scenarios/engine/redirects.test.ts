/**
 * redirects.ts on the engine's own client against real servers: over HTTP/2 (the 3xx's Location read off the h2
 * header block, header fields kept when asked), 308 keeping method and body, HEAD staying HEAD on a 302, a Location
 * that does not parse failing the request as k6 does, and the limit returning the last 3xx.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { headerValue } from '../../../scenarios/engine/headers.ts';
import type { HttpRequest } from '../../../scenarios/engine/http-request.ts';
import type { HttpResponse } from '../../../scenarios/engine/http-response.ts';
import { VuHttp } from '../../../scenarios/engine/vu-http.ts';
import { followRedirects, isRedirect } from '../../../scenarios/engine/redirects.ts';
import { closeH2, h2Req, h2Server, h2Vu } from '../../helpers/http2-server.ts';

afterEach(closeH2);

async function send(http: VuHttp, req: HttpRequest, max: number): Promise<{ hops: string[]; res: HttpResponse; stoppedAfter?: number }> {
  const hops: string[] = [];
  const first = await http.request(req);
  if (!isRedirect(first.status)) return { hops, res: first };
  const end = await followRedirects(http, req, first, max, (r, res) => hops.push(`${r.method} ${r.path} ${res.status}`));
  hops.push(`${end.req.method} ${end.req.path} ${end.res.status}`);
  return { hops, res: end.res, ...(end.stoppedAfter === undefined ? {} : { stoppedAfter: end.stoppedAfter }) };
}

describe('followRedirects', () => {
  it('follows an HTTP/2 redirect and reads the last response\'s headers when asked', async () => {
    const s = await h2Server((stream, seen) => {
      if (seen.headers[':path'] === '/a') { stream.respond({ ':status': 302, location: '/b' }); stream.end(); return; }
      stream.respond({ ':status': 200, 'x-token': 't1' });
      stream.end(`${seen.headers[':method']} ${seen.headers.referer}`);
    });
    const r = await send(h2Vu(), h2Req(s.origin, { path: '/a', keepHeaders: true }), 10);
    expect(r.hops).toEqual(['GET /a 302', 'GET /b 200']);
    expect(r.res.proto).toBe('HTTP/2.0');
    expect(headerValue(r.res.head, 'X-Token')).toBe('t1');
    expect(r.res.body.toString()).toBe(`GET ${s.origin}/a`);
  });

  it('308 keeps method and body; HEAD stays HEAD on a 302; a bad Location fails the request; the limit returns the last 3xx', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`);
        if (req.url === '/p') res.writeHead(308, { Location: '/q' }).end();
        else if (req.url === '/h') res.writeHead(302, { Location: '/q' }).end();
        else if (req.url === '/bad') res.writeHead(301, { Location: 'http://[::1' }).end();
        else if (req.url!.startsWith('/n')) res.writeHead(307, { Location: `/n${req.url!.length}` }).end('again');
        else res.writeHead(200).end('done');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const http = new VuHttp();
    try {
      const base = { origin, headers: ['content-type', 'text/plain'], timeoutMs: 5000, keepBody: true };
      expect((await send(http, { ...base, path: '/p', method: 'PATCH', body: 'b1' }, 10)).hops).toEqual(['PATCH /p 308', 'PATCH /q 200']);
      expect((await send(http, { ...base, path: '/h', method: 'HEAD' }, 10)).hops).toEqual(['HEAD /h 302', 'HEAD /q 200']);
      const bad = await send(http, { ...base, path: '/bad', method: 'GET' }, 10);
      expect(bad.res.status).toBe(0);
      expect(bad.res.error).toMatch(/^failed to parse Location header "http:\/\/\[::1"/);
      const capped = await send(http, { ...base, path: '/n', method: 'POST', body: 'x' }, 2);
      expect(capped.hops).toEqual(['POST /n 307', 'POST /n2 307', 'POST /n3 307']);
      expect([capped.res.status, capped.stoppedAfter, capped.res.body.toString()]).toEqual([307, 2, 'again']);
      expect(seen).toContain('PATCH /q b1');
      expect(seen).toContain('POST /n3 x');
    } finally {
      await http.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
