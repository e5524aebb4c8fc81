/**
 * `caplab run --workers N` against a real server on 127.0.0.1: the workers together do exactly the work one process
 * does (iteration-based executors exactly, arrival-rate ones within one iteration per worker), setup runs once, the
 * merged metrics equal those recomputed from the one NDJSON stream, an abortOnFail threshold crossed by one worker's
 * requests stops all of them, and SIGINT stops them all with outputs written.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPLAB_BIN, REPO_ROOT, removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { startServer, type TestServer } from '../scenarios/server.ts';

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startServer();
  dir = tempDir('caplab-workers-');
});
afterAll(async () => {
  await server.close();
  removeDir(dir);
});

interface Summary {
  state: { testRunDurationMs: number };
  metrics: Record<string, { values: Record<string, number> }>;
}

function writeSpec(name: string, body: Record<string, unknown>): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ schema: 'caplab.scenario/v1', name, baseUrl: server.url, ...body }));
  return path;
}

function writeUsers(name: string, users: Record<string, unknown>[]): void {
  writeFileSync(join(dir, name), users.map((u) => JSON.stringify(u)).join('\n'));
}

const readSummary = (path: string): Summary => JSON.parse(readFileSync(path, 'utf8')) as Summary;
const count = (s: Summary, key: string): number => s.metrics[key]?.values.count ?? NaN;

/** Runs the spec and returns its summary and the request URLs the server saw meanwhile (sorted). */
async function runSeen(spec: string, workers: number, extra: string[] = []): Promise<{ summary: Summary; urls: string[]; code: number; stderr: string }> {
  server.seen.length = 0;
  const sj = join(dir, `summary-${workers}.json`);
  const r = await runCli(['--quiet', 'run', spec, '--workers', String(workers), '--summary-json', sj, ...extra]);
  return { summary: readSummary(sj), urls: server.seen.map((x) => `${x.method} ${x.url} ${x.headers.authorization ?? ''}`).sort(), code: r.code, stderr: r.stderr };
}

describe('caplab run --workers', () => {
  it('iteration-based executors: 2 workers do exactly what 1 does, VU and iteration numbers test-wide, setup once', async () => {
    writeUsers('users-a.ndjson', Array.from({ length: 7 }, (_, i) => ({ id: `u${i}` })));
    const spec = writeSpec('iter.json', {
      data: { users: { file: 'users-a.ndjson' } },
      options: {
        scenarios: {
          shared: { executor: 'shared-iterations', vus: 5, iterations: 31, maxDuration: '60s' },
          pervu: { executor: 'per-vu-iterations', vus: 4, iterations: 3, maxDuration: '60s' },
        },
        thresholds: { 'iterations{scenario:shared}': ['count>0'], 'iterations{scenario:pervu}': ['count>0'] },
      },
      setup: { steps: [{ name: 'register', method: 'POST', path: '/register', json: { userId: 'setup' }, extract: { token: '$.token' } }] },
      flows: {
        default: { steps: [{ name: 'ok', path: '/ok?s={{scenario}}&i={{iteration}}&vu={{vu}}&u={{user.id}}', headers: { Authorization: 'Bearer {{vars.token}}' } }] },
      },
    });
    const one = await runSeen(spec, 1);
    const two = await runSeen(spec, 2);
    expect([one.code, two.code]).toEqual([0, 0]);
    expect(count(two.summary, 'iterations{scenario:shared}')).toBe(31);
    expect(count(two.summary, 'iterations{scenario:pervu}')).toBe(12);
    expect(count(two.summary, 'http_reqs')).toBe(count(one.summary, 'http_reqs'));
    // The same requests: iteration numbers, and for per-vu-iterations the VU and user of each, are those of the
    // undivided run (shared-iterations hands iterations to whichever VU is free, so there only the iterations match).
    const shared = (u: string): string => u.replace(/&vu=\d+&u=u\d+/, '');
    expect(two.urls.map(shared).sort()).toEqual(one.urls.map(shared).sort());
    const pervu = (urls: string[]): string[] => urls.filter((u) => u.includes('s=pervu'));
    expect(pervu(two.urls)).toEqual(pervu(one.urls));
    expect(pervu(two.urls)).toHaveLength(12);
    expect(new Set(two.urls.filter((u) => u.includes('s=shared')).map((u) => /vu=(\d+)/.exec(u)![1])).size).toBeGreaterThan(1);
    expect(two.urls.filter((u) => u.startsWith('POST /register'))).toHaveLength(1);
    expect(two.urls.every((u) => u.startsWith('POST') || u.endsWith('Bearer t-setup'))).toBe(true);
    expect(two.summary.metrics.vus_max!.values.value).toBe(one.summary.metrics.vus_max!.values.value);
  }, 120_000);

  it('arrival-rate executors: within one iteration per worker of 1 worker; the merged view equals the merge of its one NDJSON', async () => {
    const spec = writeSpec('rate.json', {
      options: {
        scenarios: {
          // As many VUs as iterations: a stall of the shared test machine cannot drop any.
          rate: { executor: 'constant-arrival-rate', rate: 100, timeUnit: '1s', duration: '1s', preAllocatedVUs: 100 },
          ramp: { executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '1s', preAllocatedVUs: 40, stages: [{ target: 90, duration: '600ms' }] },
        },
        thresholds: { 'iterations{scenario:rate}': ['count>0'], 'iterations{scenario:ramp}': ['count>0'], 'http_req_duration{scenario:rate}': ['p(95)<10000'] },
        summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
      },
      flows: { default: { steps: [{ name: 'ok', path: '/ok?s={{scenario}}&i={{iteration}}' }] } },
    });
    const nd = join(dir, 'rate.ndjson.gz');
    const one = await runSeen(spec, 1);
    const two = await runSeen(spec, 2, ['-o', `json=${nd}`]);
    expect([one.code, two.code]).toEqual([0, 0]);
    for (const name of ['rate', 'ramp']) {
      const diff = Math.abs(count(two.summary, `iterations{scenario:${name}}`) - count(one.summary, `iterations{scenario:${name}}`));
      expect(diff, name).toBeLessThanOrEqual(2);
    }
    // Iteration numbers stay unique across the workers.
    expect(new Set(two.urls).size).toBe(two.urls.length);

    const text = gunzipSync(readFileSync(nd)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; metric: string });
    const metricLines = text.filter((l) => l.type === 'Metric').map((l) => l.metric);
    expect(new Set(metricLines).size).toBe(metricLines.length);
    expect(text.filter((l) => l.type === 'Point' && l.metric === 'http_reqs')).toHaveLength(count(two.summary, 'http_reqs'));
    const mj = join(dir, 'merged.json');
    const m = await runCli(['--quiet', 'merge', nd, '--spec', spec, '--summary-json', mj]);
    expect(m.code, m.stderr).toBe(0);
    const merged = readSummary(mj);
    // HDR buckets added up in the parent give exactly what the raw points give (never averaged percentiles).
    for (const key of ['http_req_duration', 'http_req_duration{scenario:rate}', 'iteration_duration', 'caplab_schedule_lag']) {
      const { avg, ...exact } = two.summary.metrics[key]!.values;
      const { avg: mAvg, ...mExact } = merged.metrics[key]!.values;
      expect(mExact, key).toEqual(exact);
      expect(mAvg!).toBeCloseTo(avg!, 9);
    }
  }, 120_000);

  it('an abortOnFail threshold crossed by one worker\'s requests stops every worker (exit 99)', async () => {
    // VU v acts as user (v - 1) % 4; with 2 workers VUs 1 and 3 run in the first, 2 and 4 in the second: only the first fails.
    writeUsers('users-b.ndjson', [{ id: 'a', code: 500 }, { id: 'b', code: 200 }, { id: 'c', code: 200 }, { id: 'd', code: 200 }]);
    const spec = writeSpec('abort.json', {
      data: { users: { file: 'users-b.ndjson' } },
      options: {
        scenarios: { s: { executor: 'constant-vus', vus: 4, duration: '60s', gracefulStop: '0s' } },
        thresholds: { http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true }] },
      },
      flows: { default: { steps: [{ name: 'hit', path: '/status/{{user.code}}?vu={{vu}}', think: '20ms' }] } },
    });
    const r = await runSeen(spec, 2);
    expect(r.code, r.stderr).toBe(99);
    expect(r.stderr).toContain('abortOnFail');
    const failingVus = new Set(r.urls.filter((u) => u.includes('/status/500')).map((u) => /vu=(\d+)/.exec(u)![1]));
    expect([...failingVus].sort()).toEqual(['1']);
    expect(r.urls.some((u) => u.includes('vu=2')) && r.urls.some((u) => u.includes('vu=4'))).toBe(true);
    // The run ends only when every worker has: far before the scenario's 60 s, so the second worker stopped too.
    expect(r.summary.state.testRunDurationMs).toBeLessThan(30_000);
  }, 120_000);

  it('SIGINT stops every worker; the summary and the one NDJSON stream are written (exit 105)', async () => {
    const spec = writeSpec('long.json', {
      options: { scenarios: { s: { executor: 'constant-vus', vus: 4, duration: '60s', gracefulStop: '0s' } } },
      flows: { default: { steps: [{ path: '/slow?ms=20&vu={{vu}}' }] } },
    });
    const sj = join(dir, 'int.json');
    const nd = join(dir, 'int.ndjson.gz');
    server.seen.length = 0;
    const child = spawn(process.execPath, [CAPLAB_BIN, 'run', spec, '--workers', '2', '--summary-json', sj, '-o', `json=${nd}`, '--quiet'],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    // A VU sends its second request only after its first response was counted: interrupt once every VU of both
    // workers has (bounded wait), so each worker has results to report.
    const vusDone = (): number => {
      const per = new Map<string, number>();
      for (const x of server.seen) {
        const vu = /vu=(\d+)/.exec(x.url)?.[1];
        if (vu !== undefined) per.set(vu, (per.get(vu) ?? 0) + 1);
      }
      return [...per.values()].filter((n) => n >= 2).length;
    };
    for (let i = 0; i < 600 && vusDone() < 4; i++) await new Promise((r) => setTimeout(r, 50));
    expect(vusDone()).toBe(4);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code, stderr).toBe(105);
    expect(stderr).toContain('interrupted');
    const summary = readSummary(sj);
    expect(count(summary, 'http_reqs')).toBeGreaterThan(0);
    expect(summary.state.testRunDurationMs).toBeLessThan(50_000);
    const lines = gunzipSync(readFileSync(nd)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; metric: string });
    expect(lines.filter((l) => l.type === 'Point' && l.metric === 'http_reqs')).toHaveLength(count(summary, 'http_reqs'));
    expect(readdirSync(dir).some((f) => f.includes('.tmp-'))).toBe(false);
  }, 120_000);

  it('refuses bad --workers values and a split of an execution segment, listing every problem (exit 104, nothing run)', async () => {
    const spec = writeSpec('bad.json', { flows: { default: { steps: [{ path: '/ok?bad' }] } } });
    server.seen.length = 0;
    const r = await runCli(['run', spec, '--workers', '0', '--vus', 'x']);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain('--workers');
    expect(r.stderr).toContain('--vus');
    const s = await runCli(['run', spec, '--workers', '2', '--execution-segment', '0:1/2']);
    expect(s.code).toBe(104);
    expect(s.stderr).toMatch(/--workers.*cannot split an execution segment/);
    const k = await runCli(['run', spec, '--workers', '2', '--runner', 'k6']);
    expect(k.code).toBe(104);
    expect(k.stderr).toContain('--workers');
    expect(server.seen.filter((x) => x.url.includes('bad'))).toHaveLength(0);
  }, 60_000);
});
