import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readK6Ndjson } from '../../../reports/ingest/ndjson.ts';
import { LoadSeriesSink, percentileSorted } from '../../../reports/render/series.ts';
import { probeNdjson } from './fixtures.ts';

async function seriesOf(text: string) {
  const sink = new LoadSeriesSink();
  await readK6Ndjson(Readable.from([text]), sink, 'points.ndjson');
  return sink.finish();
}

describe('LoadSeriesSink', () => {
  it('uses k6\'s percentile rule', () => {
    expect(percentileSorted([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentileSorted([10, 20, 30, 40, 50], 95)).toBe(48);
    expect(percentileSorted([], 95)).toBeNull();
  });

  it('derives probe steps with throughput near the USL curve, windows, sweep rates and services', async () => {
    const s = await seriesOf(probeNdjson({ seed: 1, rates: [100, 300] }));
    expect(s.steps.map((x) => x.step)).toEqual(['1', '2', '4', '8', '16', '24', '32']);
    // X(8) = 25 * 8 / (1 + 0.05 * 7 + 0.002 * 56) = 136.8 req/s
    const s8 = s.steps.find((x) => x.step === '8')!;
    expect(s8.throughput!).toBeGreaterThan(136.8 * 0.97);
    expect(s8.throughput!).toBeLessThan(136.8 * 1.03);
    expect(s8.p95!).toBeGreaterThan(s8.p50!);
    // 7 probe steps + 2 sweep steps of 4 s each: 36 windows of 1 s.
    expect(s.windowS).toBe(1);
    expect(s.windows).toHaveLength(36);
    expect(s.windows[0]!.vus).toBe(1);
    expect(s.windows.reduce((a, w) => a + w.requests, 0)).toBe(s.overall.requests);
    expect(s.rates.map((r) => r.rate)).toEqual([100, 300]);
    expect(s.rates[1]!.dropped).toBe(3);
    expect(s.rates[1]!.p95Corrected!).toBeGreaterThan(s.rates[1]!.p95!);
    expect(s.services.map((x) => x.service)).toEqual(['contacts', 'messages', 'ota']);
    expect(s.services[0]!.serverP95!).toBeLessThan(s.services[0]!.p95!);
  });

  it('caps the number of windows by widening them', async () => {
    const s = await seriesOf(probeNdjson({ seed: 2, steps: [1, 2, 3], stepS: 100 }));
    expect(s.windowS).toBe(3);
    expect(s.windows).toHaveLength(100);
  });

  it('reads real k6 NDJSON (no step tags): windows only', async () => {
    const sink = new LoadSeriesSink();
    await readK6Ndjson(createReadStream(new URL('../../fixtures/k6/real-k6-points.ndjson', import.meta.url)), sink, 'real');
    const s = sink.finish();
    expect(s.steps).toEqual([]);
    expect(s.overall.requests).toBe(2);
    expect(s.overall.errorRate).toBe(0.5);
    expect(s.windows.length).toBeGreaterThan(0);
  });
});

describe('server-side figures and the modeled WAN', () => {
  it('ignores http_req_waiting of runs tagged wan:on (time to first byte includes the modeled RTT)', async () => {
    const { BUILTIN_METRICS: M } = await import('../../../scenarios/engine/metrics/builtin.ts');
    const sink = new LoadSeriesSink();
    const t = Date.UTC(2026, 0, 1);
    for (const [wan, value] of [['on', 300], ['off', 20]] as const) {
      const tags = { service: `s_${wan}`, wan };
      sink.add({ metric: M.http_reqs!, time: t, value: 1, tags });
      sink.add({ metric: M.http_req_duration!, time: t, value, tags });
      sink.add({ metric: M.http_req_waiting!, time: t, value, tags });
    }
    const services = sink.finish().services;
    expect(services.find((s) => s.service === 's_on')).toMatchObject({ p95: 300, serverP95: null });
    expect(services.find((s) => s.service === 's_off')).toMatchObject({ p95: 20, serverP95: 20 });
  });
});
