/**
 * End to end: `caplab run -o json=...` against a target at full speed, Debian's nginx answering `return 200` with no
 * rate limit. About 14 samples per request at tens of thousands of requests per second is far more text than one
 * event loop formats and compresses; the NDJSON output must keep every sample anyway and must not fail the run
 * (before the writer thread it dropped hundreds of thousands of samples and exited 107). Evidence: the points file
 * holds exactly as many http_reqs and iterations points as the end-of-test summary counts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { type RunningNginx, startNginx } from '../helpers/nginx.ts';

const dir = tempDir('caplab-e2e-fast-');
let nginx: RunningNginx | undefined;

beforeAll(async () => {
  nginx = await startNginx(join(dir, 'nginx'), '', '    access_log off;\n    location / { return 200 "ok\\n"; }');
}, 30_000);

afterAll(async () => {
  await nginx?.stop();
  removeDir(dir);
}, 30_000);

/** Point counts per metric in an NDJSON file (gzip when it ends in .gz). */
function pointCounts(path: string): Record<string, number> {
  const raw = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  const counts: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const p = JSON.parse(line) as { type: string; metric: string };
    if (p.type === 'Point') counts[p.metric] = (counts[p.metric] ?? 0) + 1;
  }
  return counts;
}

async function runFast(name: string, out: string, extra: string[]): Promise<{ counts: Record<string, number>; summary: { metrics: Record<string, { values: { count: number } }> } }> {
  const spec = join(dir, `${name}.json`);
  const summaryPath = join(dir, `${name}-summary.json`);
  writeFileSync(spec, JSON.stringify({
    schema: 'caplab.scenario/v1', name, baseUrl: nginx!.url,
    options: { scenarios: { fast: { executor: 'constant-vus', vus: 20, duration: '5s' } } },
    flows: { default: { steps: [{ name: 'get', method: 'GET', path: '/' }] } },
  }));
  const r = await runCli(['--quiet', 'run', spec, '-o', `json=${join(dir, out)}`, '--summary-json', summaryPath, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).not.toMatch(/dropped|could not keep up/);
  return { counts: pointCounts(join(dir, out)), summary: JSON.parse(readFileSync(summaryPath, 'utf8')) };
}

describe('caplab run -o json= against nginx at full speed', () => {
  for (const [name, out, extra] of [['gz', 'points.ndjson.gz', []], ['plain', 'points.ndjson', []], ['workers', 'workers.ndjson.gz', ['--workers', '2']]] as const) {
    it(`keeps every sample (${name})`, async () => {
      const { counts, summary } = await runFast(name, out, [...extra]);
      const reqs = summary.metrics.http_reqs!.values.count;
      expect(reqs).toBeGreaterThan(1000);
      expect(counts.http_reqs).toBe(reqs);
      expect(counts.http_req_duration).toBe(reqs);
      expect(counts.iterations).toBe(summary.metrics.iterations!.values.count);
    }, 60_000);
  }
});
