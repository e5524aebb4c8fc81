/**
 * Fits the candidate growth models and chooses one. AICc decides only where it is defined (n >= k + 2); with fewer
 * points, or when the data leave the market potential m unidentified (on a bound, or no covariance), m is fixed at
 * the stated prior's median and the rest is fitted, and the result says so.
 */
import { type AnaloguePrior, bassPenalty } from './analogue-prior.ts';
import { bassModel } from './bass.ts';
import { type FitOptions, type FitResult, fitGrowth, type Penalty } from './fit.ts';
import { gompertz } from './gompertz.ts';
import type { History } from './history.ts';
import { sinceLaunch } from './launch.ts';
import { logistic } from './logistic.ts';
import type { GrowthModel, GrowthModelName } from './model.ts';

/** A fitted candidate and how it was fitted. */
export interface Candidate {
  /** The model. */
  model: GrowthModel;
  /** Its fit. */
  fit: FitResult;
  /** True when m was fixed from the prior instead of fitted. */
  priorFixedM: boolean;
  /** Why m was fixed, when it was. */
  reason?: string;
  /** Akaike weight among candidates with AICc, or null. */
  akaikeWeight: number | null;
  /** The analogue prior on Bass p and q the fit used (a MAP fit), if any; refits in the Monte Carlo use it too. */
  penalty?: Penalty;
}

/** The chosen model and every candidate, for the output. */
export interface Selection {
  /** The chosen candidate. */
  chosen: Candidate;
  /** All candidates, in model order. */
  candidates: Candidate[];
  /** How the choice was made, in words. */
  method: string;
}

/** Default of data/growth.json `fit.maxLnMarketSd`, for callers without settings (tests, library use). */
export const DEFAULT_MAX_LN_M_SD = 1.5;

/** Model order used for ties and for the choice when AICc is undefined everywhere. */
export const MODEL_NAMES: readonly GrowthModelName[] = ['logistic', 'bass', 'gompertz'];

/**
 * Builds a growth model by name.
 * @param name model name
 * @param launch launch instant: sales are counted from it (Bass starts there by construction)
 * @returns the model
 */
export function modelByName(name: GrowthModelName, launch: number): GrowthModel {
  return name === 'logistic' ? sinceLaunch(logistic, launch) : name === 'gompertz' ? sinceLaunch(gompertz, launch) : bassModel(launch);
}

/**
 * Fits one model, falling back to a prior-fixed m when needed.
 * @param model the model
 * @param history validated history
 * @param priorMedianM the prior median of m (phones)
 * @param maxLnMSd largest standard error of ln m for which m counts as identified by the data
 * @param analogues a prior on Bass p and q from analogue products: a Bass model is then fitted MAP (fit.ts Penalty),
 *   the data weighed by the residual sd of its plain fit (the analogues' pooled residual sd when that fit has none)
 * @returns the candidate
 */
export function fitCandidate(model: GrowthModel, history: History, priorMedianM: number, maxLnMSd = DEFAULT_MAX_LN_M_SD, analogues?: AnaloguePrior): Candidate {
  const n = history.observations.length;
  const kFull = model.paramNames.length;
  // Plain fit first; with analogues (Bass only) its residual sd weighs the data against the prior in a refit.
  const fitWith = (opts: FitOptions): { fit: FitResult; penalty?: Penalty } => {
    const plain = fitGrowth(model, history.observations, history.launch, opts);
    if (!analogues || model.name !== 'bass') return { fit: plain };
    const penalty = bassPenalty(analogues, plain.n > plain.k && plain.residualSd > 0 ? plain.residualSd : analogues.pooledResidualSd);
    return { fit: fitGrowth(model, history.observations, history.launch, { ...opts, penalty }), penalty };
  };
  const fixed = (reason: string): Candidate => ({ model, ...fitWith({ fixed: { 0: Math.log(priorMedianM) } }), priorFixedM: true, reason, akaikeWeight: null });
  if (n < kFull + 2) return fixed(`n = ${n} < k + 2 = ${kFull + 2}: AICc is undefined for the full model`);
  const { fit, penalty } = fitWith({});
  const lnMSd = fit.covariance ? Math.sqrt(fit.covariance[0]![0]!) : Number.NaN;
  if (fit.atBound.includes('m') || fit.covariance === null || !(lnMSd <= maxLnMSd)) {
    const why = fit.atBound.includes('m')
      ? 'the data leave m unbounded (fit ran to a search bound)'
      : fit.covariance === null
        ? 'the fit has no covariance (singular Jacobian)'
        : `the data do not identify m (standard error of ln m ${lnMSd.toFixed(2)} > ${maxLnMSd})`;
    return fixed(why);
  }
  return { model, fit, ...(penalty ? { penalty } : {}), priorFixedM: false, akaikeWeight: null };
}

/**
 * Fits the requested model, or all of them for `auto`, and picks one.
 * @param history validated history
 * @param requested a model name or `auto`
 * @param priorMedianM the prior median of m (phones)
 * @param maxLnMSd largest standard error of ln m for which m counts as identified (data/growth.json fit.maxLnMarketSd)
 * @param analogues a prior on Bass p and q from analogue products, applied to the Bass candidate
 * @returns the selection
 */
export function selectModel(history: History, requested: GrowthModelName | 'auto', priorMedianM: number, maxLnMSd = DEFAULT_MAX_LN_M_SD, analogues?: AnaloguePrior): Selection {
  const names = requested === 'auto' ? MODEL_NAMES : [requested];
  const candidates = names.map((name) => fitCandidate(modelByName(name, history.launch), history, priorMedianM, maxLnMSd, analogues));
  const withAicc = candidates.filter((c) => c.fit.aicc !== null);
  if (withAicc.length > 0) {
    const best = Math.min(...withAicc.map((c) => c.fit.aicc!));
    const rel = withAicc.map((c) => Math.exp(-(c.fit.aicc! - best) / 2));
    const sum = rel.reduce((s, v) => s + v, 0);
    withAicc.forEach((c, i) => (c.akaikeWeight = rel[i]! / sum));
  }
  if (requested !== 'auto') return { chosen: candidates[0]!, candidates, method: `model ${requested} requested` };
  // AICc compares models fitted to the same data with the same free/fixed structure; prefer the full fits.
  const full = withAicc.filter((c) => !c.priorFixedM);
  const pool = full.length > 0 ? full : withAicc;
  if (pool.length > 0) {
    const chosen = pool.reduce((a, b) => (b.fit.aicc! < a.fit.aicc! ? b : a));
    return { chosen, candidates, method: `lowest AICc among ${pool.map((c) => c.model.name).join(', ')}` };
  }
  return { chosen: candidates[0]!, candidates, method: `AICc undefined for every model (n = ${history.observations.length}); default ${candidates[0]!.model.name}` };
}
