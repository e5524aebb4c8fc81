import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_METRICS as M } from '../../../../scenarios/engine/metrics/builtin.ts';
import { createRegistry } from '../../../../scenarios/engine/metrics/registry.ts';
import { createNdjsonOutput } from '../../../../scenarios/engine/outputs/ndjson.ts';
import { createSampleBatcher } from '../../../../scenarios/engine/outputs/sample-batch.ts';
import { removeDir, tempDir } from '../../../helpers/cli.ts';
import { runSamples, T0 } from '../../../helpers/samples.ts';

const dir = tempDir('caplab-ndjson-out-');
afterAll(() => removeDir(dir));

function lines(text: string): Record<string, unknown>[] {
  return text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('createNdjsonOutput', () => {
  it('writes k6 --out json lines: one Metric line before a metric\'s first Point, a Point per sample', async () => {
    const file = join(dir, 'points.ndjson');
    const out = createNdjsonOutput(createWriteStream(file), {
      thresholds: { http_req_duration: [{ threshold: 'p(95)<300', abortOnFail: false, delayAbortEvalMs: 0 }],
        'http_req_duration{scenario:peak}': [{ threshold: 'p(99)<900', abortOnFail: false, delayAbortEvalMs: 0 }] },
    });
    const samples = runSamples(300, 5);
    for (const s of samples) out.add(s);
    await out.close();
    const all = lines(readFileSync(file, 'utf8'));
    const metricsLines = all.filter((l) => l.type === 'Metric');
    const points = all.filter((l) => l.type === 'Point');
    expect(points).toHaveLength(samples.length);
    expect(out.points).toBe(samples.length);
    expect(points.filter((p) => p.metric === 'http_reqs')).toHaveLength(300);
    expect(metricsLines.map((l) => l.metric)).toEqual(['vus', 'http_reqs', 'http_req_duration', 'http_req_failed', 'checks', 'iterations']);
    for (const m of metricsLines) {
      const firstPoint = all.findIndex((l) => l.type === 'Point' && l.metric === m.metric);
      expect(all.indexOf(m)).toBeLessThan(firstPoint);
    }
    expect(metricsLines.find((l) => l.metric === 'http_req_duration')).toEqual({
      type: 'Metric', metric: 'http_req_duration',
      data: { name: 'http_req_duration', type: 'trend', contains: 'time', thresholds: ['p(95)<300'],
        submetrics: [{ name: 'http_req_duration{scenario:peak}', suffix: 'scenario:peak', tags: { scenario: 'peak' } }] },
    });
    expect(metricsLines.find((l) => l.metric === 'http_reqs')!.data).toEqual({ name: 'http_reqs', type: 'counter', contains: 'default', thresholds: [], submetrics: null });
    const p = points.find((l) => l.metric === 'http_req_duration') as { data: { time: string; value: number; tags: Record<string, string> } };
    expect(Object.keys(p)).toEqual(['type', 'data', 'metric']);
    expect(Object.keys(p.data)).toEqual(['time', 'value', 'tags']);
    expect(p.data.tags).toMatchObject({ scenario: 'peak', method: 'POST', status: '200', group: '::sync::upload' });
    expect(p.data.value).toBe(samples[2]!.value);
  });

  it('writes as many http_reqs points as the registry fed the same samples counts requests', async () => {
    const file = join(dir, 'count.ndjson');
    const out = createNdjsonOutput(createWriteStream(file));
    const reg = createRegistry({ thresholds: {}, summaryTrendStats: ['avg'] });
    for (const s of [...runSamples(777, 8), ...runSamples(123, 9, 'probe')]) { out.add(s); reg.add(s); }
    await out.close();
    const httpReqPoints = lines(readFileSync(file, 'utf8')).filter((l) => l.type === 'Point' && l.metric === 'http_reqs').length;
    const counter = reg.get('http_reqs')!.sink;
    expect(counter.type === 'counter' && counter.value).toBe(900);
    expect(httpReqPoints).toBe(900);
  });

  it('writes RFC 3339 UTC times with microseconds that round-trip', async () => {
    const chunks: string[] = [];
    const sink = new Writable({ write(c: Buffer, _e, cb) { chunks.push(c.toString()); cb(); } });
    const out = createNdjsonOutput(sink);
    const times = [T0, T0 + 0.5, T0 + 1234.567891, T0 + 999.9999];
    for (const time of times) out.add({ metric: M.vus!, time, value: 1, tags: {} });
    await out.close();
    const got = lines(chunks.join('')).filter((l) => l.type === 'Point').map((l) => (l.data as { time: string }).time);
    expect(got).toEqual(['2026-11-25T08:00:00Z', '2026-11-25T08:00:00.0005Z', '2026-11-25T08:00:01.234568Z', '2026-11-25T08:00:01Z']);
  });

  it('streams through gzip (as the CLI pipes it) and reads back', async () => {
    const file = join(dir, 'points.ndjson.gz');
    const gz = createGzip();
    const done = pipeline(gz, createWriteStream(file));
    const out = createNdjsonOutput(gz);
    for (const s of runSamples(50, 9)) out.add(s);
    await out.close();
    await done;
    const parts: Buffer[] = [];
    await pipeline(createReadStream(file), createGunzip(), new Writable({ write(c: Buffer, _e, cb) { parts.push(c); cb(); } }));
    expect(lines(Buffer.concat(parts).toString()).filter((l) => l.type === 'Point' && l.metric === 'http_reqs')).toHaveLength(50);
  });

  it('respects backpressure: waits for drain, and never drops a sample however slow the stream', async () => {
    const received: string[] = [];
    let pending = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(c: Buffer, _e, cb) { pending++; received.push(c.toString()); setTimeout(() => { pending--; cb(); }, 2); },
    });
    const out = createNdjsonOutput(slow, { batchSize: 16, flushIntervalMs: 0 });
    const samples = runSamples(500, 2);
    let sawCongestion = false;
    for (const s of samples) {
      out.add(s);
      if (out.congested) sawCongestion = true;
    }
    await out.close();
    expect(sawCongestion).toBe(true);
    expect(pending).toBe(0);
    expect(lines(received.join('')).filter((l) => l.type === 'Point')).toHaveLength(samples.length);
  });

  it('reports a stream failure on close, never from add()', async () => {
    const broken = new Writable({ write(_c, _e, cb) { cb(new Error('disk full')); } });
    const out = createNdjsonOutput(broken, { batchSize: 4 });
    for (const s of runSamples(20, 1)) expect(() => out.add(s)).not.toThrow();
    await new Promise((r) => setImmediate(r));
    for (const s of runSamples(20, 1)) out.add(s);
    await expect(out.close()).rejects.toThrow(/disk full/);
  });
});

describe('batches packed elsewhere (caplab run --workers)', () => {
  it('batches of two sources plus the output\'s own samples give one Metric line per metric, before its points', async () => {
    const samples = runSamples(200, 3);
    const batches: ArrayBuffer[] = [];
    const parts = [1, 2].map((source) => createSampleBatcher((b) => batches.push(b), { source, batchSize: 64 }));
    samples.forEach((s, i) => parts[i % 2]!.add(s));
    for (const p of parts) p.flush();
    const file = join(dir, 'workers.ndjson');
    const out = createNdjsonOutput(createWriteStream(file));
    const own = runSamples(10, 4, 'setup');
    for (const s of own) out.add(s);
    // Interleaved across sources, as worker messages arrive.
    for (const b of [...batches.filter((_, i) => i % 2 === 1), ...batches.filter((_, i) => i % 2 === 0)]) out.addBatch(b);
    expect(out.points).toBe(samples.length + own.length);
    await out.close();
    const all = lines(readFileSync(file, 'utf8'));
    const defs = [...new Set([...samples, ...own].map((s) => s.metric.name))];
    expect(all.filter((l) => l.type === 'Metric').map((l) => l.metric).sort()).toEqual(defs.sort());
    expect(all.filter((l) => l.type === 'Point')).toHaveLength(samples.length + own.length);
    const firstPoint = new Map<unknown, number>();
    all.forEach((l, i) => { if (l.type === 'Point' && !firstPoint.has(l.metric)) firstPoint.set(l.metric, i); });
    all.forEach((l, i) => { if (l.type === 'Metric') expect(i).toBeLessThan(firstPoint.get(l.metric) ?? Infinity); });
    // Every sample's tags survive the per-source tables.
    const want = [...samples, ...own].map((s) => JSON.stringify(s.tags)).sort();
    expect(all.filter((l) => l.type === 'Point').map((l) => JSON.stringify((l.data as { tags: unknown }).tags)).sort()).toEqual(want);
  });
});
