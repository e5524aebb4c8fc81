/**
 * VuHttp over TLS against a node:tls server with a certificate made by openssl at test time (skipped without
 * openssl): certificate verification, and in a child process that trusts the certificate, SNI, reuse, framing,
 * tls_handshaking and bytes on the wire.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HttpResponse } from '../../../scenarios/engine/http-response.ts';
import { closeRawHttp, ok, rawServer, req, sleep, vu } from '../../helpers/raw-http-server.ts';

afterEach(closeRawHttp);

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
    const httpModule = pathToFileURL(resolve('scenarios/engine/vu-http.ts')).href;
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
