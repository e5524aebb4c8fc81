/**
 * The least-squares search behind fitUsl: Levenberg-Marquardt (ml-levenberg-marquardt, analytic Jacobian) on each
 * face of the box σ ∈ [0, 1], κ >= 0, λ > 0, from several starting points. A box-constrained optimum lies inside
 * the box or on a face, so the faces κ = 0 (Amdahl), σ = 0 and σ = κ = 0 (linear) are fitted as models of their own
 * and win whenever they fit as well: that makes κ = 0 exactly reachable.
 */
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import { Matrix, solve } from 'ml-matrix';
import { type UslParams, uslThroughput } from './usl-law.ts';

/** Which internal coefficients a candidate fits: [σ, κ, λ]; λ is always free. */
type FreeMask = readonly [boolean, boolean, true];
const FACES: readonly FreeMask[] = [
  [true, true, true],
  [true, false, true], // κ = 0: Amdahl
  [false, true, true], // σ = 0
  [false, false, true], // linear
];

/** One local optimum: its coefficients, residual sum of squares (all rows) and number of fitted coefficients. */
interface Candidate {
  params: UslParams;
  rss: number;
  freeCount: number;
}

/**
 * Measurements grouped by concurrency level. Least squares over all rows equals least squares over the level
 * means weighted by their counts (plus the constant within-level sum of squares), so the search costs the same
 * for 10 probe steps as for 200,000 raw samples.
 */
export interface Levels {
  /** Distinct concurrency levels. */
  n: number[];
  /** Mean throughput per level. */
  mean: number[];
  /** Measurements per level. */
  count: number[];
  /** Sum of squares of the measurements around their level means (the RSS no curve can remove). */
  within: number;
}

/**
 * Groups measurements by concurrency level.
 * @param N concurrency of each measurement
 * @param X throughput of each measurement (same length)
 * @returns levels in first-seen order with mean, count and the within-level sum of squares
 * @example groupLevels([1, 1, 2], [9, 11, 20]) // { n: [1, 2], mean: [10, 20], count: [2, 1], within: 2 }
 */
export function groupLevels(N: readonly number[], X: readonly number[]): Levels {
  const byLevel = new Map<number, number[]>();
  N.forEach((v, i) => {
    const list = byLevel.get(v);
    if (list) list.push(X[i]!);
    else byLevel.set(v, [X[i]!]);
  });
  const levels: Levels = { n: [], mean: [], count: [], within: 0 };
  for (const [v, xs] of byLevel) {
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    levels.n.push(v);
    levels.mean.push(mean);
    levels.count.push(xs.length);
    levels.within += xs.reduce((s, x) => s + (x - mean) ** 2, 0);
  }
  return levels;
}

/**
 * Fits every face of the constraint box from several starts and returns the best: the lowest residual sum of
 * squares, where a candidate with fewer free coefficients wins ties (the part of the RSS a curve can explain within
 * 1e-7 relative), so that a coefficient the data do not need is exactly 0 rather than 1e-12.
 * @param L measurements grouped by level (validated: positive, finite, at least 3 levels)
 * @param tss total sum of squares of the throughputs, the scale of the tie tolerance
 * @returns the least-squares coefficients with σ ∈ [0, 1], κ >= 0, λ > 0
 * @throws {RangeError} when no start gives finite residuals (not seen with validated input)
 * @example searchUsl(groupLevels([1, 2, 4], [10, 19, 34]), 309) // { sigma: 0.0464, kappa: 0.0031, lambda: 10 }: exact
 */
export function searchUsl(L: Levels, tss: number): UslParams {
  // Internal coordinates keep the three coefficients near 1, because LM's damping is added to J'J unscaled:
  // y = X / xScale, k = κ · nMax², l = λ / lamScale.
  const xScale = max(L.mean);
  const nMax = max(L.n);
  const kScale = nMax * nMax;
  const lamScale = max(L.n.map((v, j) => L.mean[j]! / v));
  const toParams = (t: readonly number[]): UslParams => ({ sigma: t[0]!, kappa: t[1]! / kScale, lambda: t[2]! * lamScale });
  const rssOf = (p: UslParams): number => L.n.reduce((s, v, j) => s + L.count[j]! * (L.mean[j]! - uslThroughput(p, v)) ** 2, L.within);

  const starts = startingPoints(L).map((p) => [p.sigma, p.kappa * kScale, p.lambda / lamScale]);
  const candidates: Candidate[] = [];
  for (const mask of FACES) {
    const idx = [0, 1, 2].filter((i) => mask[i]);
    const full = (free: readonly number[]): number[] => {
      const t = [0, 0, 0];
      idx.forEach((i, j) => (t[i] = free[j]!));
      return t;
    };
    const seen = new Set<string>();
    for (const start of starts) {
      // On a face, re-solve λ for the start's (σ, κ) with the fixed ones zeroed.
      const s0 = full(idx.map((i) => start[i]!));
      s0[2] = closedFormLambda(L, s0[0]!, s0[1]! / kScale) / lamScale;
      const init = idx.map((i) => s0[i]!);
      const key = init.map((v) => v.toPrecision(6)).join(',');
      if (seen.has(key) || !init.every(Number.isFinite)) continue;
      seen.add(key);
      const t = idx.length === 1 ? init : runLm(L, init, idx, full, xScale, kScale, lamScale);
      const params = toParams(full(t));
      const rss = rssOf(params);
      if (Number.isFinite(rss)) candidates.push({ params, rss, freeCount: idx.length });
    }
  }
  if (candidates.length === 0) throw new RangeError('fitUsl: no starting point gave finite residuals');
  const minRss = candidates.reduce((m, c) => Math.min(m, c.rss), Infinity);
  const tol = (minRss - L.within) * 1e-7 + tss * 1e-15;
  return candidates
    .filter((c) => c.rss <= minRss + tol)
    .sort((a, b) => a.freeCount - b.freeCount || a.rss - b.rss)[0]!.params;
}

/**
 * One Levenberg-Marquardt fit over the free internal coordinates `idx`. The library's own weights are not used:
 * each level's residual is scaled by sqrt(count) in the model and the data instead, which is the same weighted
 * least squares with nothing left to the library's weight convention.
 */
function runLm(
  L: Levels,
  init: number[],
  idx: readonly number[],
  full: (free: readonly number[]) => number[],
  xScale: number,
  kScale: number,
  lamScale: number,
): number[] {
  const c = lamScale / xScale;
  const root = L.count.map(Math.sqrt);
  const y = L.mean.map((m, j) => (root[j]! * m) / xScale);
  const x = L.n.map((_, j) => j); // the level's index: the model looks up its concurrency and weight
  const MIN = [0, 0, 1e-12];
  const MAX = [1, 1e6, 1e6];
  const model = (free: number[]) => {
    const [s, k, l] = full(free) as [number, number, number];
    return (j: number) => {
      const v = L.n[j]!;
      return (root[j]! * l * c * v) / (1 + s * (v - 1) + (k * v * (v - 1)) / kScale);
    };
  };
  const jacobianFunction = (free: number[]) => {
    const [s, k, l] = full(free) as [number, number, number];
    return (j: number) => {
      const v = L.n[j]!;
      const w = root[j]!;
      const d = 1 + s * (v - 1) + (k * v * (v - 1)) / kScale;
      const g = [(-w * l * c * v * (v - 1)) / (d * d), (-w * l * c * v * v * (v - 1)) / (kScale * d * d), (w * c * v) / d];
      return idx.map((i) => g[i]!);
    };
  };
  // ml-levenberg-marquardt stops only at maxIterations or when the squared error falls below errorTolerance,
  // which noisy data never reach: run it in short rounds and stop when a round no longer improves the error.
  let p = init;
  let previous = Infinity;
  for (let round = 0; round < 40; round++) {
    const { parameterValues, parameterError } = levenbergMarquardt({ x, y }, model, {
      initialValues: p,
      minValues: idx.map((i) => MIN[i]!),
      maxValues: idx.map((i) => MAX[i]!),
      damping: 1e-2,
      maxIterations: 25,
      errorTolerance: 1e-30,
      improvementThreshold: 1e-3,
      jacobianFunction,
    });
    p = parameterValues;
    if (!(parameterError < previous * (1 - 1e-12)) || parameterError < 1e-28) break;
    previous = parameterError;
  }
  return p;
}

/** λ minimising the RSS for fixed σ, κ: X is linear in λ, so λ = Σ w X g / Σ w g² with g = N / D, w = count. */
function closedFormLambda(L: Levels, sigma: number, kappa: number): number {
  let num = 0;
  let den = 0;
  L.n.forEach((v, j) => {
    const g = v / (1 + sigma * (v - 1) + kappa * v * (v - 1));
    num += L.count[j]! * L.mean[j]! * g;
    den += L.count[j]! * g * g;
  });
  return num / den;
}

/**
 * Starting points: Gunther's linearisation N/X = 1/λ + (σ/λ)(N−1) + (κ/λ)N(N−1) solved by ordinary least squares
 * on the level means (clamped into the box), plus a small grid of σ and κ·nMax², each with its best λ.
 */
function startingPoints(L: Levels): UslParams[] {
  const nMax = max(L.n);
  const out: UslParams[] = [];
  try {
    const A = new Matrix(L.n.map((v) => [1, v - 1, v * (v - 1)]));
    const b = Matrix.columnVector(L.n.map((v, j) => v / L.mean[j]!));
    const [a0, a1, a2] = solve(A, b, true).to1DArray() as [number, number, number];
    if (a0 > 0 && Number.isFinite(a1) && Number.isFinite(a2)) {
      out.push({ sigma: clamp(a1 / a0, 0, 1), kappa: Math.max(0, a2 / a0), lambda: 1 / a0 });
    }
  } catch {
    // A singular design only loses this start; the grid below remains.
  }
  for (const sigma of [0, 0.01, 0.05, 0.2, 0.6]) {
    for (const k of [0, 0.05, 0.5, 5]) {
      const kappa = k / (nMax * nMax);
      out.push({ sigma, kappa, lambda: closedFormLambda(L, sigma, kappa) });
    }
  }
  return out;
}

/** Largest element without spreading (spreading a long CSV's column would overflow the call stack). */
function max(v: readonly number[]): number {
  return v.reduce((m, x) => (x > m ? x : m), -Infinity);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}
