import { describe, expect, it } from 'vitest';
import { bassModel } from '../../../models/growth/bass.ts';
import { fitGrowth, periodShipments, searchContext } from '../../../models/growth/fit.ts';
import { gompertz } from '../../../models/growth/gompertz.ts';
import type { Observation } from '../../../models/growth/history.ts';
import { logistic } from '../../../models/growth/logistic.ts';
import type { GrowthModel } from '../../../models/growth/model.ts';
import { parsePeriod } from '../../../models/quarter.ts';
import { createRng } from '../../../models/random.ts';

/** Half-years 2011H1..2017H2: 14 disjoint periods. */
const HALVES = Array.from({ length: 14 }, (_, i) => `${2011 + Math.floor(i / 2)}H${(i % 2) + 1}`);

/** Period shipments N(end) - N(start) of a known curve, optionally times exp(sd * z) with seeded z. */
function synthetic(model: GrowthModel, params: Record<string, number>, labels: readonly string[], noiseSd = 0, seed = 1): Observation[] {
  const rng = createRng(seed, 'test.fit.noise');
  return labels.map((label) => {
    const period = parsePeriod(label)!;
    const exact = model.cumulative(params, period.end) - model.cumulative(params, period.start);
    return { period, shipments: exact * Math.exp(noiseSd * rng.normal()), where: `synthetic: ${label}` };
  });
}

const CASES: { model: GrowthModel; params: Record<string, number>; launch: number }[] = [
  { model: logistic, params: { m: 5e8, r: 0.9, t0: 2015.5 }, launch: 2011 },
  { model: gompertz, params: { m: 5e8, r: 0.5, t0: 2015 }, launch: 2011 },
  { model: bassModel(2011), params: { m: 3e8, p: 0.01, q: 0.9 }, launch: 2011 },
];

/** Relative error for positive parameters; absolute (years) for the instant t0. */
function errors(fitted: Record<string, number>, truth: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(truth).map((k) => [k, k === 't0' ? Math.abs(fitted[k]! - truth[k]!) : Math.abs(fitted[k]! / truth[k]! - 1)]));
}

describe('fitGrowth parameter recovery', () => {
  it.each(CASES)('recovers $model.name parameters exactly from noise-free half-year shipments', ({ model, params, launch }) => {
    const fit = fitGrowth(model, synthetic(model, params, HALVES), launch);
    const err = errors(fit.params, params);
    for (const [k, e] of Object.entries(err)) expect(e, k).toBeLessThan(1e-3);
    expect(fit.rss).toBeLessThan(1e-10);
    expect(fit.r2).toBeCloseTo(1, 8);
    expect(fit.atBound).toEqual([]);
  });

  it.each(CASES)('recovers $model.name parameters within tolerance under 5% multiplicative noise (5 seeds)', ({ model, params, launch }) => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const fit = fitGrowth(model, synthetic(model, params, HALVES, 0.05, seed), launch);
      const err = errors(fit.params, params);
      expect(err.m, `m, seed ${seed}`).toBeLessThan(0.05);
      if ('r' in err) expect(err.r, `r, seed ${seed}`).toBeLessThan(0.05);
      if ('t0' in err) expect(err.t0, `t0 (years), seed ${seed}`).toBeLessThan(0.1);
      if ('q' in err) expect(err.q, `q, seed ${seed}`).toBeLessThan(0.05);
      if ('p' in err) expect(err.p, `p, seed ${seed}`).toBeLessThan(0.15);
      // Residual sd estimates the noise sd (0.05) roughly.
      expect(fit.residualSd).toBeGreaterThan(0.02);
      expect(fit.residualSd).toBeLessThan(0.1);
    }
  });

  it('recovers parameters from yearly periods mixed with halves and quarters', () => {
    const labels = ['2010', '2011', '2012H1', '2012H2', '2013Q1', '2013Q2', '2013Q3', '2013Q4', '2014', '2015', '2016H1', '2016H2', '2017', '2018'];
    const truth = { m: 5e8, r: 0.9, t0: 2015.5 };
    const fit = fitGrowth(logistic, synthetic(logistic, truth, labels), 2010);
    const err = errors(fit.params, truth);
    for (const [k, e] of Object.entries(err)) expect(e, k).toBeLessThan(1e-3);
  });
});

describe('fitGrowth quality figures', () => {
  const obs = synthetic(logistic, { m: 5e8, r: 0.9, t0: 2015.5 }, HALVES, 0.1, 9);
  const fit = fitGrowth(logistic, obs, 2011);

  it('reports n, k, rss, residual sd, rmse and r2 consistent with its residuals', () => {
    expect(fit.n).toBe(14);
    expect(fit.k).toBe(3);
    expect(fit.free).toEqual([true, true, true]);
    expect(fit.model).toBe('logistic');
    const y = obs.map((o) => Math.log(o.shipments));
    const pred = periodShipments(logistic, fit.params, obs);
    const res = y.map((v, i) => v - Math.log(pred[i]!));
    res.forEach((r, i) => expect(fit.residuals[i]).toBeCloseTo(r, 9));
    const rss = res.reduce((s, r) => s + r * r, 0);
    expect(fit.rss).toBeCloseTo(rss, 9);
    expect(fit.residualSd).toBeCloseTo(Math.sqrt(rss / (14 - 3)), 9);
    expect(fit.rmseLog).toBeCloseTo(Math.sqrt(rss / 14), 9);
    const rmse = Math.sqrt(obs.reduce((s, o, i) => s + (o.shipments - pred[i]!) ** 2, 0) / 14);
    expect(fit.rmse).toBeCloseTo(rmse, 0);
    const meanY = y.reduce((s, v) => s + v, 0) / 14;
    const tss = y.reduce((s, v) => s + (v - meanY) ** 2, 0);
    expect(fit.r2).toBeCloseTo(1 - rss / tss, 9);
  });

  it('computes AICc = n ln(RSS/n) + 2k + 2k(k+1)/(n-k-1)', () => {
    const n = 14;
    const k = 3;
    expect(fit.aicc).toBeCloseTo(n * Math.log(fit.rss / n) + 2 * k + (2 * k * (k + 1)) / (n - k - 1), 9);
  });

  it('returns a symmetric covariance with a positive diagonal, shrinking with less noise', () => {
    const cov = fit.covariance!;
    expect(cov).not.toBeNull();
    expect(cov.length).toBe(3);
    for (let i = 0; i < 3; i++) {
      expect(cov[i]![i]).toBeGreaterThan(0);
      for (let j = 0; j < 3; j++) expect(cov[i]![j]).toBe(cov[j]![i]);
    }
    const quiet = fitGrowth(logistic, synthetic(logistic, { m: 5e8, r: 0.9, t0: 2015.5 }, HALVES, 0.01, 9), 2011);
    expect(quiet.covariance![0]![0]).toBeLessThan(cov[0]![0]!);
  });

  it('has no AICc when n < k + 2, and refuses n < k', () => {
    const four = synthetic(logistic, { m: 5e8, r: 0.9, t0: 2015.5 }, ['2012', '2013', '2014', '2015'], 0.05);
    expect(fitGrowth(logistic, four, 2012).aicc).toBeNull();
    expect(() => fitGrowth(logistic, four.slice(0, 2), 2012)).toThrow(RangeError);
    expect(() => fitGrowth(logistic, four.slice(0, 2), 2012)).toThrow(/2 observations cannot fit 3 parameters/);
  });

  it('holds fixed parameters at their value and fits only the others', () => {
    const fixedM = Math.log(6e8);
    const f = fitGrowth(logistic, obs, 2011, { fixed: { 0: fixedM } });
    expect(f.free).toEqual([false, true, true]);
    expect(f.k).toBe(2);
    expect(f.theta[0]).toBe(fixedM);
    expect(f.params.m).toBeCloseTo(6e8, 0);
    expect(f.covariance!.length).toBe(2);
    // Fixing m away from the truth cannot fit better than the free fit.
    expect(f.rss).toBeGreaterThanOrEqual(fit.rss - 1e-9);
  });
});

describe('periodShipments and searchContext', () => {
  it('periodShipments is N(end) - N(start) per period', () => {
    const p = { m: 100, r: 1, t0: 2014 };
    const obs = synthetic(logistic, p, ['2013', '2014H1']);
    const got = periodShipments(logistic, p, obs);
    // N(2014) - N(2013) = 50 - 100/(1+e) = 50 - 26.8941421 = 23.1058579
    expect(got[0]).toBeCloseTo(23.1058579, 6);
    // N(2014.5) - N(2014) = 100/(1+e^-0.5) - 50 = 62.2459331 - 50
    expect(got[1]).toBeCloseTo(12.2459331, 6);
  });

  it('searchContext sums shipments and spans the periods', () => {
    const obs = synthetic(logistic, { m: 100, r: 1, t0: 2014 }, ['2012', '2013H1', '2014Q3']);
    const ctx = searchContext(obs, 2011.5);
    expect(ctx.observedTotal).toBeCloseTo(obs.reduce((s, o) => s + o.shipments, 0), 12);
    expect(ctx.firstStart).toBe(2012);
    expect(ctx.lastEnd).toBe(2014.75);
    expect(ctx.launch).toBe(2011.5);
  });
});
