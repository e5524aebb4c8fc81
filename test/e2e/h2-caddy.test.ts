/**
 * `caplab run` over HTTP/2 as k6 speaks it to Caddy: Debian's Caddy with its own CA (`tls internal`, trusted through
 * NODE_EXTRA_CA_CERTS) serves h1 and h2, the engine offers both by ALPN and Caddy picks h2, so every request is tagged
 * `proto: HTTP/2.0` (where the engine said HTTP/1.1 before); each VU opens one session and reuses it, and the counts are
 * exact. The same run against an HTTPS server offering only http/1.1 (node:https, a self-signed certificate, k6's
 * --insecure-skip-tls-verify) is HTTP/1.1 throughout.
 */
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCaddy, startCaddy } from '../helpers/caddy.ts';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { selfSignedCert } from '../helpers/self-signed-cert.ts';

let dir: string;
let caddy: RunningCaddy;
beforeAll(async () => {
  dir = tempDir('caplab-h2-caddy-');
  caddy = await startCaddy(join(dir, 'caddy'));
}, 60_000);
afterAll(async () => {
  await caddy?.stop();
  removeDir(dir);
});

interface Point { type: string; metric: string; data: { value: number; tags: Record<string, string> } }

const VUS = 2;
const ITERATIONS = 3; // per VU
const STEPS = 2;

function writeSpec(name: string, baseUrl: string): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({
    schema: 'caplab.scenario/v1', name, baseUrl,
    options: { scenarios: { s: { executor: 'per-vu-iterations', vus: VUS, iterations: ITERATIONS, maxDuration: '60s' } } },
    flows: { default: { steps: [
      { name: 'home', method: 'GET', path: '/' },
      { name: 'sync', method: 'POST', path: '/v1/contacts/sync', json: { contacts: 3 }, headers: { 'X-Device': 'phone' } },
    ] } },
  }));
  return path;
}

interface Run { reqs: number; failed: number; sent: number; received: number; points: Point[] }

async function run(spec: string, extra: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  const base = spec.replace(/\.json$/, '');
  const r = await runCli(['--quiet', 'run', spec, '--summary-json', `${base}.summary.json`, '-o', `json=${base}.ndjson`, ...extra], { env });
  if (r.code !== 0) throw new Error(`caplab run exited ${r.code}\n${r.stderr}`);
  const summary = JSON.parse(readFileSync(`${base}.summary.json`, 'utf8')) as { metrics: Record<string, { values: Record<string, number> }> };
  const m = summary.metrics;
  return {
    reqs: m.http_reqs!.values.count!, failed: m.http_req_failed!.values.passes!,
    sent: m.data_sent!.values.count!, received: m.data_received!.values.count!,
    points: readFileSync(`${base}.ndjson`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Point),
  };
}

const pointsOf = (r: Run, metric: string): Point[] => r.points.filter((p) => p.type === 'Point' && p.metric === metric);

/** The checks both protocols share: exact counts, the proto tag on every request sample, one connection per VU. */
function expectRun(r: Run, proto: string): void {
  expect([r.reqs, r.failed]).toEqual([VUS * ITERATIONS * STEPS, 0]);
  for (const metric of ['http_reqs', 'http_req_duration', 'http_req_waiting', 'http_req_failed']) {
    const points = pointsOf(r, metric);
    expect(points, metric).toHaveLength(VUS * ITERATIONS * STEPS);
    for (const p of points) expect(p.data.tags, metric).toMatchObject({ proto, status: '200', expected_response: 'true' });
  }
  // Each VU connects (and shakes hands) once and reuses its connection for all its requests.
  expect(pointsOf(r, 'http_req_connecting').filter((p) => p.data.value > 0)).toHaveLength(VUS);
  expect(pointsOf(r, 'http_req_tls_handshaking').filter((p) => p.data.value > 0)).toHaveLength(VUS);
  // Bytes on the wire: at least the two handshakes (each with a certificate chain of hundreds of bytes).
  expect(r.sent).toBeGreaterThan(VUS * 300);
  expect(r.received).toBeGreaterThan(VUS * 600);
}

describe('HTTP/2 by ALPN, as k6 speaks it', () => {
  it('against Caddy (h1 and h2 offered): every request is HTTP/2.0, one session per VU, exact counts', async () => {
    const r = await run(writeSpec('caddy-h2', caddy.url), [], { NODE_EXTRA_CA_CERTS: caddy.caFile });
    expectRun(r, 'HTTP/2.0');
  }, 60_000);

  it('against an HTTPS server offering only http/1.1: every request is HTTP/1.1', async () => {
    const seen: string[] = [];
    const server: HttpsServer = createHttpsServer({ ...selfSignedCert(), ALPNProtocols: ['http/1.1'] }, (req, res) => {
      seen.push(req.httpVersion);
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await run(writeSpec('https-h1', url), ['--insecure-skip-tls-verify']);
      expectRun(r, 'HTTP/1.1');
      expect(seen).toEqual(Array(VUS * ITERATIONS * STEPS).fill('1.1'));
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 60_000);
});
