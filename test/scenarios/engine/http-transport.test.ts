/**
 * k6's transport options in the engine, against real servers on 127.0.0.1 port 0 (node:http, node:https and
 * node:http2 with HTTP/1.1 allowed, certificates made by openssl at test time): tlsAuth (mutual TLS, HTTP/1.1 and
 * HTTP/2), hosts (a made-up name dialed at 127.0.0.1 with its Host header and SNI), tlsVersion, tlsCipherSuites,
 * userAgent, noConnectionReuse, noVUConnectionReuse, discardResponseBodies, and the url/name tags. The servers'
 * certificates are not trusted by this process, so the VUs skip verification (insecureSkipTLSVerify) here; the
 * verified path (the CA trusted, the certificate naming the made-up host) is test/e2e/tls-options.test.ts.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER_AGENT } from '../../../scenarios/engine/compile.ts';
import type { HttpRequest } from '../../../scenarios/engine/http-request.ts';
import { effectiveScenarios, runEngine } from '../../../scenarios/engine/run.ts';
import { vuHttpOptionsOf } from '../../../scenarios/engine/transport.ts';
import { VuHttp } from '../../../scenarios/engine/vu-http.ts';
import { parseScenarioSpec } from '../../../scenarios/spec.ts';
import { type TestPki, testPki } from '../../helpers/tls-certs.ts';
import { CollectingSink } from '../server.ts';

/** One request as a server saw it. */
interface Seen {
  /** Connection number on the server (HTTP/2: session), from 0. */
  conn: number;
  httpVersion: string;
  headers: Record<string, string | string[] | undefined>;
  /** TLS version, cipher and SNI of its connection (https only). */
  tls?: string;
  cipher?: string;
  servername?: string | false;
}

interface Server {
  origin: string;
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

type Kind = 'http' | 'https' | 'h2';
const servers: Server[] = [];
let pki: TestPki;
beforeAll(() => { pki = testPki(['DNS:api.test', 'DNS:localhost', 'IP:127.0.0.1']); });
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

/**
 * Starts a server answering `{"token":"t-<n>"}` to every request and recording it.
 * @param kind http, https (HTTP/1.1 only) or h2 (HTTP/2 by ALPN, HTTP/1.1 allowed)
 * @param tls extra TLS options of the server (requestCert, versions, ciphers)
 */
async function start(kind: Kind, tls: Record<string, unknown> = {}): Promise<Server> {
  const seen: Seen[] = [];
  const conns = new WeakMap<object, number>();
  let next = 0;
  const handler = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void => {
    const key: object = 'stream' in req && req.httpVersion === '2.0' ? req.stream.session! : req.socket;
    if (!conns.has(key)) conns.set(key, next++);
    const sock = req.socket as Partial<TLSSocket>;
    seen.push({
      conn: conns.get(key)!, httpVersion: req.httpVersion, headers: { ...req.headers },
      ...(kind !== 'http' ? { tls: sock.getProtocol?.() ?? undefined, cipher: sock.getCipher?.().name, servername: sock.servername } : {}),
    } as Seen);
    req.resume();
    req.on('end', () => { (res as ServerResponse).setHeader('content-type', 'application/json'); res.end(`{"token":"t-${seen.length}"}`); });
  };
  const opts = { key: pki.server.key, cert: pki.server.cert, ...tls };
  const server = kind === 'http' ? createHttpServer(handler) : kind === 'https' ? createHttpsServer(opts, handler) : createSecureServer({ ...opts, allowHTTP1: true }, handler);
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const s: Server = {
    origin: `${kind === 'http' ? 'http' : 'https'}://127.0.0.1:${port}`, port, seen,
    close: () => new Promise<void>((r) => { (server as { closeAllConnections?: () => void }).closeAllConnections?.(); server.close(() => r()); }),
  };
  servers.push(s);
  return s;
}

const vus: VuHttp[] = [];
afterEach(async () => { await Promise.all(vus.splice(0).map((v) => v.close())); });

/** A VU with the transport of these spec options (insecureSkipTLSVerify unless said otherwise). */
function vuWith(options: Record<string, unknown>): VuHttp {
  const o = parseScenarioSpec({ schema: 'caplab.scenario/v1', name: 'x', options: { insecureSkipTLSVerify: true, ...options }, flows: { default: { steps: [{ url: 'http://x/' }] } } }, 'x.json').options;
  const v = new VuHttp(vuHttpOptionsOf(o));
  vus.push(v);
  return v;
}

function get(origin: string, headers: string[] = []): HttpRequest {
  return { origin, path: '/', method: 'GET', headers, timeoutMs: 5000, keepBody: true };
}

/** Runs a spec of one step per iteration on the engine; returns the samples. */
async function runSpec(url: string, options: Record<string, unknown>, vusN = 2, iterations = 3, step: Record<string, unknown> = {}): Promise<CollectingSink> {
  const spec = parseScenarioSpec({
    schema: 'caplab.scenario/v1', name: 't',
    options: { scenarios: { s: { executor: 'per-vu-iterations', vus: vusN, iterations } }, insecureSkipTLSVerify: true, ...options },
    flows: { default: { steps: [{ name: 'home', url, ...step }] } },
  }, 't.json');
  const sink = new CollectingSink();
  await runEngine(spec, effectiveScenarios(spec), { sink, seed: 1, onError: () => {} });
  return sink;
}

describe('tlsAuth: a client certificate for a server that requires one', () => {
  const mtls = (): Record<string, unknown> => ({ ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true });

  it.each(['h2', 'https'] as const)('%s: with the certificate no request fails; without it every one fails with k6\'s error of the refused handshake', async (kind) => {
    const s = await start(kind, mtls());
    const url = `https://api.test:${s.port}/`;
    const hosts = { 'api.test': '127.0.0.1' };
    const withCert = await runSpec(url, { hosts, tlsAuth: [{ domains: ['api.test'], cert: pki.client.cert, key: pki.client.key }] });
    expect(withCert.count('http_reqs')).toBe(6);
    expect(withCert.sum('http_req_failed')).toBe(0);
    expect(new Set(withCert.of('http_reqs').map((x) => x.tags.proto))).toEqual(new Set([kind === 'h2' ? 'HTTP/2.0' : 'HTTP/1.1']));
    expect(s.seen).toHaveLength(6);

    // No tlsAuth, or a certificate only for other domains: TLS 1.3's alert (the client sent none), as k6 tags it.
    for (const tlsAuth of [undefined, [{ domains: ['other.test'], cert: pki.client.cert, key: pki.client.key }]]) {
      const without = await runSpec(url, { hosts, ...(tlsAuth ? { tlsAuth } : {}) });
      expect(without.count('http_reqs')).toBe(6);
      expect(without.sum('http_req_failed')).toBe(6);
      expect(new Set(without.of('http_req_failed').map((x) => `${x.tags.error_code} ${x.tags.error}`))).toEqual(new Set(['1010 remote error: tls: certificate required']));
    }
    // TLS 1.2 refuses it within the handshake.
    const tls12 = await runSpec(url, { hosts, tlsVersion: 'tls1.2' }, 1, 1);
    expect(tls12.of('http_req_failed').map((x) => [x.value, x.tags.error_code, x.tags.error])).toEqual([[1, '1010', 'remote error: tls: handshake failure']]);
    expect(s.seen).toHaveLength(6);
  }, 30_000);

  it('presents the certificate whose domains name the host, a wildcard, or the one without domains', async () => {
    const s = await start('h2', mtls());
    const good = { cert: pki.client.cert, key: pki.client.key };
    const bad = { cert: pki.stranger.cert, key: pki.stranger.key };
    const cases: [unknown[], number][] = [
      [[{ domains: ['other.test'], ...bad }, { domains: ['*.test'], ...good }], 200],
      [[{ domains: ['api.test'], ...bad }, { domains: [], ...good }], 0],
      [[{ domains: ['x.test'], ...bad }, { ...good }], 200],
    ];
    for (const [tlsAuth, status] of cases) {
      const r = await vuWith({ hosts: { 'api.test': '127.0.0.1' }, tlsAuth }).request(get(`https://api.test:${s.port}`));
      expect(r.status, JSON.stringify(tlsAuth.map((e) => (e as { domains?: string[] }).domains))).toBe(status);
    }
  }, 30_000);
});

describe('hosts: a made-up name dialed at 127.0.0.1', () => {
  it.each(['h2', 'https', 'http'] as const)('%s: no DNS, the Host header and SNI keep the name, proto as negotiated', async (kind) => {
    const s = await start(kind);
    const scheme = kind === 'http' ? 'http' : 'https';
    const sink = await runSpec(`${scheme}://api.test:${s.port}/`, { hosts: { 'api.test': '127.0.0.1' } });
    expect([sink.count('http_reqs'), sink.sum('http_req_failed')]).toEqual([6, 0]);
    expect(new Set(sink.of('http_reqs').map((x) => x.tags.proto))).toEqual(new Set([kind === 'h2' ? 'HTTP/2.0' : 'HTTP/1.1']));
    expect(new Set(s.seen.map((r) => r.headers.host ?? r.headers[':authority']))).toEqual(new Set([`api.test:${s.port}`]));
    if (kind !== 'http') expect(new Set(s.seen.map((r) => r.servername))).toEqual(new Set(['api.test']));
    // No name lookup: blocked holds connecting and the handshake only (well below a resolver's timeout either way).
    expect(Math.max(...sink.of('http_req_connecting').map((x) => x.value))).toBeGreaterThan(0);
  }, 30_000);

  it('maps name:port to IP:port, keeping the port of the URL in the Host header', async () => {
    const s = await start('https');
    const r = await vuWith({ hosts: { 'api.test:1': `127.0.0.1:${s.port}`, 'api.test': '127.0.0.2' } }).request(get('https://api.test:1'));
    expect(r.status).toBe(200);
    expect(s.seen[0]!.headers.host).toBe('api.test:1');
    expect(s.seen[0]!.servername).toBe('api.test');
  });
});

describe('tlsVersion and tlsCipherSuites', () => {
  const legacy = { minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' };

  it('offers the versions asked, down to tls1.0 (k6 names), and fails as k6 does when the server has none of them', async () => {
    const s = await start('https', legacy);
    for (const [tlsVersion, seen] of [[undefined, 'TLSv1.3'], ['tls1.2', 'TLSv1.2'], ['tls1.1', 'TLSv1.1'], [{ min: 'tls1.0', max: 'tls1.0' }, 'TLSv1']] as const) {
      const r = await vuWith(tlsVersion === undefined ? {} : { tlsVersion }).request(get(s.origin));
      expect(r.status, String(tlsVersion)).toBe(200);
      expect(s.seen.at(-1)!.tls).toBe(seen);
    }
    const old = await start('https', { ...legacy, maxVersion: 'TLSv1.2' });
    const sink = await runSpec(old.origin, { tlsVersion: { min: 'tls1.3' } }, 1, 1);
    expect(sink.of('http_req_failed').map((x) => [x.value, x.tags.error_code])).toEqual([[1, '1010']]);
    expect(sink.of('http_req_failed')[0]!.tags.error).toMatch(/^remote error: tls: /);
  }, 30_000);

  it('offers the TLS 1.0-1.2 suites asked (the server picks one of them), and leaves TLS 1.3\'s on as Go does', async () => {
    const s12 = await start('https', { maxVersion: 'TLSv1.2' });
    for (const [suite, openssl] of [['TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'ECDHE-ECDSA-AES256-SHA'], ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305', 'ECDHE-ECDSA-CHACHA20-POLY1305']]) {
      const r = await vuWith({ tlsCipherSuites: [suite] }).request(get(s12.origin));
      expect(r.status).toBe(200);
      expect(s12.seen.at(-1)).toMatchObject({ tls: 'TLSv1.2', cipher: openssl });
    }
    const s13 = await start('https');
    expect((await vuWith({ tlsCipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA'] }).request(get(s13.origin))).status).toBe(200);
    expect(s13.seen.at(-1)!.tls).toBe('TLSv1.3');
    // A server with only suites not offered: no shared cipher, the handshake fails.
    const noShared = await start('https', { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
    const r = await vuWith({ tlsCipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA'] }).request(get(noShared.origin));
    expect(r.status).toBe(0);
  }, 30_000);
});

describe('userAgent', () => {
  it.each(['h2', 'http'] as const)('%s: the engine\'s own by default, the option\'s when set, none for "", a step\'s own header wins', async (kind) => {
    const s = await start(kind);
    const ua = async (options: Record<string, unknown>, step: Record<string, unknown> = {}): Promise<unknown> => {
      const before = s.seen.length;
      const sink = await runSpec(`${s.origin}/`, options, 1, 1, step);
      expect(sink.sum('http_req_failed')).toBe(0);
      expect(s.seen).toHaveLength(before + 1);
      return s.seen.at(-1)!.headers['user-agent'];
    };
    expect(await ua({})).toBe(DEFAULT_USER_AGENT);
    expect(await ua({ userAgent: 'probe/1.0 (+ops)' })).toBe('probe/1.0 (+ops)');
    expect(await ua({ userAgent: '' })).toBeUndefined();
    expect(await ua({ userAgent: 'probe/1.0' }, { headers: { 'User-Agent': 'mine' } })).toBe('mine');
  }, 30_000);
});

describe('connection reuse', () => {
  it.each(['http', 'h2', 'https'] as const)('%s: noConnectionReuse makes one connection per request (HTTP/1.1 says Connection: close)', async (kind) => {
    const s = await start(kind);
    const reuse = vuWith({});
    for (let i = 0; i < 3; i++) expect((await reuse.request(get(s.origin))).status).toBe(200);
    expect(new Set(s.seen.map((r) => r.conn)).size).toBe(1);
    const once = vuWith({ noConnectionReuse: true });
    for (let i = 0; i < 3; i++) expect((await once.request(get(s.origin))).status).toBe(200);
    const mine = s.seen.slice(3);
    expect(new Set(mine.map((r) => r.conn)).size).toBe(3);
    if (kind === 'h2') expect(mine.every((r) => r.httpVersion === '2.0')).toBe(true);
    else expect(mine.map((r) => r.headers.connection)).toEqual(['close', 'close', 'close']);
    // Bytes of the closed connections are still counted.
    expect(once.takeBytes().received).toBeGreaterThan(0);
  }, 30_000);

  it.each(['http', 'h2'] as const)('%s: noVUConnectionReuse closes a VU\'s connections when an iteration ends, not between its requests', async (kind) => {
    const s = await start(kind);
    const spec = (o: Record<string, unknown>) => parseScenarioSpec({
      schema: 'caplab.scenario/v1', name: 't', options: { scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 3 } }, insecureSkipTLSVerify: true, ...o },
      flows: { default: { steps: [{ name: 'a', url: `${s.origin}/a` }, { name: 'b', url: `${s.origin}/b` }] } },
    }, 't.json');
    for (const [o, conns] of [[{}, 1], [{ noVUConnectionReuse: true }, 3]] as const) {
      const before = s.seen.length;
      const sink = new CollectingSink();
      const sp = spec(o);
      await runEngine(sp, effectiveScenarios(sp), { sink, seed: 1 });
      const mine = s.seen.slice(before);
      expect(mine).toHaveLength(6);
      expect(new Set(mine.map((r) => r.conn)).size, JSON.stringify(o)).toBe(conns);
      // Each iteration's two requests share its connection.
      if (conns === 3) expect(mine.map((r) => r.conn - mine[0]!.conn)).toEqual([0, 0, 1, 1, 2, 2]);
      expect(sink.sum('http_req_failed')).toBe(0);
    }
  }, 30_000);
});

describe('discardResponseBodies and the url/name tags', () => {
  it('keeps the bodies a step needs (extract) with discardResponseBodies, as k6 does for a request asking for text', async () => {
    const s = await start('http');
    const spec = parseScenarioSpec({
      schema: 'caplab.scenario/v1', name: 't', options: { discardResponseBodies: true },
      flows: { default: { steps: [{ name: 'login', url: `${s.origin}/login`, extract: { token: '$.token' } }, { name: 'use', url: `${s.origin}/use`, headers: { Authorization: 'Bearer {{vars.token}}' } }] } },
    }, 't.json');
    const errors: string[] = [];
    await runEngine(spec, effectiveScenarios(spec), { sink: new CollectingSink(), seed: 1, onError: (m) => errors.push(m) });
    expect(errors).toEqual([]);
    expect(s.seen.at(-1)!.headers.authorization).toBe('Bearer t-1');
  });

  it('tags url with the name as k6 does once a request has one: the step name, else the full URL the step requests', async () => {
    const s = await start('http');
    const spec = parseScenarioSpec({
      schema: 'caplab.scenario/v1', name: 't', baseUrl: `${s.origin}/api/`,
      flows: { default: { steps: [{ name: 'named', path: 'x' }, { path: 'echo?q=1' }, { url: `${s.origin}/full` }] } },
    }, 't.json');
    const sink = new CollectingSink();
    await runEngine(spec, effectiveScenarios(spec), { sink, seed: 1 });
    expect(sink.of('http_reqs').map((x) => [x.tags.name, x.tags.url])).toEqual([
      ['named', 'named'], [`${s.origin}/api/echo?q=1`, `${s.origin}/api/echo?q=1`], [`${s.origin}/full`, `${s.origin}/full`],
    ]);
  });
});
