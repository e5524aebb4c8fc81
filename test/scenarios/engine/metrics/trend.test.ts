import { describe, expect, it } from 'vitest';
import { TrendSink } from '../../../../scenarios/engine/metrics/trend.ts';
import { rng } from '../../../helpers/rng.ts';

/** k6's TrendSink.P over a sorted copy: the exact reference. */
function exactPercentile(values: number[], pct: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  if (s.length === 1) return s[0]!;
  const i = (pct / 100) * (s.length - 1);
  const j = s[Math.floor(i)]!;
  const k = s[Math.ceil(i)]!;
  return j + (k - j) * (i - Math.floor(i));
}

/** Log-normal latencies in ms: median ~50 ms with a long tail, like real HTTP durations. */
function latencies(n: number, seed: number): number[] {
  const r = rng(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    out.push(Math.exp(Math.log(50) + 0.8 * z));
  }
  return out;
}

const PCTS = [0, 1, 10, 50, 90, 95, 99, 99.9, 100];

describe('TrendSink', () => {
  it('is empty-safe like k6: zeros, and the only value for one sample', () => {
    const t = new TrendSink();
    expect([t.count, t.min, t.max, t.avg, t.med, t.percentile(95)]).toEqual([0, 0, 0, 0, 0, 0]);
    t.add(12.5);
    expect([t.count, t.min, t.max, t.avg, t.med, t.percentile(95)]).toEqual([1, 12.5, 12.5, 12.5, 12.5, 12.5]);
  });

  it('gives percentiles within HDR precision (0.1%) of k6\'s exact ones on 20,000 latencies', () => {
    const values = latencies(20_000, 7);
    const t = new TrendSink();
    for (const v of values) t.add(v);
    for (const p of PCTS) {
      const exact = exactPercentile(values, p);
      expect(Math.abs(t.percentile(p) - exact), `p(${p})`).toBeLessThanOrEqual(exact * 0.001 + 0.001);
    }
    expect(t.min).toBe(Math.min(...values));
    expect(t.max).toBe(Math.max(...values));
    expect(t.avg).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
  });

  it('interpolates between ranks as k6 does, exact below 2.048 units (µs resolution)', () => {
    const t = new TrendSink();
    for (const v of [0.5, 1, 1.5, 2]) t.add(v);
    expect(t.percentile(50)).toBeCloseTo(1.25, 9);
    expect(t.percentile(90)).toBeCloseTo(1.85, 9);
    expect(t.med).toBeCloseTo(1.25, 9);
  });

  it('handles negative and mixed-sign custom values', () => {
    const values = [-30, -2.5, -1, 0, 4, 8.25, 100];
    const t = new TrendSink();
    for (const v of values) t.add(v);
    for (const p of PCTS) {
      const exact = exactPercentile(values, p);
      expect(Math.abs(t.percentile(p) - exact), `p(${p})`).toBeLessThanOrEqual(Math.abs(exact) * 0.001 + 0.001);
    }
  });

  it('merges exactly: two halves merged equal one sink over both', () => {
    const values = latencies(5000, 11);
    const whole = new TrendSink();
    const a = new TrendSink();
    const b = new TrendSink();
    values.forEach((v, i) => { whole.add(v); (i % 3 === 0 ? a : b).add(v); });
    a.merge(b);
    for (const p of PCTS) expect(a.percentile(p)).toBe(whole.percentile(p));
    expect([a.count, a.min, a.max]).toEqual([whole.count, whole.min, whole.max]);
    expect(a.avg).toBeCloseTo(whole.avg, 9);
  });

  it('keeps bounded memory however many samples it takes', () => {
    const t = new TrendSink();
    for (let i = 0; i < 200_000; i++) t.add((i % 5000) / 10);
    const before = t.footprintBytes;
    for (let i = 0; i < 200_000; i++) t.add((i % 5000) / 10);
    expect(t.footprintBytes).toBe(before);
    expect(before).toBeLessThan(300_000);
  });
});
