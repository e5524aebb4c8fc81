/**
 * Execution segments end to end (issue 5): the same spec run as three segments in three processes, each writing
 * k6 NDJSON, merged by `caplab merge` from the raw points, performs exactly the unsegmented run's work: the same
 * iteration, request and check counts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { specOf, startServer, type TestServer } from '../scenarios/server.ts';

const dir = tempDir('caplab-e2e-segments-');
let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
  removeDir(dir);
});

describe('segments merged == the unsegmented run', () => {
  it.each([
    ['shared-iterations', { executor: 'shared-iterations', vus: 3, iterations: 31 }],
    ['per-vu-iterations', { executor: 'per-vu-iterations', vus: 5, iterations: 4 }],
    ['constant-arrival-rate', { executor: 'constant-arrival-rate', rate: 40, timeUnit: '1s', duration: '2s', preAllocatedVUs: 6 }],
  ])('%s over thirds', async (name, scenario) => {
    const spec = join(dir, `${name}.json`);
    writeFileSync(spec, JSON.stringify(specOf(server.url, { s: scenario }, { default: { steps: [{ name: 'ok', path: '/ok' }] } })));
    const whole = await runCli(['--quiet', 'run', spec, '-o', `json=${join(dir, `${name}-whole.ndjson`)}`, '--summary-json', join(dir, `${name}-whole.json`)]);
    expect(whole.code, whole.stderr).toBe(0);
    const segments = ['0:1/3', '1/3:2/3', '2/3:1'];
    const parts = await Promise.all(segments.map((seg, i) => runCli(['--quiet', 'run', spec,
      '--execution-segment', seg, '--execution-segment-sequence', '0,1/3,2/3,1', '-o', `json=${join(dir, `${name}-${i}.ndjson.gz`)}`])));
    for (const p of parts) expect(p.code, p.stderr).toBe(0);
    const merged = await runCli(['--quiet', 'merge', ...segments.map((_, i) => join(dir, `${name}-${i}.ndjson.gz`)), '--summary-json', join(dir, `${name}-merged.json`)]);
    expect(merged.code, merged.stderr).toBe(0);
    const { readFileSync } = await import('node:fs');
    const a = JSON.parse(readFileSync(join(dir, `${name}-whole.json`), 'utf8'));
    const b = JSON.parse(readFileSync(join(dir, `${name}-merged.json`), 'utf8'));
    // An arrival-rate run on a busy machine may find no free VU for an iteration: k6 counts it in dropped_iterations
    // instead. What the segments must add up to exactly is the iterations scheduled (done + dropped), 80 here; the
    // requests and checks follow the iterations each run actually made.
    const scheduled = (x: typeof a): number => x.metrics.iterations.values.count + (x.metrics.dropped_iterations?.values.count ?? 0);
    expect(scheduled(b)).toBe(scheduled(a));
    if ('rate' in scenario) expect(scheduled(a)).toBe(80);
    // One request per iteration in both; with nothing dropped, the very same work.
    for (const x of [a, b]) expect(x.metrics.http_reqs.values.count).toBe(x.metrics.iterations.values.count);
    if (!a.metrics.dropped_iterations && !b.metrics.dropped_iterations) {
      expect(b.metrics.iterations.values.count).toBe(a.metrics.iterations.values.count);
      expect(b.metrics.checks?.values.passes ?? 0).toBe(a.metrics.checks?.values.passes ?? 0);
    }
  }, 60_000);
});
