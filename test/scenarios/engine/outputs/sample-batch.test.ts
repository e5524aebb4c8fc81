import { describe, expect, it } from 'vitest';
import { BUILTIN_METRICS as M } from '../../../../scenarios/engine/metrics/builtin.ts';
import type { Sample } from '../../../../scenarios/engine/metrics/types.ts';
import { createBatchFormatter } from '../../../../scenarios/engine/outputs/ndjson-format.ts';
import { batchSampleCount, createSampleBatcher, decodeBatch } from '../../../../scenarios/engine/outputs/sample-batch.ts';
import { runSamples } from '../../../helpers/samples.ts';

/** Decodes batches back into samples (metric name, time, value, tags), with per-source tables as the formatter keeps them. */
function unpack(batches: ArrayBuffer[]): { metric: string; time: number; value: number; tags: unknown }[] {
  const tables = new Map<number, { metrics: string[]; tags: string[] }>();
  const out: { metric: string; time: number; value: number; tags: unknown }[] = [];
  for (const buf of batches) {
    const b = decodeBatch(buf);
    expect(batchSampleCount(buf)).toBe(b.count);
    let t = tables.get(b.source);
    if (!t) tables.set(b.source, (t = { metrics: [], tags: [] }));
    t.metrics.push(...b.metrics.map((m) => m.name));
    if (b.resetTags) t.tags = [];
    t.tags.push(...b.tags);
    for (let i = 0; i < b.count; i++) {
      out.push({ metric: t.metrics[b.metricIds[i]!]!, time: b.times[i]!, value: b.values[i]!, tags: JSON.parse(t.tags[b.tagIds[i]!]!) });
    }
  }
  return out;
}

const plain = (s: Sample): { metric: string; time: number; value: number; tags: unknown } => ({ metric: s.metric.name, time: s.time, value: s.value, tags: { ...s.tags } });

describe('createSampleBatcher / decodeBatch', () => {
  it('round-trips every sample exactly (times and values as float64), across full and partial batches', () => {
    const samples = runSamples(1000, 11);
    const batches: ArrayBuffer[] = [];
    const b = createSampleBatcher((buf) => batches.push(buf), { batchSize: 333 });
    for (const s of samples) b.add(s);
    b.flush();
    expect(b.points).toBe(samples.length);
    expect(batches.length).toBe(Math.ceil(samples.length / 333));
    expect(unpack(batches)).toEqual(samples.map(plain));
  });

  it('starts the tag table afresh past maxTagSets (a tag per user) and still decodes every sample', () => {
    const samples: Sample[] = Array.from({ length: 500 }, (_, i) => ({ metric: M.http_reqs!, time: 1e12 + i, value: 1, tags: { url: `/u/${i}`, scenario: 's' } }));
    const batches: ArrayBuffer[] = [];
    const b = createSampleBatcher((buf) => batches.push(buf), { batchSize: 64, maxTagSets: 50 });
    for (const s of samples) b.add(s);
    b.flush();
    expect(batches.filter((buf) => decodeBatch(buf).resetTags).length).toBe(9); // 500 distinct sets, 50 per table
    for (const buf of batches) expect(decodeBatch(buf).tags.length).toBeLessThanOrEqual(64);
    expect(unpack(batches)).toEqual(samples.map(plain));
  });

  it('skips non-finite values (JSON has no NaN; k6 emits none)', () => {
    const batches: ArrayBuffer[] = [];
    const b = createSampleBatcher((buf) => batches.push(buf));
    for (const value of [1, NaN, Infinity, 2]) b.add({ metric: M.vus!, time: 1, value, tags: {} });
    b.flush();
    expect(unpack(batches).map((s) => s.value)).toEqual([1, 2]);
    expect(b.points).toBe(2);
  });

  it('refuses bytes that are not a batch', () => {
    expect(() => decodeBatch(new ArrayBuffer(2))).toThrow(/decodeBatch: 2 bytes/);
    const bad = new ArrayBuffer(16);
    new DataView(bad).setUint32(0, 1000, true);
    expect(() => decodeBatch(bad)).toThrow(/overruns/);
  });
});

describe('createBatchFormatter', () => {
  it('writes a Metric line once per metric across sources and a Point per sample; values exact', () => {
    const batches: ArrayBuffer[] = [];
    const a = createSampleBatcher((buf) => batches.push(buf), { source: 1 });
    const c = createSampleBatcher((buf) => batches.push(buf), { source: 2 });
    a.add({ metric: M.http_req_duration!, time: Date.UTC(2026, 0, 1), value: 1.23456789, tags: { name: 'a' } });
    c.add({ metric: M.http_req_duration!, time: Date.UTC(2026, 0, 1) + 1.5, value: 2, tags: { name: 'b' } });
    c.add({ metric: M.data_sent!, time: Date.UTC(2026, 0, 1) + 2, value: 0.1234567, tags: {} });
    a.flush();
    c.flush();
    const f = createBatchFormatter({ http_req_duration: [{ threshold: 'p(95)<300', abortOnFail: false, delayAbortEvalMs: 0 }] });
    const text = batches.map((b) => f.format(b).toString('utf8')).join('');
    expect(text.split('\n').filter(Boolean)).toEqual([
      '{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":["p(95)<300"],"submetrics":null},"metric":"http_req_duration"}',
      '{"type":"Point","data":{"time":"2026-01-01T00:00:00Z","value":1.23456789,"tags":{"name":"a"}},"metric":"http_req_duration"}',
      '{"type":"Point","data":{"time":"2026-01-01T00:00:00.0015Z","value":2,"tags":{"name":"b"}},"metric":"http_req_duration"}',
      '{"type":"Metric","data":{"name":"data_sent","type":"counter","contains":"data","thresholds":[],"submetrics":null},"metric":"data_sent"}',
      '{"type":"Point","data":{"time":"2026-01-01T00:00:00.002Z","value":0.1234567,"tags":{}},"metric":"data_sent"}',
    ]);
    expect(f.points).toBe(3);
  });

  it('writes tags outside ASCII as UTF-8, and grows its buffer for long lines', () => {
    const batches: ArrayBuffer[] = [];
    const a = createSampleBatcher((buf) => batches.push(buf));
    const tags: Record<string, string>[] = [{ name: '北京 contacts 📱' }, { url: `/x?q=${'é'.repeat(500_000)}` }];
    for (const t of tags) a.add({ metric: M.http_reqs!, time: 1, value: 1, tags: t });
    a.flush();
    const lines = createBatchFormatter().format(batches[0]!).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: { tags: unknown } });
    expect(lines.filter((l) => l.type === 'Point').map((l) => l.data.tags)).toEqual(tags);
  });

  it('refuses a batch whose source never declared its metric', () => {
    const batches: ArrayBuffer[] = [];
    const a = createSampleBatcher((buf) => batches.push(buf), { batchSize: 1 });
    a.add({ metric: M.vus!, time: 1, value: 1, tags: {} });
    a.add({ metric: M.vus!, time: 2, value: 1, tags: {} });
    // The second batch alone refers to metric 0 of source 0, declared only in the first.
    expect(() => createBatchFormatter().format(batches[1]!)).toThrow(/undeclared metric/);
  });
});
