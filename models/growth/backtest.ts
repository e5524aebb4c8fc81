/**
 * Rolling-origin backtest of the growth models: refit on every prefix of the history (from the fewest periods a fit
 * takes), forecast the next 1-4 observed periods with the same Monte Carlo as the forecast (parameter draws, yearly
 * noise), and score each forecast against what was shipped: p10-p90 coverage (nominal 80%), mean pinball loss over
 * p10/p50/p90, CRPS, and the absolute percentage error of the p50. Losses are relative to the observed shipments, so
 * periods of different length and size weigh alike. Pure and seeded: same inputs -> same scores.
 */
import { createRng } from '../random.ts';
import type { AnaloguePrior } from './analogue-prior.ts';
import type { History } from './history.ts';
import type { GrowthModelName } from './model.ts';
import { drawParameters, yearShock } from './montecarlo.ts';
import { crpsSamples, pinballLoss, sampleQuantile } from './scores.ts';
import { fitCandidate, modelByName } from './select.ts';
import type { GrowthSettings } from './settings.ts';

/** The backtest's name of Bass fitted with the analogue prior on p and q. */
export const BASS_ANALOGUES = 'bass+analogues';

/** A backtested model: a growth model, or Bass with the analogue prior on p and q (`bass+analogues`). */
export type BacktestModel = GrowthModelName | typeof BASS_ANALOGUES;

/**
 * The growth model a backtested model fits.
 * @param name a backtested model
 * @returns the growth model (`bass` for `bass+analogues`)
 */
export function growthModelOf(name: BacktestModel): GrowthModelName {
  return name === BASS_ANALOGUES ? 'bass' : name;
}

/** One scored forecast. */
export interface BacktestEvaluation {
  model: BacktestModel;
  /** Periods fitted (the prefix length). */
  origin: number;
  /** The last fitted period, e.g. `2013H2`. */
  fittedThrough: string;
  /** The forecast period and how many periods ahead it is (1 = the next). */
  target: string;
  ahead: number;
  observed: number;
  p10: number;
  p50: number;
  p90: number;
  /** Whether p10 <= observed <= p90. */
  covered: boolean;
  /** Mean pinball loss over p10, p50, p90, relative to the observed value. */
  pinball: number;
  /** CRPS relative to the observed value. */
  crps: number;
  /** |p50 - observed| / observed. */
  ape: number;
}

/** A model's scores over all its evaluations. */
export interface BacktestScore {
  model: BacktestModel;
  evaluations: number;
  /** Share of observations inside p10-p90 (nominal 0.8). */
  coverage80: number;
  pinball: number;
  crps: number;
  /** Mean absolute percentage error of the p50, %. */
  mapePct: number;
}

/** Options of {@link backtestGrowth}. */
export interface BacktestOptions {
  models: readonly GrowthModelName[];
  /** Monte Carlo draws per forecast. */
  draws: number;
  seed: number;
  /** Periods ahead to score (default 4). */
  maxAhead?: number;
  /** Fewest periods to fit (default 3: two parameters and a residual). */
  minPoints?: number;
  /** Prefix lengths to fit (default every one from minPoints to the history's length - 1). */
  origins?: readonly number[];
  /** Analogue prior on Bass p and q: when given, `bass+analogues` (Bass fitted MAP with it) is scored too, last. */
  analogues?: AnaloguePrior;
}

/**
 * Backtests the models on a history.
 * @param history validated history (at least minPoints + 1 periods)
 * @param settings data/growth.json
 * @param opts models, draws, seed, horizon
 * @returns every evaluation and each model's scores
 * @throws {RangeError} when the history is too short to score anything, or an origin lies outside it
 */
export function backtestGrowth(history: History, settings: GrowthSettings, opts: BacktestOptions): { evaluations: BacktestEvaluation[]; scores: BacktestScore[] } {
  const obs = history.observations;
  const minPoints = opts.minPoints ?? 3;
  const maxAhead = opts.maxAhead ?? 4;
  if (obs.length <= minPoints) throw new RangeError(`backtestGrowth: ${obs.length} periods leave nothing to score after fitting ${minPoints}`);
  const origins = opts.origins ?? Array.from({ length: obs.length - minPoints }, (_, i) => minPoints + i);
  for (const k of origins) {
    if (!Number.isInteger(k) || k < minPoints || k >= obs.length) throw new RangeError(`backtestGrowth: origin ${k} must be a whole number of periods from ${minPoints} to ${obs.length - 1}`);
  }
  const evaluations: BacktestEvaluation[] = [];
  const models: BacktestModel[] = opts.analogues ? [...opts.models, BASS_ANALOGUES] : [...opts.models];
  for (const name of models) {
    const analogues = name === BASS_ANALOGUES ? opts.analogues : undefined;
    const model = modelByName(growthModelOf(name), history.launch);
    for (const k of origins) {
      const prefix: History = { ...history, observations: obs.slice(0, k) };
      const cand = fitCandidate(model, prefix, settings.marketPotentialPrior.median, settings.fit.maxLnMarketSd, analogues);
      const rng = createRng(opts.seed, `backtest:${name}:${k}`);
      const draws = drawParameters(cand, prefix, settings.marketPotentialPrior, settings.fit.bootstrapMinPoints, opts.draws, rng);
      const noise = settings.monteCarlo.yearNoise ? cand.fit.residualSd : 0;
      const targets = obs.slice(k, k + maxAhead);
      const samples = targets.map(() => new Float64Array(opts.draws));
      draws.thetas.forEach((theta, d) => {
        const params = cand.model.fromInternal(theta);
        targets.forEach((t, j) => {
          const v = cand.model.cumulative(params, t.period.end) - cand.model.cumulative(params, t.period.start);
          samples[j]![d] = Math.max(0, v) * yearShock(rng, noise, cand.fit.dof);
        });
      });
      targets.forEach((t, j) => {
        const y = t.shipments;
        const sorted = samples[j]!.slice().sort();
        const [p10, p50, p90] = [0.1, 0.5, 0.9].map((q) => sampleQuantile(sorted, q)) as [number, number, number];
        evaluations.push({
          model: name, origin: k, fittedThrough: obs[k - 1]!.period.label, target: t.period.label, ahead: j + 1, observed: y, p10, p50, p90,
          covered: p10 <= y && y <= p90,
          pinball: (pinballLoss(0.1, p10, y) + pinballLoss(0.5, p50, y) + pinballLoss(0.9, p90, y)) / 3 / y,
          crps: crpsSamples(sorted, y) / y,
          ape: Math.abs(p50 - y) / y,
        });
      });
    }
  }
  const scores = models.map((model): BacktestScore => {
    const e = evaluations.filter((x) => x.model === model);
    const mean = (f: (x: BacktestEvaluation) => number): number => e.reduce((s, x) => s + f(x), 0) / e.length;
    return { model, evaluations: e.length, coverage80: mean((x) => (x.covered ? 1 : 0)), pinball: mean((x) => x.pinball), crps: mean((x) => x.crps), mapePct: 100 * mean((x) => x.ape) };
  });
  return { evaluations, scores };
}
