import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRunProgress } from '../../cli/print/run-progress.ts';
import { newStats } from '../../scenarios/engine/executor.ts';
import { K6SummaryDataSchema } from '../../scenarios/engine/outputs/summary-json.ts';
import { CAPLAB_BIN, REPO_ROOT, removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { DESIGN_SPEC } from '../scenarios/design-spec.ts';
import { startServer, type TestServer } from '../scenarios/server.ts';

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startServer();
  dir = tempDir('caplab-run-');
});
afterAll(async () => {
  await server.close();
  removeDir(dir);
});

function writeSpec(name: string, body: Record<string, unknown>): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ schema: 'caplab.scenario/v1', name: 'cli', baseUrl: server.url, ...body }));
  return path;
}

const okFlow = { default: { steps: [{ name: 'ok', group: 'g', path: '/ok', checks: { status: 200 } }] } };

function points(path: string): { type: string; metric: string; data: { tags?: Record<string, string> } }[] {
  const raw = readFileSync(path);
  const text = path.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return text.trim().split('\n').map((l) => JSON.parse(l));
}

describe('progress line', () => {
  it('shows elapsed time, running scenarios, VUs, iterations, drops and rate', () => {
    const peak = { ...newStats(), vus: 20, completed: 4000, dropped: 3 };
    const done = { ...newStats(), completed: 211 };
    expect(formatRunProgress({ elapsedMs: 12_040, vus: 20, vusMax: 40, scenarios: { peak, done } }, 1234.4))
      .toBe('running (12.0s) peak: 20/40 VUs, 4211 complete iterations, 3 dropped, 1234 req/s');
  });
});

describe('caplab run', () => {
  it('runs a spec and writes summary-json, summary-export and NDJSON that agree', async () => {
    const spec = writeSpec('ok.json', {
      options: { scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 12 } }, thresholds: { 'http_req_duration{scenario:s}': ['p(95)<5000'] } },
      flows: okFlow,
    });
    const sj = join(dir, 'summary.json');
    const se = join(dir, 'export.json');
    const nd = join(dir, 'points.ndjson.gz');
    const r = await runCli(['run', spec, '--summary-json', sj, '--summary-export', se, '-o', `json=${nd}`, '--tag', 'env=test']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('http_reqs');
    const summary = K6SummaryDataSchema.parse(JSON.parse(readFileSync(sj, 'utf8')));
    expect(summary.metrics.http_reqs!.values.count).toBe(12);
    expect(summary.metrics.iterations!.values.count).toBe(12);
    expect(summary.metrics['http_req_duration{scenario:s}']!.thresholds).toEqual({ 'p(95)<5000': { ok: true } });
    const exported = JSON.parse(readFileSync(se, 'utf8')) as { metrics: Record<string, Record<string, number>> };
    expect(exported.metrics.http_reqs!.count).toBe(12);
    const pts = points(nd).filter((p) => p.type === 'Point' && p.metric === 'http_reqs');
    expect(pts).toHaveLength(12);
    expect(pts[0]!.data.tags).toMatchObject({ scenario: 's', env: 'test', name: 'ok', group: '::g' });
  });

  it('runs the canonical example spec end to end (users file, once/extract, mix, thresholds)', async () => {
    const users = Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: `u${i}`, country: 'SG', deviceSecret: `s${i}`, contacts: 10 + i, deviceModel: 'Mi 4', osVersion: 'MIUI 6' }));
    writeFileSync(join(dir, 'users-singapore.ndjson'), `${users.join('\n')}\n`);
    const spec = structuredClone(DESIGN_SPEC) as Record<string, any>;
    spec.baseUrl = server.url;
    spec.options.scenarios.probe_4.duration = '400ms';
    spec.options.scenarios.peak.startTime = '400ms';
    spec.options.scenarios.peak.stages = [{ target: 60, duration: '400ms' }];
    const path = join(dir, 'design.json');
    writeFileSync(path, JSON.stringify(spec));
    server.seen.length = 0;
    const sj = join(dir, 'design-summary.json');
    const r = await runCli(['run', path, '--summary-json', sj, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(sj, 'utf8')) as { metrics: Record<string, { values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }> };
    expect(summary.metrics['http_req_failed{scenario:peak}']!.thresholds).toEqual({ 'rate<0.01': { ok: true } });
    // A VU registers at most once (once + extract), then reuses its token for every sync.
    const regs = server.seen.filter((x) => x.url === '/v1/devices/register');
    expect(regs.length).toBeLessThanOrEqual(summary.metrics.vus_max!.values.max!);
    const syncs = server.seen.filter((x) => x.url === '/v1/contacts/sync');
    expect(syncs.length).toBeGreaterThan(regs.length);
    expect(syncs.every((x) => /^Bearer t-u\d$/.test(String(x.headers.authorization)))).toBe(true);
    expect(server.seen.some((x) => x.url.startsWith('/v1/ota/check?model=Mi%204&version=MIUI%206'))).toBe(true);
  });

  it('--iterations/--vus replace the scenarios; segments split the work exactly', async () => {
    const spec = writeSpec('seg.yaml', { flows: okFlow });
    const counts: number[] = [];
    for (const seg of ['0:1/3', '1/3:1']) {
      const sj = join(dir, `seg-${counts.length}.json`);
      const r = await runCli(['run', spec, '--vus', '2', '--iterations', '10', '--execution-segment', seg, '--execution-segment-sequence', '0,1/3,1', '--summary-json', sj, '--quiet']);
      expect(r.code).toBe(0);
      counts.push((JSON.parse(readFileSync(sj, 'utf8')) as { metrics: { iterations: { values: { count: number } } } }).metrics.iterations.values.count);
    }
    expect(counts).toEqual([3, 7]);
  });

  it('exits 104 listing every problem, writing nothing', async () => {
    const spec = writeSpec('bad.json', {
      options: { scenarios: { s: { executor: 'constant-vus', duration: 'soon', vus: -1 } }, thresholds: { 'http_req_duration': ['p95<1'] } },
      flows: { default: { steps: [{ path: '/ok', method: 'FETCH' }] } },
    });
    const sj = join(dir, 'never.json');
    const r = await runCli(['run', spec, '--vus', 'x', '--summary-json', sj, '-o', 'csv=x.csv']);
    expect(r.code).toBe(104);
    for (const where of ['options.scenarios.s.duration', 'options.scenarios.s.vus', 'options.thresholds.http_req_duration[0]', 'flows.default.steps[0].method', '--vus', '--out']) {
      expect(r.stderr).toContain(where);
    }
    expect(existsSync(sj)).toBe(false);
    expect(r.stdout).toBe('');
  });

  it('exits 99 when thresholds are crossed, and stops early with abortOnFail', async () => {
    const spec = writeSpec('fail.json', {
      options: {
        scenarios: { s: { executor: 'constant-vus', vus: 1, duration: '20s' } },
        thresholds: { http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true }], checks: ['rate>0.99'] },
      },
      flows: { default: { steps: [{ path: '/status/500', checks: { status: 200 }, think: '20ms' }] } },
    });
    const t0 = Date.now();
    const r = await runCli(['run', spec, '--quiet']);
    expect(r.code).toBe(99);
    expect(Date.now() - t0).toBeLessThan(12_000);
    expect(r.stderr).toContain('abortOnFail');
  });

  it('exits 107 when setup fails', async () => {
    const spec = writeSpec('setup.json', {
      options: { scenarios: { s: { executor: 'shared-iterations', iterations: 1 } } },
      setup: { steps: [{ name: 'login', url: 'http://127.0.0.1:1/login' }] },
      flows: okFlow,
    });
    const r = await runCli(['run', spec]);
    expect(r.code).toBe(107);
    expect(r.stderr).toContain('setup failed: setup step "login": no response');
  });

  it('exits 105 on SIGINT after writing its outputs', async () => {
    const spec = writeSpec('long.json', {
      options: { scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '30s', gracefulStop: '0s' } } },
      flows: { default: { steps: [{ path: '/slow?ms=20' }] } },
    });
    const sj = join(dir, 'int.json');
    const before = server.hits.get('/slow') ?? 0;
    const child = spawn(process.execPath, [CAPLAB_BIN, 'run', spec, '--summary-json', sj, '--quiet'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    // Interrupt once requests are flowing (bounded wait).
    for (let i = 0; i < 200 && (server.hits.get('/slow') ?? 0) - before < 5; i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(105);
    expect(stderr).toContain('interrupted');
    const summary = JSON.parse(readFileSync(sj, 'utf8')) as { metrics: { http_reqs: { values: { count: number } } } };
    expect(summary.metrics.http_reqs.values.count).toBeGreaterThan(0);
    expect(readdirSync(dir).some((f) => f.includes('.tmp-'))).toBe(false);
  });
});
