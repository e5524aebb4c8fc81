import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../../scenarios/engine/metrics/types.ts';
import { createNdjsonOutput } from '../../../scenarios/engine/outputs/ndjson.ts';
import { K6SummaryDataSchema } from '../../../scenarios/engine/outputs/summary-schema.ts';
import { removeDir, REPO_ROOT, runCli, tempDir } from '../../helpers/cli.ts';
import { runSamples } from '../../helpers/samples.ts';

const dir = tempDir('caplab-cli-merge-');
const A = join(dir, 'a.ndjson');
const B = join(dir, 'b.ndjson');
const REAL = join(REPO_ROOT, 'test/fixtures/k6/real-k6-points.ndjson');

async function write(file: string, samples: Sample[]): Promise<void> {
  const out = createNdjsonOutput(createWriteStream(file));
  for (const s of samples) out.add(s);
  await out.close();
}

beforeAll(async () => {
  await write(A, runSamples(200, 1, 'peak'));
  await write(B, runSamples(100, 2, 'probe'));
});
afterAll(() => removeDir(dir));

describe('caplab merge', () => {
  it('merges files into summary-json and summary-export files, prints the text summary, exit 0', async () => {
    const sj = join(dir, 'out', 'summary.json');
    const se = join(dir, 'out', 'export.json');
    const { code, stdout, stderr } = await runCli(['merge', A, B, '--summary-json', sj, '--summary-export', se]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const data = K6SummaryDataSchema.parse(JSON.parse(readFileSync(sj, 'utf8')));
    expect(data.metrics.http_reqs!.values.count).toBe(300);
    expect((JSON.parse(readFileSync(se, 'utf8')) as { metrics: Record<string, Record<string, number>> }).metrics.http_reqs!.count).toBe(300);
    expect(stdout).toMatch(/http_reqs\.+: 300/);
  });

  it('prints the handleSummary JSON to stdout when no file is named, and reads real k6 output', async () => {
    const { code, stdout, stderr } = await runCli(['merge', REAL, '--summary-trend-stats', 'avg,p(99)']);
    expect(code).toBe(0);
    const data = K6SummaryDataSchema.parse(JSON.parse(stdout));
    expect(Object.keys(data.metrics.http_req_duration!.values)).toEqual(['avg', 'p(99)']);
    expect(data.metrics.waiting_time!.type).toBe('trend');
    expect(stderr).toContain('http_reqs');
  });

  it('exits 99 when a threshold is crossed (thresholds file), still writing the summary', async () => {
    const th = join(dir, 'th.json');
    writeFileSync(th, JSON.stringify({ 'http_req_failed{scenario:peak}': ['rate<0.01'], http_req_duration: ['p(95)<5000'] }));
    const sj = join(dir, 'crossed.json');
    const { code, stdout, stderr } = await runCli(['merge', A, B, '--thresholds', th, '--summary-json', sj]);
    expect(code).toBe(99);
    expect(stderr).toContain("thresholds on metrics 'http_req_failed{scenario:peak}' have been crossed");
    expect(stdout).toMatch(/✗ \{ scenario:peak \}/);
    const data = K6SummaryDataSchema.parse(JSON.parse(readFileSync(sj, 'utf8')));
    expect(data.metrics['http_req_failed{scenario:peak}']!.thresholds).toEqual({ 'rate<0.01': { ok: false } });
    expect(data.metrics.http_req_duration!.thresholds).toEqual({ 'p(95)<5000': { ok: true } });
  });

  it('takes thresholds and summaryTrendStats from a scenario spec (YAML)', async () => {
    const spec = join(dir, 'spec.yaml');
    writeFileSync(spec, [
      'schema: caplab.scenario/v1', 'name: t', 'options:', '  thresholds:', '    http_reqs: ["count>=300"]',
      '  summaryTrendStats: [min, max]', 'flows: {}',
    ].join('\n'));
    const { code, stdout } = await runCli(['--quiet', 'merge', A, B, '--spec', spec]);
    expect(code).toBe(0);
    const data = K6SummaryDataSchema.parse(JSON.parse(stdout));
    expect(data.metrics.http_reqs!.thresholds).toEqual({ 'count>=300': { ok: true } });
    expect(data.options.summaryTrendStats).toEqual(['min', 'max']);
  });

  it('exits 107 when an output cannot be written', async () => {
    const { code, stderr } = await runCli(['--quiet', 'merge', A, '--summary-json', join(A, 'under-a-file.json')]);
    expect(code).toBe(107);
    expect(stderr).toContain('cannot write');
  });

  it('reports damaged lines with their numbers and goes on', async () => {
    const damaged = join(dir, 'damaged.ndjson');
    writeFileSync(damaged, `${readFileSync(REAL, 'utf8')}{"type":"Point","data":{"ti\n`);
    const { code, stderr } = await runCli(['--quiet', 'merge', damaged]);
    expect(code).toBe(0);
    expect(stderr).toContain('damaged.ndjson: skipped 1 damaged line (line 28)');
  });

  it('exits 104 on input that is not k6 NDJSON, on missing files and on bad thresholds, writing nothing', async () => {
    const notK6 = join(dir, 'users.ndjson');
    writeFileSync(notK6, '{"id":1,"name":"a"}\n{"id":2,"name":"b"}\n');
    const sj = join(dir, 'never.json');
    const r1 = await runCli(['merge', notK6, '--summary-json', sj]);
    expect(r1.code).toBe(104);
    expect(r1.stderr).toContain('is not k6 NDJSON');
    const r2 = await runCli(['merge', join(dir, 'nope.ndjson'), '--summary-json', sj]);
    expect(r2.code).toBe(104);
    expect(r2.stderr).toContain('no such file');
    const th = join(dir, 'bad-th.json');
    writeFileSync(th, JSON.stringify({ http_req_duration: ['p95<300', 'count>1'], 'http_reqs{x}': ['count>1'] }));
    const r3 = await runCli(['merge', A, '--thresholds', th, '--summary-json', sj]);
    expect(r3.code).toBe(104);
    expect(r3.stderr).toContain('http_req_duration[0]');
    expect(r3.stderr).toContain('http_req_duration[1]');
    expect(r3.stderr).toContain('http_reqs{x}');
    expect(existsSync(sj)).toBe(false);
  });
});
