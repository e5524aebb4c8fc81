/**
 * NDJSON output benchmark (issue 22, item 1): what `-o json=points.ndjson.gz` costs a run against a target at full
 * speed. Three clients against the same Debian nginx (`return 200`, one worker, no access log), alternating per round:
 * autocannon (the peer), `caplab run` without outputs, and `caplab run -o json=x.ndjson.gz`, each with the same
 * connections (VUs) for the same seconds. Figures: req/s during the test from each run's own count, the output run's
 * rate as a share of the no-output run's (goal: the output costs under 30%, i.e. >= 0.70x), the time the writer
 * needed after the test to finish the file, and a check that the file holds every request (points = summary count).
 * Medians over rounds. Without nginx on the machine the raw responder (bench/targets.ts) stands in.
 * Env: BENCH_VUS (default 20), BENCH_SECONDS (default 6), BENCH_ROUNDS (default 3).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { median } from 'simple-statistics';
import { RAW_SERVER_SOURCE } from './targets.ts';

const VUS = Number(process.env.BENCH_VUS ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'caplab-bench-ndjson-'));

function nginxBinary(): string | undefined {
  for (const bin of ['nginx', '/usr/sbin/nginx']) if (spawnSync(bin, ['-v']).status === 0) return bin;
  return undefined;
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startTarget(): Promise<{ url: string; label: string; child: ChildProcess }> {
  const bin = nginxBinary();
  if (bin) {
    const port = await freePort();
    const prefix = join(dir, 'nginx');
    mkdirSync(join(prefix, 'logs'), { recursive: true });
    writeFileSync(join(prefix, 'nginx.conf'), [
      ...(process.getuid?.() === 0 ? ['user root;'] : []), 'worker_processes 1;', `pid ${join(prefix, 'nginx.pid')};`,
      `error_log ${join(prefix, 'logs', 'error.log')} warn;`, 'events { worker_connections 1024; }',
      `http { access_log off; client_body_temp_path ${join(prefix, 'body')}; server { listen 127.0.0.1:${port}; location / { return 200 "ok\\n"; } } }`, '',
    ].join('\n'));
    const child = spawn(bin, ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(url)).ok) return { url, label: 'Debian nginx (return 200, 1 worker)', child };
      } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`nginx did not start on ${url}`);
  }
  const child = spawn(process.execPath, ['--input-type=module', '-e', RAW_SERVER_SOURCE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (b: Buffer) => resolve(Number(b.toString().trim()))));
  return { url: `http://127.0.0.1:${port}`, label: 'the raw responder (no nginx here)', child };
}

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; ms: number }> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout!.on('data', (b: Buffer) => { stdout += b.toString(); });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, ms: performance.now() - t0 })));
}

async function autocannon(url: string): Promise<number> {
  const r = await run(process.execPath, [join(root, 'node_modules', 'autocannon', 'autocannon.js'), '-c', String(VUS), '-d', String(SECONDS), '-j', url]);
  const j = JSON.parse(r.stdout) as { requests: { total: number }; duration: number };
  return j.requests.total / j.duration;
}

async function caplab(url: string, output: boolean): Promise<{ rps: number; overheadSeconds: number; complete: boolean }> {
  const spec = join(dir, 'spec.json');
  writeFileSync(spec, JSON.stringify({
    schema: 'caplab.scenario/v1', name: 'bench-ndjson', baseUrl: url,
    options: { scenarios: { s: { executor: 'constant-vus', vus: VUS, duration: `${SECONDS}s` } } },
    flows: { default: { steps: [{ name: 'get', method: 'GET', path: '/' }] } },
  }));
  const summary = join(dir, 'summary.json');
  const points = join(dir, 'points.ndjson.gz');
  const r = await run(process.execPath, [join(root, 'bin', 'caplab.js'), '--quiet', 'run', spec, '--summary-json', summary, ...(output ? ['-o', `json=${points}`] : [])]);
  if (r.code !== 0) throw new Error(`caplab run exited ${r.code}`);
  const s = JSON.parse(readFileSync(summary, 'utf8')) as { state: { testRunDurationMs: number }; metrics: { http_reqs: { values: { count: number; rate: number } } } };
  let complete = true;
  if (output) {
    let n = 0;
    for (const line of gunzipSync(readFileSync(points)).toString('utf8').split('\n')) if (line.startsWith('{"type":"Point"') && line.endsWith('"metric":"http_reqs"}')) n++;
    complete = n === s.metrics.http_reqs.values.count;
    rmSync(points);
  }
  // Wall time beyond the test's own duration: start-up, summary and, with the output, the writer catching up.
  return { rps: s.metrics.http_reqs.values.rate, overheadSeconds: (r.ms - s.state.testRunDurationMs) / 1000, complete };
}

const target = await startTarget();
try {
  process.stdout.write(`NDJSON output against ${target.label} at ${target.url}: ${VUS} connections/VUs, ${SECONDS}s per run, ${ROUNDS} rounds\n`);
  await autocannon(target.url); // warm-up
  const shares: number[] = [];
  const vsPeer: number[] = [];
  const tails: number[] = [];
  let allComplete = true;
  for (let round = 1; round <= ROUNDS; round++) {
    const ac = await autocannon(target.url);
    const plain = await caplab(target.url, false);
    const out = await caplab(target.url, true);
    shares.push(out.rps / plain.rps);
    vsPeer.push(out.rps / ac);
    const tail = out.overheadSeconds - plain.overheadSeconds;
    tails.push(tail);
    allComplete &&= out.complete;
    process.stdout.write(`  round ${round}: autocannon ${ac.toFixed(0)} req/s | caplab ${plain.rps.toFixed(0)} req/s | caplab -o json=.gz ${out.rps.toFixed(0)} req/s ` +
      `(${(out.rps / plain.rps).toFixed(2)}x of no output, ${(out.rps / ac).toFixed(2)}x of autocannon; output finished ${tail.toFixed(1)} s after the test, points ${out.complete ? 'complete' : 'INCOMPLETE'})\n`);
  }
  const share = median(shares);
  process.stdout.write(`  median: with -o json=x.ndjson.gz caplab keeps ${share.toFixed(2)}x of its no-output rate (goal >= 0.70x: ${share >= 0.7 ? 'met' : 'MISSED'}), ` +
    `${median(vsPeer).toFixed(2)}x of autocannon's; the output is finished ${median(tails).toFixed(1)} s after the test; every points file ${allComplete ? 'complete' : 'INCOMPLETE'}\n`);
} finally {
  target.child.kill('SIGQUIT');
  rmSync(dir, { recursive: true, force: true });
}
