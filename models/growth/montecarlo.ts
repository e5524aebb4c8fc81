/**
 * Seeded Monte Carlo over the growth model's parameters: draws from the fit's covariance (multivariate normal on
 * internal parameters), a residual bootstrap where the points allow, or, when m came from the prior, m drawn from
 * the prior with the other parameters refitted to each draw.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { studentTQuantile } from '../capacity/student-t.ts';
import type { Rng } from '../random.ts';
import { fitGrowth, searchContext } from './fit.ts';
import type { History } from './history.ts';
import type { Candidate } from './select.ts';
import { Z90 } from '../normal-quantile.ts';

/** How parameter uncertainty was sampled. */
export type DrawMethod = 'covariance' | 'bootstrap' | 'prior-refit' | 'none';

/** Parameter draws and how they were made. */
export interface ParameterDraws {
  /** Internal parameter vectors, one per draw. */
  thetas: number[][];
  /** Sampling method. */
  method: DrawMethod;
  /** Why that method, in words. */
  note: string;
}

/**
 * Draws model parameters.
 * @param cand the chosen, fitted candidate
 * @param history the history it was fitted to
 * @param prior the market-potential prior (median and p90, phones)
 * @param bootstrapMinPoints fewest periods for a residual bootstrap
 * @param draws number of draws
 * @param rng seeded generator
 * @returns the draws
 */
export function drawParameters(
  cand: Candidate,
  history: History,
  prior: { median: number; p90: number },
  bootstrapMinPoints: number,
  draws: number,
  rng: Rng,
): ParameterDraws {
  const { model, fit } = cand;
  const space = model.searchSpace(searchContext(history.observations, history.launch));
  const clampAll = (t: number[]): number[] => t.map((v, i) => Math.min(Math.max(v, space.min[i]!), space.max[i]!));
  const freeIdx = fit.free.flatMap((f, i) => (f ? [i] : []));
  const L = fit.covariance ? cholesky(fit.covariance) : null;
  // Covariance draws widened like the yearly shocks (to a t with the fit's residual dof, n - k plus one per prior in a
  // MAP fit, instead of a normal), as a regression's parameter intervals use t when the error variance is estimated:
  // on synthetic histories this moved the p10-p90 coverage of next-year outcomes from 75.8% to 78.3% (nominal 80%,
  // SE 2 points).
  const w = tWidening(fit.dof);
  const perturb = (base: number[]): number[] => {
    if (!L) return base.slice();
    const z = freeIdx.map(() => w * rng.normal());
    const out = base.slice();
    freeIdx.forEach((idx, r) => {
      let s = 0;
      for (let c = 0; c <= r; c++) s += L[r]![c]! * z[c]!;
      out[idx] = base[idx]! + s;
    });
    return clampAll(out);
  };

  if (cand.priorFixedM) {
    const sigma = Math.log(prior.p90 / prior.median) / Z90;
    const thetas: number[][] = [];
    for (let d = 0; d < draws; d++) {
      const lnM = Math.log(prior.median) + sigma * rng.normal();
      const start = fit.theta.slice();
      start[0] = lnM;
      const refit = fitGrowth(model, history.observations, history.launch, { fixed: { 0: lnM }, starts: [start], ...(cand.penalty ? { penalty: cand.penalty } : {}) });
      thetas.push(perturb(refit.theta));
    }
    return { thetas, method: 'prior-refit', note: `m drawn from the prior (lognormal, median ${prior.median}, p90 ${prior.p90}); other parameters refitted to each draw${L ? ' and perturbed by their covariance' : ''}` };
  }
  if (fit.n >= bootstrapMinPoints) {
    const fittedLog = history.observations.map((o, i) => Math.log(o.shipments) - fit.residuals[i]!);
    const inflate = Math.sqrt(fit.n / Math.max(fit.n - fit.k, 1));
    const thetas: number[][] = [];
    for (let d = 0; d < draws; d++) {
      const obs = history.observations.map((o, i) => {
        const r = fit.residuals[Math.floor(rng.next() * fit.n)]! * inflate;
        return { ...o, shipments: Math.exp(fittedLog[i]! + r) };
      });
      thetas.push(fitGrowth(model, obs, history.launch, { starts: [fit.theta], ...(cand.penalty ? { penalty: cand.penalty } : {}) }).theta);
    }
    return { thetas, method: 'bootstrap', note: `residual bootstrap: ${draws} refits to resampled log residuals (n = ${fit.n} >= ${bootstrapMinPoints})` };
  }
  if (L) {
    const thetas = Array.from({ length: draws }, () => perturb(fit.theta));
    return { thetas, method: 'covariance', note: `multivariate normal on internal parameters from the fit's covariance (n = ${fit.n} < ${bootstrapMinPoints} periods, too few for a bootstrap)` };
  }
  return { thetas: Array.from({ length: draws }, () => fit.theta.slice()), method: 'none', note: 'no covariance and too few points for a bootstrap: parameter uncertainty not sampled' };
}

/**
 * A multiplicative shock for one year's shipments: exp(sd x s(dof) x Z), Z standard normal. The predictive
 * distribution of a new log observation around a fitted curve is Student-t with n - k degrees of freedom when its sd
 * comes from the n - k residual degrees of freedom; a plain normal understates its spread when n - k is small. A t
 * in log space would give shipments no finite mean (and an infinite CRPS), so the normal is widened instead, by
 * s(dof) = t(0.9, dof) / z(0.9), which gives the t's own p10 and p90: the band the forecast reports.
 * @param rng seeded generator
 * @param sd residual sd of the log fit
 * @param dof residual degrees of freedom (n - k, plus one per prior in a MAP fit; at least 1)
 * @returns the factor (1 when sd is 0)
 */
export function yearShock(rng: Rng, sd: number, dof: number): number {
  if (!(sd > 0)) return 1;
  return Math.exp(sd * tWidening(dof) * rng.normal());
}

const widening = new Map<number, number>();

/** t(0.9, dof) / z(0.9), cached per dof. */
function tWidening(dof: number): number {
  const nu = Math.max(1, Math.round(dof));
  let w = widening.get(nu);
  if (w === undefined) widening.set(nu, (w = studentTQuantile(0.9, nu) / Z90));
  return w;
}

function cholesky(cov: number[][]): number[][] | null {
  const dec = new CholeskyDecomposition(new Matrix(cov));
  return dec.isPositiveDefinite() ? dec.lowerTriangularMatrix.to2DArray() : null;
}
