import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeNdjson } from '../../../reports/ingest/merge.ts';
import { createRegistry } from '../../../scenarios/engine/metrics/registry.ts';
import type { Sample } from '../../../scenarios/engine/metrics/types.ts';
import { createNdjsonOutput } from '../../../scenarios/engine/outputs/ndjson.ts';
import { buildSummaryData, K6SummaryDataSchema } from '../../../scenarios/engine/outputs/summary-json.ts';
import { parseThresholds } from '../../../scenarios/engine/thresholds.ts';
import { removeDir, tempDir } from '../../helpers/cli.ts';
import { runSamples } from '../../helpers/samples.ts';

const dir = tempDir('caplab-merge-');
afterAll(() => removeDir(dir));
const STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

async function writeNdjson(file: string, samples: Sample[], gzip = false): Promise<void> {
  if (gzip) {
    const gz = createGzip();
    const done = pipeline(gz, createWriteStream(file));
    const out = createNdjsonOutput(gz);
    for (const s of samples) out.add(s);
    await out.close();
    await done;
    return;
  }
  const out = createNdjsonOutput(createWriteStream(file));
  for (const s of samples) out.add(s);
  await out.close();
}

describe('mergeNdjson', () => {
  it('gives exactly what one registry over both point sets gives (plain + gzip inputs)', async () => {
    const a = runSamples(1500, 21, 'peak');
    const b = runSamples(900, 22, 'probe');
    await writeNdjson(join(dir, 'a.ndjson'), a);
    await writeNdjson(join(dir, 'b.ndjson.gz'), b, true);
    const { specs } = parseThresholds({ 'http_req_duration{scenario:peak}': ['p(95)<200'], http_req_failed: ['rate<0.01'] });
    const merged = await mergeNdjson([
      { name: 'a.ndjson', stream: createReadStream(join(dir, 'a.ndjson')) },
      { name: 'b.ndjson.gz', stream: createReadStream(join(dir, 'b.ndjson.gz')) },
    ], { thresholds: specs, summaryTrendStats: STATS, testRunDurationMs: 15_000 });

    const one = createRegistry({ thresholds: specs, summaryTrendStats: STATS });
    for (const s of [...a, ...b]) one.add(s);
    const direct = buildSummaryData(one, { testRunDurationMs: 15_000, isStdOutTTY: false, isStdErrTTY: false }, { summaryTrendStats: STATS, noColor: true });

    expect(merged.reports.map((r) => [r.points, r.damaged])).toEqual([[a.length, 0], [b.length, 0]]);
    expect(merged.data).toEqual(direct);
    expect(K6SummaryDataSchema.safeParse(merged.data).success).toBe(true);
    expect(merged.data.metrics.http_reqs!.values.count).toBe(2400);
    expect(merged.data.metrics['http_req_duration{scenario:peak}']!.values.count).toBe(1500);
    expect(merged.thresholds.map((t) => [t.metric, t.ok])).toEqual([['http_req_duration{scenario:peak}', true], ['http_req_failed', false]]);
    expect(merged.thresholdsOk).toBe(false);
  });

  it('rebuilds k6\'s http_req_duration{expected_response:true} from the points (k6 0.31+ always has it)', async () => {
    const a = runSamples(200, 31, 'peak');
    const b = runSamples(100, 32, 'probe');
    await writeNdjson(join(dir, 'er-a.ndjson'), a);
    await writeNdjson(join(dir, 'er-b.ndjson'), b);
    const { data } = await mergeNdjson([
      { name: 'er-a', stream: createReadStream(join(dir, 'er-a.ndjson')) },
      { name: 'er-b', stream: createReadStream(join(dir, 'er-b.ndjson')) },
    ], { summaryTrendStats: STATS });
    const sub = data.metrics['http_req_duration{expected_response:true}'];
    expect(sub).toBeDefined();
    expect(sub!).toMatchObject({ type: 'trend', contains: 'time' });
    expect('thresholds' in sub!).toBe(false);
    expect(sub!.values.count).toBe(190 + 95); // every 20th request of each run is a 503
    const expectedMax = Math.max(...[...a, ...b].filter((x) => x.metric.name === 'http_req_duration' && x.tags.expected_response === 'true').map((x) => x.value));
    expect(sub!.values.max).toBeCloseTo(expectedMax, 6); // NDJSON keeps values exactly enough for max
  });

  it('never averages percentiles: the merged p95 is the p95 of all points', async () => {
    // File A: 1000 fast requests; file B: 100 slow ones. Averaging per-file p95s would give ~(10+1000)/2.
    const mk = (n: number, v: number, t0: number): Sample[] =>
      Array.from({ length: n }, (_, i) => ({ metric: { name: 'http_req_duration', type: 'trend', contains: 'time' }, time: t0 + i, value: v, tags: {} }) as Sample);
    await writeNdjson(join(dir, 'fast.ndjson'), mk(1000, 10, 1e12));
    await writeNdjson(join(dir, 'slow.ndjson'), mk(100, 1000, 1e12));
    const { data } = await mergeNdjson([
      { name: 'fast', stream: createReadStream(join(dir, 'fast.ndjson')) },
      { name: 'slow', stream: createReadStream(join(dir, 'slow.ndjson')) },
    ], { summaryTrendStats: ['p(90)', 'p(95)'] });
    expect(data.metrics.http_req_duration!.values['p(90)']).toBeCloseTo(10, 2);
    expect(Math.abs(data.metrics.http_req_duration!.values['p(95)']! - 1000)).toBeLessThanOrEqual(1);
  });

  it('takes the run duration from the points when not given', async () => {
    await writeNdjson(join(dir, 'c.ndjson'), runSamples(100, 5));
    const { data } = await mergeNdjson([{ name: 'c', stream: createReadStream(join(dir, 'c.ndjson')) }]);
    expect(data.state.testRunDurationMs).toBeCloseTo(1000, 0); // vus at T0 and at T0 + 100 * 10 ms
    expect(data.metrics.http_reqs!.values.rate).toBeCloseTo(100, 0);
    expect(data.options.summaryTrendStats).toEqual(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)']);
  });
});
