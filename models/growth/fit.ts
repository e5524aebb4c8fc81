/**
 * Least-squares fit of a growth model to observed period shipments, on log shipments (multiplicative errors), by
 * Levenberg-Marquardt (ml-levenberg-marquardt) from several starting points. Returns the fit quality (rmse, r2,
 * AICc where defined) and the parameter covariance s^2 (J'J)^-1 that the Monte Carlo draws from. With priors on
 * some parameters ({@link Penalty}) the same solver gives the maximum a posteriori fit and its posterior covariance.
 */
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import { inverse, Matrix } from 'ml-matrix';
import type { Observation } from './history.ts';
import type { GrowthModel, GrowthModelName, SearchContext } from './model.ts';

/** Result of fitting one model. */
export interface FitResult {
  /** Model name. */
  model: GrowthModelName;
  /** Natural parameters by name (m in phones, rates per year, instants in decimal years). */
  params: Record<string, number>;
  /** Internal parameter vector (all parameters, fixed ones included). */
  theta: number[];
  /** Which internal parameters were fitted (false: fixed from a prior). */
  free: boolean[];
  /** Covariance of the free internal parameters (k x k), or null when n <= k or J'J is singular. */
  covariance: number[][] | null;
  /** Number of observed periods. */
  n: number;
  /** Number of fitted parameters. */
  k: number;
  /** Residual sum of squares of log shipments. */
  rss: number;
  /**
   * Residual standard deviation in log space, sqrt(rss / (n - k)) (0 when n <= k); in a MAP fit the priors'
   * pseudo-residuals count as observations: sqrt((rss + sum of squared pseudo-residuals) / dof).
   */
  residualSd: number;
  /** Residual degrees of freedom: n - k, plus one per prior on a free parameter in a MAP fit. */
  dof: number;
  /** Root mean square error of period shipments (phones). */
  rmse: number;
  /** Root mean square error of log shipments. */
  rmseLog: number;
  /** Coefficient of determination of log shipments. */
  r2: number;
  /** Corrected Akaike information criterion, or null where undefined (n < k + 2). */
  aicc: number | null;
  /** Names of parameters that ended on a search bound (the data do not pin them down). */
  atBound: string[];
  /** Log residuals (observed - fitted), in observation order. */
  residuals: number[];
}

/** Options of {@link fitGrowth}. */
export interface FitOptions {
  /** Internal parameters held fixed, by index (e.g. `{0: Math.log(6e8)}` fixes m). */
  fixed?: Readonly<Record<number, number>>;
  /** Starting points to use instead of the model's grid (internal vectors, all parameters). */
  starts?: number[][];
  /** Normal priors on internal parameters (a MAP fit): see {@link Penalty}. */
  penalty?: Penalty;
}

/**
 * Normal priors on internal parameters (lognormal on the natural ones), which turn least squares into a maximum a
 * posteriori fit: minimise sum r_i^2 / s^2 + sum ((theta_j - mean_j) / sd_j)^2, with s the noise sd of the log
 * observations. Solved as least squares on the data residuals plus one pseudo-residual s (theta_j - mean_j) / sd_j
 * per prior; the covariance becomes the posterior's (Laplace), s^2 (J'J + s^2 P)^-1, P = diag(1 / sd_j^2).
 * rss, r2 and AICc stay those of the data alone; residualSd and dof count the priors as observations (a prior is
 * one more measurement of its parameter), so a fit pulled away from its few points by the priors is not judged on
 * one or two residual degrees of freedom.
 */
export interface Penalty {
  /** Priors by internal index (e.g. 1 = ln p, 2 = ln q of Bass); a prior on a fixed parameter is ignored. */
  priors: readonly { index: number; mean: number; sd: number }[];
  /** Noise sd s of the log observations that weighs the data against the priors (> 0). */
  noiseSd: number;
}

/**
 * Search context of a set of observations.
 * @param obs observed periods, sorted
 * @param launch launch instant
 * @returns observed total and time span
 */
export function searchContext(obs: readonly Observation[], launch: number): SearchContext {
  return {
    observedTotal: obs.reduce((s, o) => s + o.shipments, 0),
    firstStart: obs[0]!.period.start,
    lastEnd: obs[obs.length - 1]!.period.end,
    launch,
  };
}

/**
 * Model shipments in each observed period: N(end) - N(start).
 * @param model growth model
 * @param params natural parameters
 * @param obs periods
 * @returns shipments per period (phones)
 */
export function periodShipments(model: GrowthModel, params: Readonly<Record<string, number>>, obs: readonly Observation[]): number[] {
  return obs.map((o) => model.cumulative(params, o.period.end) - model.cumulative(params, o.period.start));
}

const FLOOR = 1; // one phone: keeps log finite when a trial curve predicts nothing in a period

/**
 * Fits a model to observations.
 * @param model growth model
 * @param obs observed periods (at least k + 1 for a covariance)
 * @param launch launch instant (decimal year)
 * @param options fixed parameters, starting points, and priors (a MAP fit)
 * @returns the best fit over all starting points
 * @throws {RangeError} when there are fewer observations than free parameters, or a penalty's noise sd or a prior's
 *   sd is not positive (the value named)
 */
export function fitGrowth(model: GrowthModel, obs: readonly Observation[], launch: number, options: FitOptions = {}): FitResult {
  const space = model.searchSpace(searchContext(obs, launch));
  const dim = model.paramNames.length;
  const fixed = options.fixed ?? {};
  const free = Array.from({ length: dim }, (_, i) => fixed[i] === undefined);
  const freeIdx = free.flatMap((f, i) => (f ? [i] : []));
  const k = freeIdx.length;
  const n = obs.length;
  if (n < k) throw new RangeError(`fitGrowth: ${n} observations cannot fit ${k} parameters of the ${model.name} model`);
  const y = obs.map((o) => Math.log(o.shipments));
  const full = (freeTheta: readonly number[]): number[] => {
    const t = new Array<number>(dim);
    let j = 0;
    for (let i = 0; i < dim; i++) t[i] = free[i] ? freeTheta[j++]! : fixed[i]!;
    return t;
  };
  const predict = (theta: readonly number[]): number[] =>
    periodShipments(model, model.fromInternal(theta), obs).map((s) => Math.log(Math.max(s, FLOOR)));
  const priors = (options.penalty?.priors ?? []).filter((p) => free[p.index]);
  const noiseSd = options.penalty?.noiseSd ?? 1;
  if (priors.length > 0 && !(noiseSd > 0)) throw new RangeError(`fitGrowth: penalty noiseSd ${noiseSd} must be positive`);
  for (const p of priors) if (!(p.sd > 0)) throw new RangeError(`fitGrowth: prior sd ${p.sd} of parameter ${model.paramNames[p.index]} must be positive`);
  // Data residuals then one pseudo-residual per prior (0 when there is none): what least squares minimises.
  const yAug = [...y, ...priors.map(() => 0)];
  const predictAug = (theta: readonly number[]): number[] => [
    ...predict(theta),
    ...priors.map((p) => (noiseSd * (theta[p.index]! - p.mean)) / p.sd),
  ];
  const min = freeIdx.map((i) => space.min[i]!);
  const max = freeIdx.map((i) => space.max[i]!);
  const starts = (options.starts ?? space.starts).map((s) => freeIdx.map((i) => clamp(s[i]!, space.min[i]!, space.max[i]!)));
  const unique = [...new Map(starts.map((s) => [s.join(','), s])).values()];

  let best: { theta: number[]; obj: number } | undefined;
  for (const start of unique) {
    const { parameterValues } = levenbergMarquardt(
      { x: yAug.map((_, i) => i), y: yAug },
      (p) => {
        const pred = predictAug(full(p));
        return (i) => pred[i]!;
      },
      {
        initialValues: start,
        minValues: min,
        maxValues: max,
        damping: 1e-2,
        gradientDifference: 1e-6,
        centralDifference: true,
        maxIterations: 300,
        errorTolerance: 1e-14,
        improvementThreshold: 1e-4,
      },
    );
    const theta = full(parameterValues);
    // The objective (data plus priors) picks the best start.
    const obj = sumSq(predictAug(theta).map((p, i) => yAug[i]! - p));
    if (Number.isFinite(obj) && (best === undefined || obj < best.obj - 1e-12)) best = { theta, obj };
  }
  if (!best) throw new RangeError(`fitGrowth: the ${model.name} model could not be fitted (no finite residuals)`);

  const theta = best.theta;
  const params = model.fromInternal(theta);
  const fitted = predict(theta);
  const residuals = fitted.map((p, i) => y[i]! - p);
  const rss = sumSq(residuals);
  const meanY = y.reduce((s, v) => s + v, 0) / n;
  const tss = sumSq(y.map((v) => v - meanY));
  const shipments = periodShipments(model, params, obs);
  const rmse = Math.sqrt(sumSq(shipments.map((s, i) => obs[i]!.shipments - s)) / n);
  const aicc = n >= k + 2 ? n * Math.log(Math.max(rss, 1e-300) / n) + 2 * k + (2 * k * (k + 1)) / (n - k - 1) : null;
  const atBound = freeIdx
    .filter((i) => Math.abs(theta[i]! - space.min[i]!) < 1e-6 || Math.abs(theta[i]! - space.max[i]!) < 1e-6)
    .map((i) => model.paramNames[i]!);
  const dof = n - k + priors.length;
  const pseudo = sumSq(predictAug(theta).slice(n));
  const residualSd = dof > 0 ? Math.sqrt((rss + pseudo) / dof) : 0;
  return {
    model: model.name,
    params,
    theta,
    free,
    covariance: priors.length > 0
      ? covarianceAt((p) => predictAug(full(p)), freeIdx.map((i) => theta[i]!), noiseSd ** 2)
      : n > k ? covarianceAt((p) => predict(full(p)), freeIdx.map((i) => theta[i]!), residualSd ** 2) : null,
    n,
    k,
    rss,
    residualSd,
    dof,
    rmse,
    rmseLog: Math.sqrt(rss / n),
    r2: tss > 0 ? 1 - rss / tss : 1,
    aicc,
    atBound,
    residuals,
  };
}

/**
 * Parameter covariance s^2 (J'J)^-1 with a central-difference Jacobian.
 * @returns the matrix, or null when J'J is singular or the result is not a valid covariance
 */
function covarianceAt(f: (p: number[]) => number[], p: number[], s2: number): number[][] | null {
  const cols = p.map((v, j) => {
    const h = 1e-5 * Math.max(1, Math.abs(v));
    const up = p.slice();
    const dn = p.slice();
    up[j] = v + h;
    dn[j] = v - h;
    const fu = f(up);
    const fd = f(dn);
    return fu.map((u, i) => (u - fd[i]!) / (2 * h));
  });
  const J = new Matrix(cols[0]!.length, p.length);
  cols.forEach((col, j) => col.forEach((v, i) => J.set(i, j, v)));
  try {
    const raw = inverse(J.transpose().mmul(J)).mul(s2).to2DArray();
    // Inversion leaves rounding asymmetry; a covariance is symmetric by definition.
    const cov = raw.map((row, i) => row.map((v, j) => (v + raw[j]![i]!) / 2));
    const ok = cov.every((row, i) => row.every(Number.isFinite) && row[i]! >= 0);
    return ok ? cov : null;
  } catch {
    return null;
  }
}

function sumSq(v: readonly number[]): number {
  let s = 0;
  for (const x of v) s += x * x;
  return s;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}
