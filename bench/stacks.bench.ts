/**
 * Stacks benchmark (issue 4):
 * 1. One emulated node (data/hardware.json profile of singapore, WAN off) under a closed loop of 1..128 clients on
 *    GET /v1/ota/check: throughput, latency and 503s per step, next to the USL model of the profile, showing the knee.
 *    A client that gets a 503 waits its Retry-After, as a well-behaved device would. "waits late" is how much longer
 *    than modeled the node's waits ran (its own lateness counters): large means this host, not the model, shaped
 *    the step. The model column is USL at min(clients, W): past W the extra clients queue.
 * 2. The stack's /healthz requests/s against a bare node:http server answering the same JSON, both in child
 *    processes and loaded by autocannon in the same run: the ratio is the overhead of the stack's HTTP layer.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { loadStackData } from '../stacks/config.ts';
import { uslFactor } from '../stacks/node.ts';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (o: { url: string; connections: number; duration: number; pipelining?: number }) => Promise<AutocannonResult>;

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'caplab-bench-stacks-'));
const STEP_S = Number(process.env.BENCH_STEP_S ?? 2);
const WARMUP_S = 0.5;
const CONCURRENCY = [1, 2, 4, 8, 16, 24, 32, 48, 64, 96, 128];
const HEALTH_S = Number(process.env.BENCH_HEALTH_S ?? 4);
const children: ChildProcess[] = [];

function startChild(args: string[], pattern: RegExp): Promise<string> {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = pattern.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

/** The node's modeled and late seconds from /metrics: how much the host stretched the emulated waits. */
async function nodeLateness(url: string): Promise<{ modeled: number; late: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string): number => Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { modeled: read('caplab_node_modeled_seconds_total'), late: read('caplab_node_lateness_seconds_total') };
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

async function closedLoop(url: string, path: string, n: number): Promise<{ x: number; p50: number; p95: number; shed: number }> {
  const pool = new Pool(url, { connections: n, pipelining: 1 });
  const t0 = performance.now();
  const latencies: number[] = [];
  let shed = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while ((performance.now() - t0) / 1000 < STEP_S) {
      const s = performance.now();
      const res = await pool.request({ path, method: 'GET' });
      await res.body.dump();
      const end = performance.now();
      if ((end - t0) / 1000 < WARMUP_S) continue;
      if (res.statusCode === 503) {
        shed++;
        const left = STEP_S * 1000 - (performance.now() - t0);
        await new Promise((r) => setTimeout(r, Math.max(0, Math.min(left, Number(res.headers['retry-after'] ?? 1) * 1000))));
      } else if (end - t0 < STEP_S * 1000) latencies.push(end - s);
    }
  }));
  await pool.close();
  latencies.sort((a, b) => a - b);
  return { x: latencies.length / (STEP_S - WARMUP_S), p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), shed };
}

try {
  const data = loadStackData();
  const profile = data.hardware.profiles[data.hardware.dcs.singapore!.profile]!;
  const S = data.services.routes.ota_check.meanMs / 1000;
  const stackUrl = await startChild([join(root, 'bin', 'caplab.js'), '--out-dir', dir, '--quiet', 'stack', 'up', '--dcs', 'singapore', '--no-wan', '--data-dir', join(dir, 'data')], /^singapore\t(\S+)\n/m);

  process.stdout.write(`\none node, profile W=${profile.workers} sigma=${profile.sigma} kappa=${profile.kappa} queue=${profile.queue}, GET /v1/ota/check (S=${S * 1000} ms), closed loop, WAN off, ${STEP_S}s per step\n\n`);
  process.stdout.write('| clients | throughput/s | model/s | ratio | p50 ms | p95 ms | 503s | waits late |\n|---|---|---|---|---|---|---|---|\n');
  for (const n of CONCURRENCY) {
    const before = await nodeLateness(stackUrl);
    const r = await closedLoop(stackUrl, '/v1/ota/check?model=Mi%204&version=MIUI%206', n);
    const after = await nodeLateness(stackUrl);
    const late = (after.late - before.late) / (after.modeled - before.modeled);
    const inService = Math.min(n, profile.workers);
    const model = inService / (S * uslFactor(inService, profile.sigma, profile.kappa));
    process.stdout.write(`| ${n} | ${r.x.toFixed(1)} | ${model.toFixed(1)} | ${(r.x / model).toFixed(2)} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.shed} | ${(late * 100).toFixed(1)}% |\n`);
  }

  const bareUrl = await startChild(['-e', `require('node:http').createServer((q, s) => { const b = JSON.stringify({ status: 'ok', dc: 'bare', nodes: [] }); s.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(b) }); s.end(b); }).listen(0, '127.0.0.1', function () { console.log('url http://127.0.0.1:' + this.address().port); });`], /^url (\S+)\n/m);
  // Two alternating rounds, so drift in what the other tenants of this machine do hits both servers alike.
  const servers = [['bare node:http', bareUrl], ['caplab stack /healthz', stackUrl]] as const;
  const results: AutocannonResult[][] = [[], []];
  for (const [, url] of servers) await autocannon({ url: `${url}/healthz`, connections: 32, duration: 1 }); // warm-up: JIT, connections
  for (let round = 0; round < 2; round++) {
    for (const [i, [, url]] of servers.entries()) results[i]!.push(await autocannon({ url: `${url}/healthz`, connections: 32, duration: HEALTH_S }));
  }
  process.stdout.write(`\n/healthz, autocannon 32 connections, 2 alternating rounds of ${HEALTH_S}s, same run\n\n| server | req/s round 1 | req/s round 2 | mean req/s | p50 ms | p99 ms | non-2xx | errors |\n|---|---|---|---|---|---|---|---|\n`);
  const mean = (rs: AutocannonResult[]): number => rs.reduce((a, r) => a + r.requests.average, 0) / rs.length;
  for (const [i, [name]] of servers.entries()) {
    const rs = results[i]!;
    const last = rs[rs.length - 1]!;
    process.stdout.write(`| ${name} | ${rs.map((r) => r.requests.average.toFixed(0)).join(' | ')} | ${mean(rs).toFixed(0)} | ${last.latency.p50} | ${last.latency.p99} | ${rs.reduce((a, r) => a + r.non2xx, 0)} | ${rs.reduce((a, r) => a + r.errors, 0)} |\n`);
  }
  const ratio = mean(results[1]!) / mean(results[0]!);
  process.stdout.write(`\nstack /healthz vs bare node:http: ${ratio.toFixed(2)}x the bare server's requests/s (overhead ${((1 - ratio) * 100).toFixed(0)}%)\n`);
} finally {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dir, { recursive: true, force: true });
}
