/**
 * `caplab run` with k6's TLS and host options in the spec, against a node:http2 server (HTTP/1.1 allowed) on
 * 127.0.0.1 that requires a client certificate of its CA and presents a certificate naming only `api.test`, a
 * made-up name: `hosts` dials it at 127.0.0.1 with that name in the Host header and SNI, the CA is trusted
 * (NODE_EXTRA_CA_CERTS), so the certificate is verified against the name; `tlsAuth` names its files relative to the
 * spec (the CLI reads them). With the client certificate no request fails (HTTP/2 as negotiated); without it every
 * one fails with k6's error code; a missing file is exit 104 with its JSON path. The same spec under
 * `--runner k6` (the k6 stand-in on PATH) opens the files from the generated script and gets through too.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { installK6Standin } from '../helpers/k6-standin/main.ts';
import { testPki } from '../helpers/tls-certs.ts';

let dir: string;
let server: Http2SecureServer;
let port = 0;
let caFile = '';
const seen: { version: string; ua: string | undefined; host: string | undefined; sni: string | false | null | undefined; authorized: boolean }[] = [];

beforeAll(async () => {
  dir = tempDir('caplab-tls-options-');
  const pki = testPki(['DNS:api.test']);
  mkdirSync(join(dir, 'certs'));
  caFile = join(dir, 'certs', 'ca.pem');
  writeFileSync(caFile, pki.ca.cert);
  writeFileSync(join(dir, 'certs', 'client.pem'), pki.client.cert);
  writeFileSync(join(dir, 'certs', 'client.key'), pki.client.key);
  server = createSecureServer({ key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true, allowHTTP1: true }, (req, res) => {
    const sock = req.socket as unknown as TLSSocket;
    seen.push({ version: req.httpVersion, ua: req.headers['user-agent'], host: req.headers.host ?? req.headers[':authority'], sni: sock.servername, authorized: sock.authorized });
    res.end('ok');
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
}, 60_000);
afterAll(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  removeDir(dir);
});

interface Point { type: string; metric: string; data: { value: number; tags: Record<string, string> } }

function writeSpec(name: string, options: Record<string, unknown>): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({
    schema: 'caplab.scenario/v1', name,
    options: { scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 4, maxDuration: '60s' } }, hosts: { 'api.test': '127.0.0.1' }, ...options },
    flows: { default: { steps: [{ name: 'home', url: `https://api.test:${port}/` }] } },
  }));
  return path;
}

const TLS_AUTH = [{ domains: ['api.test'], certFile: 'certs/client.pem', keyFile: 'certs/client.key' }];

async function run(spec: string, extra: string[] = [], env: Record<string, string> = {}) {
  const base = spec.replace(/\.json$/, '');
  const r = await runCli(['--quiet', 'run', spec, '--summary-json', `${base}.summary.json`, '-o', `json=${base}.ndjson`, ...extra], { env: { NODE_EXTRA_CA_CERTS: caFile, ...env } });
  if (r.code !== 0) return { code: r.code, stderr: r.stderr, failed: -1, reqs: -1, points: [] as Point[] };
  const summary = JSON.parse(readFileSync(`${base}.summary.json`, 'utf8')) as { metrics: Record<string, { values: Record<string, number> }> };
  const points = readFileSync(`${base}.ndjson`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Point);
  return { code: r.code, stderr: r.stderr, failed: summary.metrics.http_req_failed!.values.passes!, reqs: summary.metrics.http_reqs!.values.count!, points };
}

const reqPoints = (points: Point[]): Point[] => points.filter((p) => p.type === 'Point' && p.metric === 'http_reqs');

describe('k6 TLS and host options through caplab run', () => {
  it('tlsAuth files and hosts: the certificate is verified against api.test, the client certificate accepted, HTTP/2, no request fails', async () => {
    const before = seen.length;
    const r = await run(writeSpec('mtls', { tlsAuth: TLS_AUTH, userAgent: 'caplab-e2e/1' }));
    expect(r.stderr).toBe('');
    expect([r.code, r.reqs, r.failed]).toEqual([0, 4, 0]);
    expect(new Set(reqPoints(r.points).map((p) => `${p.data.tags.proto} ${p.data.tags.name} ${p.data.tags.url}`))).toEqual(new Set(['HTTP/2.0 home home']));
    expect(seen.slice(before)).toEqual(Array.from({ length: 4 }, () => ({ version: '2.0', ua: 'caplab-e2e/1', host: `api.test:${port}`, sni: 'api.test', authorized: true })));
  }, 60_000);

  it('--workers 2: each worker thread presents the certificate the CLI read', async () => {
    const r = await run(writeSpec('mtls-workers', { tlsAuth: TLS_AUTH }), ['--workers', '2']);
    expect([r.code, r.reqs, r.failed]).toEqual([0, 4, 0]);
  }, 60_000);

  it('without tlsAuth every request fails with k6\'s error code of the refused handshake', async () => {
    const before = seen.length;
    const r = await run(writeSpec('no-cert', {}));
    expect([r.code, r.reqs, r.failed]).toEqual([0, 4, 4]);
    for (const p of r.points.filter((x) => x.type === 'Point' && x.metric === 'http_req_failed')) {
      expect(p.data.tags).toMatchObject({ status: '0', error_code: '1010', error: 'remote error: tls: certificate required' });
    }
    expect(seen.length).toBe(before);
  }, 60_000);

  it('a tlsAuth file that cannot be read: exit 104, nothing run, its JSON path named', async () => {
    const r = await run(writeSpec('missing', { tlsAuth: [{ certFile: 'certs/client.pem', keyFile: 'certs/nope.key' }], tlsVersion: { min: 'tls1.3', max: 'tls1.2' } }));
    expect(r.code).toBe(104);
    expect(r.stderr).toContain('options.tlsVersion.min');
    const spec2 = writeSpec('missing2', { tlsAuth: [{ certFile: 'certs/client.pem', keyFile: 'certs/nope.key' }] });
    const r2 = await run(spec2);
    expect(r2.code).toBe(104);
    expect(r2.stderr).toContain('options.tlsAuth[0].keyFile');
    expect(r2.stderr).toContain(`cannot read ${join(dir, 'certs', 'nope.key')}: ENOENT`);
  }, 60_000);

  it('--runner k6: the generated script opens the tlsAuth files and carries hosts and userAgent (k6 stand-in)', async () => {
    const bin = installK6Standin(join(dir, 'bin'));
    const before = seen.length;
    const r = await run(writeSpec('mtls-k6', { tlsAuth: TLS_AUTH, userAgent: 'caplab-e2e/k6' }), ['--runner', 'k6'], { PATH: `${bin}:${process.env.PATH ?? ''}` });
    expect([r.code, r.reqs, r.failed]).toEqual([0, 4, 0]);
    expect(seen.slice(before).map((s) => [s.ua, s.host, s.sni, s.authorized])).toEqual(Array.from({ length: 4 }, () => ['caplab-e2e/k6', `api.test:${port}`, 'api.test', true]));
  }, 60_000);
});
