/**
 * Universal Scalability Law (Gunther, Guerrilla Capacity Planning, 2007, ch. 4-6):
 *   X(N) = λN / (1 + σ(N−1) + κN(N−1))
 * σ: contention (serialisation, 0..1), κ: coherency (crosstalk, >= 0), λ: throughput slope at low load (X(1)
 * when σ = κ = 0 near N = 1), N: concurrency (virtual users, threads, processors). Throughput peaks at
 * N* = sqrt((1−σ)/κ); with κ = 0 the law is Amdahl's and throughput only approaches λ/σ.
 *
 * The fit is nonlinear least squares on throughput (ml-levenberg-marquardt with the analytic Jacobian), under
 * σ, κ >= 0 and λ > 0 by box bounds, from several starting points (usl-search.ts). The faces κ = 0 (Amdahl),
 * σ = 0 and σ = κ = 0 are fitted as models of their own, which makes κ = 0 *exactly* reachable, as R's `usl`
 * package (nls "port" with lower bounds) reports for Gunther's ray-tracer data. This file validates, fits and
 * adds fit quality and confidence bounds.
 */
import { inverse, Matrix } from 'ml-matrix';
import { type Problem, ValidationError } from '../errors.ts';
import { studentTQuantile } from './student-t.ts';
import { type UslParams, uslPeak, uslThroughput } from './usl-law.ts';
import { groupLevels, type Levels, searchUsl } from './usl-search.ts';

export { type UslParams, uslPeak, uslThroughput };

/** One measurement: throughput at a concurrency level. */
export interface UslPoint {
  /** Concurrency N (> 0; e.g. virtual users). */
  concurrency: number;
  /** Throughput X(N) (> 0; any unit, e.g. requests/s). */
  throughput: number;
  /** Where it was read (`file.csv:4`), for messages; default `points[i]`. */
  where?: string;
}

/** A two-sided interval. */
export interface UslInterval {
  /** Lower bound (clipped at 0: the parameter's domain). */
  lower: number;
  /** Upper bound. */
  upper: number;
}

/** Confidence bounds of the coefficients. */
export interface UslConfidence {
  /** Confidence level, e.g. 0.95. */
  level: number;
  /** How they were computed. */
  method: 'wald-t';
  /** Bounds of σ. */
  sigma: UslInterval;
  /** Bounds of κ. */
  kappa: UslInterval;
  /** Bounds of λ. */
  lambda: UslInterval;
}

/** Result of {@link fitUsl}. */
export interface UslFit extends UslParams {
  /** Concurrency of peak throughput sqrt((1−σ)/κ); Infinity when κ = 0 (no retrograde region). */
  nStar: number;
  /** Peak throughput X(N*); when κ = 0 the asymptote λ/σ (never reached); Infinity when σ = κ = 0. */
  xMax: number;
  /** Coefficient of determination of throughput, 1 − RSS/TSS. */
  r2: number;
  /** Residual standard deviation sqrt(RSS / (n − 3)), throughput units; 0 when n = 3. */
  residualSd: number;
  /** Residual sum of squares (throughput units squared). */
  rss: number;
  /** Number of points. */
  n: number;
  /** Number of distinct concurrency levels. */
  levels: number;
  /** Residual degrees of freedom n − 3 (all three coefficients count, including one held at a bound, as R does). */
  dof: number;
  /** Standard errors from s²(J'J)⁻¹, or null when dof = 0 or J'J is singular. */
  standardErrors: UslParams | null;
  /** 95% (or `level`) bounds estimate ± t(dof)·se, or null when there are no standard errors. */
  confidence: UslConfidence | null;
  /** Coefficients that ended on their lower bound 0 (`sigma`, `kappa`). */
  atBound: ('sigma' | 'kappa')[];
  /** Fitted throughput per point, in input order. */
  fitted: number[];
  /** Residuals (observed − fitted) per point, in input order. */
  residuals: number[];
}

/** The headline of a fit as JSON carries it: infinities (no peak) as null, since JSON has no Infinity. */
export interface UslSummary {
  /** Contention σ. */
  sigma: number;
  /** Coherency κ. */
  kappa: number;
  /** Throughput per unit of concurrency at low load λ. */
  lambda: number;
  /** Concurrency of peak throughput; null when κ = 0 (no peak). */
  nStar: number | null;
  /** Peak throughput; null when unbounded. */
  xMax: number | null;
  /** Coefficient of determination. */
  r2: number;
}

/**
 * The JSON-safe headline of a fit.
 * @param fit USL fit
 * @returns {sigma, kappa, lambda, nStar, xMax, r2}, infinities as null
 * @example uslSummary(fitUsl(points)).nStar // null for Amdahl data (kappa = 0)
 */
export function uslSummary(fit: UslFit): UslSummary {
  const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
  return { sigma: fit.sigma, kappa: fit.kappa, lambda: fit.lambda, nStar: finite(fit.nStar), xMax: finite(fit.xMax), r2: fit.r2 };
}

/** Options of {@link fitUsl}. */
export interface UslFitOptions {
  /** Confidence level of the bounds (default 0.95). */
  level?: number;
}

/**
 * Checks USL input: every concurrency and throughput positive and finite, at least 3 distinct concurrency levels.
 * @param points measurements
 * @param source prefix of each problem's location when a point has no `where` (default `points`)
 * @returns every problem found (empty when the data can be fitted)
 * @example validateUslPoints([{ concurrency: 1, throughput: 0 }], 'x') // 2 problems: throughput, levels
 */
export function validateUslPoints(points: readonly UslPoint[], source = 'points'): Problem[] {
  const problems: Problem[] = [];
  const levels = new Set<number>();
  points.forEach((p, i) => {
    const where = p.where ?? `${source}[${i}]`;
    let ok = true;
    for (const key of ['concurrency', 'throughput'] as const) {
      const v = p[key];
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
        problems.push({ where, message: `${key} ${String(v)} is not a positive finite number` });
        ok = false;
      }
    }
    if (ok) levels.add(p.concurrency);
  });
  if (levels.size < 3) {
    problems.push({
      where: source,
      message: `${levels.size} distinct valid concurrency level${levels.size === 1 ? '' : 's'} (${[...levels].sort((a, b) => a - b).join(', ') || 'none'}): the USL needs at least 3 to fit σ, κ and λ`,
    });
  }
  return problems;
}

/**
 * Fits the USL to measurements by nonlinear least squares on throughput, σ, κ >= 0 and λ > 0.
 * Confidence bounds are Wald intervals estimate ± t((1+level)/2, n−3)·se, se from the covariance s²(J'J)⁻¹ at the
 * estimate (the standard errors R's nls summary prints for the `usl` package's fits), lower bounds clipped at 0.
 * Residuals are assumed to have constant variance; all three coefficients count in n−3, including one held at 0.
 * @param points measurements (at least 3 distinct concurrency levels; repeats allowed)
 * @param options confidence level
 * @returns coefficients, peak, fit quality and bounds
 * @throws {ValidationError} listing every bad point and a too-small number of levels
 * @example fitUsl([1, 2, 4, 8].map((n) => ({ concurrency: n, throughput: uslThroughput({ sigma: 0.1, kappa: 0.01, lambda: 5 }, n) }))).kappa // 0.01
 */
export function fitUsl(points: readonly UslPoint[], options: UslFitOptions = {}): UslFit {
  const problems = validateUslPoints(points);
  if (problems.length > 0) throw new ValidationError('fitUsl: the measurements cannot be fitted', problems);
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`fitUsl: confidence level must be in (0, 1), got ${level}`);
  const N = points.map((p) => p.concurrency);
  const X = points.map((p) => p.throughput);
  const n = points.length;
  const meanX = X.reduce((s, v) => s + v, 0) / n;
  const tss = X.reduce((s, v) => s + (v - meanX) ** 2, 0);

  const levels = groupLevels(N, X);
  const params = searchUsl(levels, tss);
  const fitted = N.map((v) => uslThroughput(params, v));
  const residuals = X.map((v, i) => v - fitted[i]!);
  const rss = residuals.reduce((s, r) => s + r * r, 0);
  const dof = n - 3;
  const residualSd = dof > 0 ? Math.sqrt(rss / dof) : 0;
  const standardErrors = dof > 0 ? standardErrorsAt(params, levels, residualSd ** 2) : null;
  let confidence: UslConfidence | null = null;
  if (standardErrors) {
    const q = studentTQuantile((1 + level) / 2, dof);
    const band = (est: number, se: number): UslInterval => ({ lower: Math.max(0, est - q * se), upper: est + q * se });
    confidence = {
      level,
      method: 'wald-t',
      sigma: band(params.sigma, standardErrors.sigma),
      kappa: band(params.kappa, standardErrors.kappa),
      lambda: band(params.lambda, standardErrors.lambda),
    };
  }
  const { nStar, xMax } = uslPeak(params);
  const atBound: ('sigma' | 'kappa')[] = [];
  if (params.sigma === 0) atBound.push('sigma');
  if (params.kappa === 0) atBound.push('kappa');
  return {
    ...params,
    nStar,
    xMax,
    r2: tss > 0 ? 1 - rss / tss : 1,
    residualSd,
    rss,
    n,
    levels: levels.n.length,
    dof,
    standardErrors,
    confidence,
    atBound,
    fitted,
    residuals,
  };
}

/**
 * Standard errors of (σ, κ, λ) from s²(J'J)⁻¹ with the analytic Jacobian at the estimate; columns are scaled to
 * unit norm before inverting because κ's column is N² times larger than σ's.
 */
function standardErrorsAt(p: UslParams, L: Levels, s2: number): UslParams | null {
  // J'J over all rows equals J'J over the levels with each row scaled by sqrt(count).
  const rows = L.n.map((v, j) => {
    const w = Math.sqrt(L.count[j]!);
    const d = 1 + p.sigma * (v - 1) + p.kappa * v * (v - 1);
    return [(-w * p.lambda * v * (v - 1)) / (d * d), (-w * p.lambda * v * v * (v - 1)) / (d * d), (w * v) / d];
  });
  const J = new Matrix(rows);
  const norms = [0, 1, 2].map((j) => Math.sqrt(J.getColumn(j).reduce((s, v) => s + v * v, 0)));
  if (norms.some((v) => !(v > 0))) return null;
  const Js = J.clone();
  for (let j = 0; j < 3; j++) for (let i = 0; i < J.rows; i++) Js.set(i, j, J.get(i, j) / norms[j]!);
  try {
    const inv = inverse(Js.transpose().mmul(Js));
    const se = [0, 1, 2].map((j) => Math.sqrt(inv.get(j, j) * s2) / norms[j]!);
    if (!se.every(Number.isFinite)) return null;
    return { sigma: se[0]!, kappa: se[1]!, lambda: se[2]! };
  } catch {
    return null;
  }
}

