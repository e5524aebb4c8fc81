/**
 * Fuzz: >= 10,000 seeded bad requests (unknown routes and methods, malformed and mistyped JSON, bad queries, bad
 * tokens and headers, oversized bodies, and malformed HTTP on raw sockets). None may get a 5xx, the process must not
 * crash, and the server must be healthy after.
 */
import { connect } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../models/random.ts';
import { call, register, startTestStacks, type TestStacks } from './helpers.ts';

const SEED = 20141023;
const HTTP_REQUESTS = 10_000;
const RAW_REQUESTS = 300;
const CONCURRENCY = 16;

let stacks: TestStacks;
let base: string;
let tokens: string[];

beforeAll(async () => {
  stacks = await startTestStacks({ dcs: ['singapore'], node: { queue: 1000 } });
  base = stacks.urls.singapore!;
  tokens = await Promise.all(['u-fuzz-1', 'u-fuzz-2'].map((u) => register(base, u)));
});
afterAll(() => stacks.close());

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)]!;

const ROUTES = [
  ['POST', '/v1/devices/register'], ['POST', '/v1/contacts/sync'], ['GET', '/v1/contacts'], ['POST', '/v1/messages'],
  ['GET', '/v1/messages'], ['GET', '/v1/ota/check'], ['POST', '/v1/photos'], ['GET', '/v1/photos/x'],
] as const;

const VALID: Record<string, unknown> = {
  '/v1/devices/register': { userId: 'u-fuzz-new', deviceSecret: '0123456789abcdef0', country: 'SG', deviceModel: 'Mi 4', osVersion: 'MIUI 6' },
  '/v1/contacts/sync': { contacts: [{ id: 'a', version: 0, name: 'A' }] },
  '/v1/messages': { peer: '+65 1', body: 'hi' },
  '/v1/photos': { name: 'a.jpg', sizeBytes: 10 },
};

function randomString(rng: Rng, max: number): string {
  const alphabet = Array.from('abcXYZ019 -_./%?&=#"\\{}[]:,\u00e9\u4e2d\ud83d\ude00\u0000\n');
  const n = Math.floor(rng.next() * max);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rng.next() * alphabet.length)];
  return s;
}

function randomValue(rng: Rng, depth = 0): unknown {
  const k = Math.floor(rng.next() * (depth > 2 ? 6 : 8));
  switch (k) {
    case 0: return null;
    case 1: return rng.next() < 0.5;
    case 2: return pick(rng, [0, -1, 1e308, -0.5, 2 ** 53 + 1, 1e-300]);
    case 3: return randomString(rng, 20);
    case 4: return '';
    case 5: return pick(rng, ['MIUI 6', 'CN', 'SG', 'x'.repeat(300)]);
    case 6: return Array.from({ length: Math.floor(rng.next() * 4) }, () => randomValue(rng, depth + 1));
    default: return Object.fromEntries(Array.from({ length: Math.floor(rng.next() * 4) }, () => [randomString(rng, 8), randomValue(rng, depth + 1)]));
  }
}

/** Breaks a valid body: drops, retypes or adds fields, possibly deep inside arrays. */
function mutate(rng: Rng, v: unknown): unknown {
  if (Array.isArray(v)) return rng.next() < 0.3 ? randomValue(rng) : v.map((x) => mutate(rng, x));
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(o);
    const key = pick(rng, keys);
    const r = rng.next();
    if (r < 0.3) delete o[key];
    else if (r < 0.8) o[key] = randomValue(rng);
    else o[key] = mutate(rng, o[key]);
    return o;
  }
  return randomValue(rng);
}

interface Req {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

function generate(rng: Rng): Req {
  const kind = Math.floor(rng.next() * 8);
  const [method, path] = pick(rng, ROUTES);
  const headers: Record<string, string> = {};
  const auth = rng.next();
  if (auth < 0.5) headers.authorization = `Bearer ${pick(rng, tokens)}`;
  else if (auth < 0.7) headers.authorization = pick(rng, ['Bearer', 'Basic abc', `Bearer ${'A'.repeat(43)}`, 'Bearer !!!!', `bearer ${tokens[0]}`]);
  switch (kind) {
    case 0: // unknown paths
      return { method: pick(rng, ['GET', 'POST']), path: pick(rng, ['/', '/v1', '/v2/contacts', `/v1/${encodeURIComponent(randomString(rng, 12))}`, '/v1/photos/', '/v1/photos/a/b', '//v1/contacts', '/v1/contacts/sync/']), headers };
    case 1: // wrong methods, including ones fetch forbids
      return { method: pick(rng, ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'HEAD']), path, headers };
    case 2: // malformed JSON
      headers['content-type'] = 'application/json';
      return { method: 'POST', path: pick(rng, Object.keys(VALID)), headers, body: pick(rng, ['', '{', '{"a":', 'null', '[]', '"x"', '1e999', '{"contacts":[{]}', randomString(rng, 60), '['.repeat(5000), '{"a":1}{"b":2}', '\ufeff{}']) };
    case 3: // wrong types and missing fields
    case 4: {
      headers['content-type'] = 'application/json';
      const p = pick(rng, Object.keys(VALID));
      return { method: 'POST', path: p, headers, body: JSON.stringify(mutate(rng, VALID[p])) };
    }
    case 5: // bad query values
      return { method: 'GET', path: pick(rng, ['/v1/contacts', '/v1/messages', '/v1/ota/check']) + '?' + pick(rng, ['limit=-1', 'limit=1e3', 'limit=0x10', 'since=-5', 'since=1.5', 'since=99999999999999999999', 'model=&version=', 'model=Mi%204', 'version=MIUI', 'limit=%ZZ', 'after=' + 'a'.repeat(100), 'limit=1&limit=2', `since=${encodeURIComponent(randomString(rng, 10))}`]), headers };
    case 6: // bad headers
      headers[pick(rng, ['content-type', 'x-client-country'])] = pick(rng, ['text/plain', 'application/xml', 'multipart/form-data', 'sg', 'ZZZ', '12', 'application/jsonx']);
      return { method: 'POST', path: pick(rng, Object.keys(VALID)), headers, body: JSON.stringify(VALID['/v1/messages']) };
    default: { // oversized bodies (a few) or huge field values
      headers['content-type'] = 'application/json';
      const big = rng.next() < 0.05;
      return { method: 'POST', path: pick(rng, Object.keys(VALID)), headers, body: big ? `{"x":"${'y'.repeat(1_100_000)}"}` : JSON.stringify({ ...VALID['/v1/messages'] as object, body: 'z'.repeat(5000), contacts: Array.from({ length: 1001 }, () => ({ id: 'a', version: 0 })) }) };
    }
  }
}

/** Sends malformed HTTP on a raw socket and resolves with the status code of the answer (0 when closed without one). */
function rawRequest(port: number, text: string): Promise<number> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    s.setTimeout(5000, () => s.destroy());
    s.on('data', (b) => (got += b.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(got)?.[1] ?? 0)));
    s.end(text);
  });
}

describe('fuzz', () => {
  it(`answers ${HTTP_REQUESTS} seeded bad requests and ${RAW_REQUESTS} malformed HTTP messages without a 5xx, and stays healthy`, async () => {
    const rng = createRng(SEED, 'test.stacks.fuzz');
    const reqs = Array.from({ length: HTTP_REQUESTS }, () => generate(rng));
    const agent = new Agent({ connections: CONCURRENCY });
    const statuses = new Map<number, number>();
    const fivexx: string[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < reqs.length) {
        const r = reqs[next++]!;
        const res = await request(`${base}${r.path}`, { method: r.method as 'GET', headers: r.headers, body: r.body, dispatcher: agent });
        const text = await res.body.text();
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500) fivexx.push(`${r.method} ${r.path} -> ${res.statusCode} ${text.slice(0, 200)}`);
        else if (res.statusCode >= 400 && r.method !== 'HEAD') {
          const body = JSON.parse(text) as { error: unknown; detail: unknown };
          expect(typeof body.error).toBe('string');
          expect(typeof body.detail).toBe('string');
        }
      }
    }));
    await agent.close();

    const port = Number(new URL(base).port);
    const raw = [
      'GARBAGE\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      'POST /v1/messages HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', `GET /${'a'.repeat(20_000)} HTTP/1.1\r\n\r\n`,
      'GET /healthz HTTP/1.1\r\nHost: x\r\nX: \u0001\r\n\r\n', 'POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
      `GET /healthz HTTP/1.1\r\n${'X-A: b\r\n'.repeat(2000)}\r\n`,
    ];
    const rawStatuses: number[] = [];
    for (let i = 0; i < RAW_REQUESTS; i += 10) {
      rawStatuses.push(...await Promise.all(Array.from({ length: 10 }, (_, j) => rawRequest(port, raw[(i + j) % raw.length]!))));
    }

    const summary = JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])));
    expect(fivexx, summary).toEqual([]);
    expect(rawStatuses.filter((s) => s >= 500)).toEqual([]);
    expect(stacks.errors).toEqual([]);
    const fourxx = [...statuses].filter(([s]) => s >= 400 && s < 500).reduce((n, [, c]) => n + c, 0);
    expect(fourxx, summary).toBeGreaterThan(HTTP_REQUESTS * 0.9);
    // Healthy after: health, metrics and a valid request all answer.
    expect((await call(base, 'GET', '/healthz')).body.status).toBe('ok');
    expect((await call(base, 'POST', '/v1/messages', { token: tokens[0], json: { peer: 'p', body: 'after the storm' } })).status).toBe(201);
    expect((await call(base, 'GET', '/metrics')).status).toBe(200);
    console.log(`fuzz statuses: ${summary}; raw-socket statuses: ${JSON.stringify([...new Set(rawStatuses)].sort())}`);
  });
});
