/**
 * The Universal Scalability Law itself (Gunther, Guerrilla Capacity Planning, 2007, ch. 4-6), as pure functions:
 *   X(N) = λN / (1 + σ(N−1) + κN(N−1)),  peak at N* = sqrt((1−σ)/κ).
 * Fitting lives in usl.ts; this file has no dependencies so the search (usl-search.ts) and the fit can share it.
 */

/** USL coefficients. */
export interface UslParams {
  /** Contention σ (dimensionless, 0..1). */
  sigma: number;
  /** Coherency κ (dimensionless, >= 0). */
  kappa: number;
  /** Throughput slope λ at low concurrency, in the throughput's unit (e.g. requests/s) per unit of concurrency. */
  lambda: number;
}

/**
 * USL throughput at concurrency n. Pure.
 * @param p coefficients
 * @param n concurrency (> 0)
 * @returns X(n) in the unit of λ
 * @example uslThroughput({ sigma: 0.02, kappa: 0.02, lambda: 1 }, 2) // 2 / 1.06 = 1.8868
 */
export function uslThroughput(p: Readonly<UslParams>, n: number): number {
  return (p.lambda * n) / (1 + p.sigma * (n - 1) + p.kappa * n * (n - 1));
}

/**
 * Peak of the USL curve: N* = sqrt((1−σ)/κ) and X(N*). With κ = 0 there is no peak: N* is Infinity and xMax is
 * the asymptote λ/σ (Infinity when σ = 0 too: linear scaling). σ >= 1 gives N* = 0 (throughput never grows).
 * @param p coefficients
 * @returns nStar (concurrency) and xMax (throughput)
 * @example uslPeak({ sigma: 0.02, kappa: 0.02, lambda: 1 }) // { nStar: 7, xMax: 3.5714 }
 */
export function uslPeak(p: Readonly<UslParams>): { nStar: number; xMax: number } {
  if (p.kappa === 0) return { nStar: Infinity, xMax: p.sigma > 0 ? p.lambda / p.sigma : Infinity };
  const nStar = Math.sqrt(Math.max(0, 1 - p.sigma) / p.kappa);
  return { nStar, xMax: uslThroughput(p, nStar) };
}

