import { studentTQuantile } from '../../../models/capacity/student-t.ts';
import { readFileSync } from 'node:fs';
import { quantile } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { type History, parseHistoryJson } from '../../../models/growth/history.ts';
import { logistic } from '../../../models/growth/logistic.ts';
import { drawParameters } from '../../../models/growth/montecarlo.ts';
import { fitCandidate, selectModel } from '../../../models/growth/select.ts';
import { parsePeriod } from '../../../models/quarter.ts';
import { createRng } from '../../../models/random.ts';

const PRIOR = { median: 6e8, p90: 1e9 };
const realHistory = parseHistoryJson(JSON.parse(readFileSync(new URL('../../../data/history.json', import.meta.url), 'utf8')), 'data/history.json');

function history(rows: [string, number][]): History {
  const observations = rows.map(([label, shipments]) => ({ period: parsePeriod(label)!, shipments, where: label }));
  return { source: 'test', observations, launch: observations[0]!.period.start };
}

const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;

describe('drawParameters: covariance (n < bootstrapMinPoints)', () => {
  const cand = selectModel(realHistory, 'auto', PRIOR.median).chosen;
  const n = 4000;
  const draws = drawParameters(cand, realHistory, PRIOR, 10, n, createRng(3, 'test.mc'));

  it('uses the fit covariance for the 7-period history', () => {
    expect(draws.method).toBe('covariance');
    expect(draws.note).toContain('n = 7 < 10');
    expect(draws.thetas).toHaveLength(n);
  });

  it('draws centred on the fitted internal parameters with the fit covariance, widened to a t with n - k dof', () => {
    // Scale t(0.9, n - k) / z(0.9): the t's p10-p90 from a normal (n = 7, k = 3: t(0.9, 4) = 1.5332, z = 1.2816).
    const w = studentTQuantile(0.9, cand.fit.n - cand.fit.k) / 1.2815515655446004;
    expect(w).toBeCloseTo(1.5332 / 1.2816, 3);
    const cov = cand.fit.covariance!.map((row) => row.map((v) => v * w * w));
    for (let i = 0; i < 3; i++) {
      const col = draws.thetas.map((t) => t[i]!);
      const mu = mean(col);
      const sd = Math.sqrt(cov[i]![i]!);
      // sd of the sample mean = sd / sqrt(4000) ~ 0.016 sd
      expect(Math.abs(mu - cand.fit.theta[i]!)).toBeLessThan(0.08 * sd);
      for (let j = 0; j <= i; j++) {
        const other = draws.thetas.map((t) => t[j]!);
        const muJ = mean(other);
        const c = mean(col.map((v, k) => (v - mu) * (other[k]! - muJ)));
        // sample covariance within 10% of the scale sqrt(cov_ii cov_jj)
        expect(Math.abs(c - cov[i]![j]!)).toBeLessThan(0.1 * Math.sqrt(cov[i]![i]! * cov[j]![j]!));
      }
    }
  });

  it('is reproducible from the seed', () => {
    const again = drawParameters(cand, realHistory, PRIOR, 10, 50, createRng(3, 'test.mc'));
    expect(again.thetas).toEqual(draws.thetas.slice(0, 50));
    const other = drawParameters(cand, realHistory, PRIOR, 10, 50, createRng(4, 'test.mc'));
    expect(other.thetas).not.toEqual(again.thetas);
  });
});

describe('drawParameters: bootstrap (n >= bootstrapMinPoints)', () => {
  const truth = { m: 5e8, r: 0.9, t0: 2015.5 };
  const rng = createRng(5, 'test.mc.data');
  const labels = Array.from({ length: 12 }, (_, i) => `${2011 + Math.floor(i / 2)}H${(i % 2) + 1}`);
  const h = history(labels.map((l) => {
    const p = parsePeriod(l)!;
    return [l, (logistic.cumulative(truth, p.end) - logistic.cumulative(truth, p.start)) * Math.exp(0.1 * rng.normal())];
  }));
  const cand = fitCandidate(logistic, h, PRIOR.median);

  it('resamples residuals and refits, scattering around the fit', () => {
    expect(cand.priorFixedM).toBe(false);
    const draws = drawParameters(cand, h, PRIOR, 10, 200, createRng(1, 'test.mc'));
    expect(draws.method).toBe('bootstrap');
    expect(draws.thetas).toHaveLength(200);
    const lnM = draws.thetas.map((t) => t[0]!);
    expect(Math.abs(quantile(lnM, 0.5) - cand.fit.theta[0]!)).toBeLessThan(0.1);
    expect(quantile(lnM, 0.9) - quantile(lnM, 0.1)).toBeGreaterThan(0.005);
    const t0 = draws.thetas.map((t) => t[2]!);
    expect(Math.abs(quantile(t0, 0.5) - cand.fit.theta[2]!)).toBeLessThan(0.2);
  });
});

describe('drawParameters: prior-refit (m fixed from the prior)', () => {
  const h = history([['2012', 7e6], ['2013', 18e6], ['2014', 60e6], ['2015', 90e6]]);
  const cand = fitCandidate(logistic, h, PRIOR.median);

  it('draws m from the lognormal prior: median and p90 as stated', () => {
    expect(cand.priorFixedM).toBe(true);
    const draws = drawParameters(cand, h, PRIOR, 10, 600, createRng(2, 'test.mc'));
    expect(draws.method).toBe('prior-refit');
    const m = draws.thetas.map((t) => Math.exp(t[0]!));
    expect(quantile(m, 0.5) / PRIOR.median).toBeGreaterThan(0.92);
    expect(quantile(m, 0.5) / PRIOR.median).toBeLessThan(1.08);
    expect(quantile(m, 0.9) / PRIOR.p90).toBeGreaterThan(0.88);
    expect(quantile(m, 0.9) / PRIOR.p90).toBeLessThan(1.12);
    // The other parameters are refitted to each m: a larger m needs a later inflection for the same history.
    const byM = [...draws.thetas].sort((a, b) => a[0]! - b[0]!);
    expect(mean(byM.slice(-100).map((t) => t[2]!))).toBeGreaterThan(mean(byM.slice(0, 100).map((t) => t[2]!)));
  });
});

describe('drawParameters: none', () => {
  it('repeats the fitted parameters when there is neither covariance nor enough points', () => {
    const base = selectModel(realHistory, 'logistic', PRIOR.median).chosen;
    const cand = { ...base, fit: { ...base.fit, covariance: null } };
    const draws = drawParameters(cand, realHistory, PRIOR, 10, 5, createRng(1, 'test.mc'));
    expect(draws.method).toBe('none');
    for (const t of draws.thetas) expect(t).toEqual(base.fit.theta);
  });
});
