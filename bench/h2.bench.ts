/**
 * HTTP/2 benchmark (issue 24): the engine's rate over HTTP/2 and over HTTP/1.1 against Debian's Caddy (`tls internal`,
 * `respond "ok" 200`), with autocannon (HTTP/1.1 only) as the peer on the same server. Two Caddy processes from the
 * same binary and Caddyfile, differing only in what they offer by ALPN: `protocols h1 h2` (the engine picks h2, as
 * k6 does) and `protocols h1`. A bare node:http2 client (VUS sessions, one stream at a time each) shows the ceiling of
 * the library the engine speaks HTTP/2 with. Each client uses the same connections (VUs) for the same seconds, alternating per
 * round; the CA is trusted (NODE_EXTRA_CA_CERTS) and the URL is the IP, which Caddy's certificate names. Before the
 * rounds a one-request run per server checks the `proto` tag of its points, so a figure is never labelled with the
 * wrong protocol. Medians over rounds. Caddy is required (Debian: apt-get install -y caddy).
 * Env: BENCH_VUS (default 20), BENCH_SECONDS (default 6), BENCH_ROUNDS (default 3).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from 'simple-statistics';
import { type RunningCaddy, startCaddy } from '../test/helpers/caddy.ts';

const VUS = Number(process.env.BENCH_VUS ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'caplab-bench-h2-'));

function run(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  let stdout = '';
  child.stdout!.on('data', (b: Buffer) => { stdout += b.toString(); });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout })));
}

async function autocannon(caddy: RunningCaddy): Promise<number> {
  const r = await run(process.execPath, [join(root, 'node_modules', 'autocannon', 'autocannon.js'), '-c', String(VUS), '-d', String(SECONDS), '-j', `${caddy.url}/`],
    { NODE_EXTRA_CA_CERTS: caddy.caFile });
  const j = JSON.parse(r.stdout) as { requests: { total: number }; duration: number; errors: number };
  if (j.errors > 0) throw new Error(`autocannon: ${j.errors} errors against ${caddy.url}`);
  return j.requests.total / j.duration;
}

/**
 * node:http2 itself, in its own process: VUS sessions, one stream at a time each, bodies read and dropped. The
 * ceiling of the library the engine speaks HTTP/2 with, to tell its cost from the engine's.
 */
async function rawNodeHttp2(caddy: RunningCaddy): Promise<number> {
  const source = `
import { connect } from 'node:http2';
let n = 0;
const end = Date.now() + ${SECONDS * 1000};
await Promise.all(Array.from({ length: ${VUS} }, async () => {
  const s = connect(${JSON.stringify(caddy.url)});
  while (Date.now() < end) {
    await new Promise((res, rej) => { const st = s.request({ ':path': '/' }); st.on('data', () => {}); st.on('end', () => { n++; res(); }); st.on('error', rej); st.end(); });
  }
  s.close();
}));
console.log(n / ${SECONDS});
`;
  const r = await run(process.execPath, ['--input-type=module', '-e', source], { NODE_EXTRA_CA_CERTS: caddy.caFile });
  if (r.code !== 0) throw new Error(`node:http2 client exited ${r.code}`);
  return Number(r.stdout.trim());
}

/** One `caplab run`; with `points`, one iteration whose points give the protocol. */
async function caplab(caddy: RunningCaddy, points = false): Promise<{ rps: number; proto?: string }> {
  const spec = join(dir, 'spec.json');
  const scenario = points ? { executor: 'shared-iterations', vus: 1, iterations: 1 } : { executor: 'constant-vus', vus: VUS, duration: `${SECONDS}s` };
  writeFileSync(spec, JSON.stringify({
    schema: 'caplab.scenario/v1', name: 'bench-h2', baseUrl: caddy.url,
    options: { scenarios: { s: scenario } },
    flows: { default: { steps: [{ name: 'get', method: 'GET', path: '/', expectedStatuses: [200] }] } },
  }));
  const summary = join(dir, 'summary.json');
  const ndjson = join(dir, 'points.ndjson');
  const r = await run(process.execPath, [join(root, 'bin', 'caplab.js'), '--quiet', 'run', spec, '--summary-json', summary, ...(points ? ['-o', `json=${ndjson}`] : [])],
    { NODE_EXTRA_CA_CERTS: caddy.caFile });
  if (r.code !== 0) throw new Error(`caplab run exited ${r.code}`);
  const s = JSON.parse(readFileSync(summary, 'utf8')) as { metrics: { http_reqs: { values: { rate: number } }; http_req_failed: { values: { passes: number } } } };
  if (s.metrics.http_req_failed.values.passes > 0) throw new Error(`caplab run: ${s.metrics.http_req_failed.values.passes} failed requests against ${caddy.url}`);
  if (!points) return { rps: s.metrics.http_reqs.values.rate };
  const protos = new Set(readFileSync(ndjson, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: { tags?: { proto?: string } } })
    .filter((p) => p.type === 'Point' && p.data.tags?.proto !== undefined).map((p) => p.data.tags!.proto!));
  if (protos.size !== 1) throw new Error(`points of one request carry protocols ${[...protos].join(', ')}`);
  return { rps: 0, proto: [...protos][0]! };
}

const h2 = await startCaddy(join(dir, 'caddy-h2'));
const h1 = await startCaddy(join(dir, 'caddy-h1'), { protocols: 'h1' });
try {
  const [p2, p1] = [(await caplab(h2, true)).proto, (await caplab(h1, true)).proto];
  if (p2 !== 'HTTP/2.0' || p1 !== 'HTTP/1.1') throw new Error(`expected HTTP/2.0 and HTTP/1.1, the engine spoke ${p2} and ${p1}`);
  process.stdout.write(`HTTP/2 against Debian Caddy (tls internal, respond 200) at ${h2.url} (h1 h2) and ${h1.url} (h1 only): ${VUS} connections/VUs, ${SECONDS}s per run, ${ROUNDS} rounds\n`);
  await autocannon(h2); // warm-up
  const rows: { ac: number; raw: number; e1: number; e2: number }[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const ac = await autocannon(h2);
    const raw = await rawNodeHttp2(h2);
    const e1 = (await caplab(h1)).rps;
    const e2 = (await caplab(h2)).rps;
    rows.push({ ac, raw, e1, e2 });
    process.stdout.write(`  round ${round}: autocannon (HTTP/1.1) ${ac.toFixed(0)} req/s | node:http2 alone ${raw.toFixed(0)} req/s | caplab HTTP/1.1 ${e1.toFixed(0)} req/s (${(e1 / ac).toFixed(2)}x) | ` +
      `caplab HTTP/2 ${e2.toFixed(0)} req/s (${(e2 / ac).toFixed(2)}x of autocannon, ${(e2 / raw).toFixed(2)}x of node:http2 alone, ${(e2 / e1).toFixed(2)}x of HTTP/1.1)\n`);
  }
  const m = (f: (r: (typeof rows)[number]) => number): number => median(rows.map(f));
  process.stdout.write(`  median: autocannon ${m((r) => r.ac).toFixed(0)} req/s; node:http2 alone ${m((r) => r.raw).toFixed(0)} req/s; caplab over HTTP/1.1 ${m((r) => r.e1).toFixed(0)} req/s (${m((r) => r.e1 / r.ac).toFixed(2)}x), ` +
    `over HTTP/2 ${m((r) => r.e2).toFixed(0)} req/s (${m((r) => r.e2 / r.ac).toFixed(2)}x of autocannon, ${m((r) => r.e2 / r.raw).toFixed(2)}x of node:http2 alone, ${m((r) => r.e2 / r.e1).toFixed(2)}x of its HTTP/1.1)\n`);
} finally {
  await h2.stop();
  await h1.stop();
  rmSync(dir, { recursive: true, force: true });
}
