import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../models/errors.ts';
import { createRng } from '../../../models/random.ts';
import { studentTQuantile } from '../../../models/capacity/student-t.ts';
import { fitUsl, type UslParams, type UslPoint, uslPeak, uslThroughput, validateUslPoints } from '../../../models/capacity/usl.ts';

const points = (rows: readonly (readonly [number, number])[]): UslPoint[] => rows.map(([concurrency, throughput]) => ({ concurrency, throughput }));
const rel = (a: number, b: number): number => Math.abs(a / b - 1);

/** Exact USL throughput at each level, optionally times exp(sd·z) with seeded z, `reps` measurements per level. */
function synthetic(p: UslParams, levels: readonly number[], noiseSd = 0, seed = 1, reps = 1): UslPoint[] {
  const rng = createRng(seed, 'test.usl.noise');
  return levels.flatMap((n) =>
    Array.from({ length: reps }, () => ({ concurrency: n, throughput: uslThroughput(p, n) * Math.exp(noiseSd * rng.normal()) })),
  );
}

const PROBE = [1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128];

/**
 * SPEC SDM91 on a Sun SPARCcenter 2000 (16 CPUs, October 1994): virtual users vs script executions per hour, the R
 * `usl` package's `specsdm91` dataset (Gunther, Guerrilla Capacity Planning, Springer 2007). The values agree with
 * the package's published outputs: efficiency x gamma x load (tests/efficiency.Rout.save) and fitted + residuals
 * (tests/fitted.Rout.save, tests/residuals.Rout.save) give them back to 3-4 digits; see the first test.
 */
const SPECSDM91 = points([[1, 64.9], [18, 995.9], [36, 1652.4], [72, 1853.2], [108, 1828.9], [144, 1775.0], [216, 1702.2]]);

/**
 * Ray-tracer benchmark (BRL-CAD) on an SGI Origin 2000 with 64 R12000 processors: processors vs ray-geometry
 * intersections per second, the R `usl` package's `raytracer` dataset (Gunther, Guerrilla Capacity Planning, 2007).
 */
const RAYTRACER = points([[1, 20], [4, 78], [8, 130], [12, 170], [16, 190], [20, 200], [24, 210], [28, 230], [32, 260], [48, 280], [64, 310]]);

describe('uslThroughput and uslPeak', () => {
  it('reproduces the exact USL data of the R usl package tests (tests/coef.R: sigma = kappa = 0.02, lambda = 1)', () => {
    const p = { sigma: 0.02, kappa: 0.02, lambda: 1 };
    const published = [[1, 1], [2, 1.8868], [4, 3.0769], [6, 3.5294], [8, 3.5398], [10, 3.3557]] as const;
    for (const [n, x] of published) expect(uslThroughput(p, n)).toBeCloseTo(x, 4);
  });

  it('puts the peak at sqrt((1 - sigma)/kappa) and reports Amdahl asymptotes when kappa = 0', () => {
    const peak = uslPeak({ sigma: 0.02, kappa: 0.02, lambda: 1 });
    expect(peak.nStar).toBeCloseTo(7, 12);
    expect(peak.xMax).toBeCloseTo(7 / (1 + 0.02 * 6 + 0.02 * 42), 12);
    // X(N*) is the maximum: neighbours are lower.
    const p = { sigma: 0.05, kappa: 0.001, lambda: 10 };
    const { nStar, xMax } = uslPeak(p);
    expect(uslThroughput(p, nStar * 0.99)).toBeLessThan(xMax);
    expect(uslThroughput(p, nStar * 1.01)).toBeLessThan(xMax);
    expect(uslPeak({ sigma: 0.05, kappa: 0, lambda: 10 })).toEqual({ nStar: Infinity, xMax: 200 });
    expect(uslPeak({ sigma: 0, kappa: 0, lambda: 10 })).toEqual({ nStar: Infinity, xMax: Infinity });
  });
});

describe('fitUsl parameter recovery', () => {
  const TRUTHS: UslParams[] = [
    { sigma: 0.05, kappa: 0.0005, lambda: 120 },
    { sigma: 0.2, kappa: 0.00002, lambda: 3.5 },
    { sigma: 0.01, kappa: 0.002, lambda: 15000 },
    { sigma: 0, kappa: 0.001, lambda: 50 },
  ];

  it.each(TRUTHS)('recovers sigma=$sigma kappa=$kappa lambda=$lambda from exact data (relative error < 1e-6)', (truth) => {
    const fit = fitUsl(synthetic(truth, PROBE));
    expect(fit.sigma === 0 ? truth.sigma : rel(fit.sigma, truth.sigma)).toBeLessThan(1e-6);
    expect(rel(fit.kappa, truth.kappa)).toBeLessThan(1e-6);
    expect(rel(fit.lambda, truth.lambda)).toBeLessThan(1e-6);
    expect(rel(fit.nStar, Math.sqrt((1 - truth.sigma) / truth.kappa))).toBeLessThan(1e-6);
    expect(fit.r2).toBeGreaterThan(1 - 1e-12);
  });

  it('returns kappa = 0 exactly (nStar Infinity, xMax = lambda/sigma) for pure Amdahl data', () => {
    const truth = { sigma: 0.08, kappa: 0, lambda: 40 };
    const fit = fitUsl(synthetic(truth, PROBE));
    expect(fit.kappa).toBe(0);
    expect(fit.atBound).toEqual(['kappa']);
    expect(rel(fit.sigma, 0.08)).toBeLessThan(1e-6);
    expect(rel(fit.lambda, 40)).toBeLessThan(1e-6);
    expect(fit.nStar).toBe(Infinity);
    expect(fit.xMax).toBeCloseTo(fit.lambda / fit.sigma, 9);
  });

  it('returns sigma = kappa = 0 for linear scaling', () => {
    const fit = fitUsl(points([[1, 10], [2, 20], [4, 40], [8, 80]]));
    expect([fit.sigma, fit.kappa]).toEqual([0, 0]);
    expect(fit.lambda).toBeCloseTo(10, 10);
    expect(fit.xMax).toBe(Infinity);
  });

  // Seeded noise: 3% multiplicative (log-normal), three measurements per level, five seeds. Tolerances: sigma within
  // 0.01 absolute, kappa within 20%, lambda within 10% (over 100 seeds the worst errors were 0.007, 15% and 6%).
  it.each([1, 2, 3, 4, 5])('recovers the parameters from noisy data within tolerance (seed %i)', (seed) => {
    const truth = { sigma: 0.05, kappa: 0.0005, lambda: 120 };
    const fit = fitUsl(synthetic(truth, PROBE, 0.03, seed, 3));
    expect(Math.abs(fit.sigma - truth.sigma)).toBeLessThan(0.01);
    expect(rel(fit.kappa, truth.kappa)).toBeLessThan(0.2);
    expect(rel(fit.lambda, truth.lambda)).toBeLessThan(0.1);
    expect(fit.r2).toBeGreaterThan(0.95);
    expect(fit.atBound).toEqual([]);
  });

  // The 95% bounds assume constant-variance errors, so coverage is checked with additive noise (sd 30 on
  // throughputs of 120..1300): over 60 seeds each coefficient's interval must cover the truth at least 85% of the
  // time (a Wald interval in a nonlinear model is approximate; 100 seeds gave 91-93%).
  it('gives 95% bounds that cover the truth in most seeded replications', () => {
    const truth = { sigma: 0.05, kappa: 0.0005, lambda: 120 };
    const hits = { sigma: 0, kappa: 0, lambda: 0 };
    const SEEDS = 60;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const rng = createRng(seed, 'test.usl.additive');
      const pts = PROBE.flatMap((n) => [0, 1, 2].map(() => ({ concurrency: n, throughput: uslThroughput(truth, n) + 30 * rng.normal() })));
      const ci = fitUsl(pts).confidence!;
      for (const k of ['sigma', 'kappa', 'lambda'] as const) if (ci[k].lower <= truth[k] && truth[k] <= ci[k].upper) hits[k]++;
    }
    for (const k of ['sigma', 'kappa', 'lambda'] as const) expect(hits[k] / SEEDS, k).toBeGreaterThanOrEqual(0.85);
  });

  it('fits 20,000 raw samples quickly (grouped by level) and independently of row order', () => {
    const truth = { sigma: 0.05, kappa: 0.0005, lambda: 120 };
    const rows = synthetic(truth, Array.from({ length: 64 }, (_, i) => i + 1), 0.03, 11, 20_000 / 64 | 0);
    const t0 = performance.now();
    const fit = fitUsl(rows);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(fit.n).toBe(rows.length);
    expect(fit.levels).toBe(64);
    const reversed = fitUsl(rows.slice().reverse());
    for (const k of ['sigma', 'kappa', 'lambda', 'rss'] as const) expect(rel(reversed[k], fit[k]), k).toBeLessThan(1e-9);
    expect(rel(fit.kappa, truth.kappa)).toBeLessThan(0.05);
  });

  it('is deterministic: same points, same fit', () => {
    const pts = synthetic({ sigma: 0.05, kappa: 0.0005, lambda: 120 }, PROBE, 0.03, 9, 2);
    expect(fitUsl(pts)).toEqual(fitUsl(pts));
  });
});

describe('fitUsl against published fits of the R usl package (Moeding, CRAN usl 2.x/3.x)', () => {
  it('specsdm91: the dataset values agree with the package outputs (fitted + residual = observed)', () => {
    // tests/fitted.Rout.save and tests/residuals.Rout.save (options(digits=3)).
    const fitted = [90, 1078, 1541, 1850, 1879, 1822, 1646];
    const residuals = [-25.10, -81.66, 111.09, 3.05, -49.99, -46.60, 56.00];
    SPECSDM91.forEach((p, i) => expect(Math.abs(fitted[i]! + residuals[i]! - p.throughput)).toBeLessThan(0.6));
  });

  it('specsdm91: matches coefficients, standard errors, residual SE and R² (tests/usl-nlxb.Rout.save, tests/summary.Rout.save)', () => {
    // Published: alpha (sigma) 0.0277285 se 0.0091217; beta (kappa) 0.0001044 se 0.0000199; gamma (lambda)
    // 89.9952330 se 14.2134894; residual standard error 82.85 on 4 df; multiple R-squared 0.9896; peak.scalability 97
    // (signif 2, tests/peak-scalability.Rout.save). Tolerance: half a unit in the last published digit.
    const fit = fitUsl(SPECSDM91);
    expect(Math.abs(fit.sigma - 0.0277285)).toBeLessThan(5e-8);
    expect(Math.abs(fit.kappa - 0.0001044)).toBeLessThan(5e-8);
    expect(Math.abs(fit.lambda - 89.9952330)).toBeLessThan(5e-4);
    expect(Math.abs(fit.standardErrors!.sigma - 0.0091217)).toBeLessThan(5e-8);
    expect(Math.abs(fit.standardErrors!.kappa - 0.0000199)).toBeLessThan(5e-8);
    expect(Math.abs(fit.standardErrors!.lambda - 14.2134894)).toBeLessThan(5e-4);
    expect(Math.abs(fit.residualSd - 82.85)).toBeLessThan(0.005);
    expect(fit.dof).toBe(4);
    expect(Math.abs(fit.r2 - 0.9896)).toBeLessThan(5e-5);
    expect(Math.round(fit.nStar)).toBe(97);
    expect(fit.atBound).toEqual([]);
  });

  it('raytracer: kappa is exactly 0 and sigma, lambda match (tests/confint.Rout.save: 0.0578, 0.0000, 21.8488)', () => {
    const fit = fitUsl(RAYTRACER);
    expect(fit.kappa).toBe(0);
    expect(Math.abs(fit.sigma - 0.0578)).toBeLessThan(5e-5);
    expect(Math.abs(fit.lambda - 21.8488)).toBeLessThan(5e-5);
    expect(fit.nStar).toBe(Infinity);
  });

  it('raytracer: standard errors match those behind the published intervals', () => {
    // tests/confint.Rout.save prints sigma [0.033677, 0.081864], kappa [-0.000214, 0.000214], lambda
    // [17.868380, 25.829306]. That version of confint() used half-width se * qt(level, n - 1) = se * qt(0.95, 10)
    // (R/confint.R), so se = half-width / qt(0.95, 10). Our bounds use the two-sided t(0.975, n - 3); we compare
    // the standard errors, within 0.5% (the published kappa bound has 3 digits).
    const q = studentTQuantile(0.95, 10);
    const fit = fitUsl(RAYTRACER);
    const se = fit.standardErrors!;
    expect(rel(se.sigma, (0.081864 - 0.033677) / 2 / q)).toBeLessThan(5e-3);
    expect(rel(se.kappa, 0.000214 / q)).toBeLessThan(5e-3);
    expect(rel(se.lambda, (25.829306 - 17.868380) / 2 / q)).toBeLessThan(5e-3);
    // Our 95% bounds: two-sided, t with n - 3 = 8 degrees of freedom, kappa's lower bound clipped at 0.
    const t8 = studentTQuantile(0.975, 8);
    expect(fit.confidence!.sigma.upper).toBeCloseTo(fit.sigma + t8 * se.sigma, 12);
    expect(fit.confidence!.kappa).toEqual({ lower: 0, upper: t8 * se.kappa });
  });
});

describe('fitUsl input validation', () => {
  it('lists every bad point and the too-small number of levels in one ValidationError', () => {
    const bad = [
      { concurrency: 1, throughput: 10 },
      { concurrency: 0, throughput: 12 },
      { concurrency: 2, throughput: -3 },
      { concurrency: Number.NaN, throughput: Infinity },
      { concurrency: 2, throughput: 19 },
    ];
    expect(validateUslPoints(bad, 'probe')).toHaveLength(5);
    try {
      fitUsl(bad);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      const problems = (err as ValidationError).problems;
      expect(problems.map((p) => p.where)).toEqual(['points[1]', 'points[2]', 'points[3]', 'points[3]', 'points']);
      expect(problems[4]!.message).toMatch(/2 distinct valid concurrency levels \(1, 2\).*at least 3/);
    }
  });

  it('fits exactly 3 levels but gives no confidence bounds (no residual degrees of freedom)', () => {
    const fit = fitUsl(synthetic({ sigma: 0.1, kappa: 0.01, lambda: 5 }, [1, 4, 16]));
    expect(fit.dof).toBe(0);
    expect(fit.confidence).toBeNull();
    expect(fit.residualSd).toBe(0);
  });
});

describe('studentTQuantile', () => {
  it('matches t tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2) to 6 digits', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706205, 5);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.776445, 6);
    expect(studentTQuantile(0.975, 8)).toBeCloseTo(2.306004, 6);
    expect(studentTQuantile(0.95, 10)).toBeCloseTo(1.812461, 6);
    expect(studentTQuantile(0.995, 30)).toBeCloseTo(2.749996, 6);
    expect(studentTQuantile(0.025, 8)).toBeCloseTo(-2.306004, 6);
  });
});
