/**
 * A prior for the brand's Bass coefficients from analogue products, as marketing science forecasts a new product's
 * diffusion from its analogues (Bass 1969; Sultan, Farley and Lehmann 1990; Lilien, Rangaswamy and Van den Bulte
 * 2000): fit Bass to each analogue's sales, then take ln p and ln q of the brand as normal with the analogues' mean
 * (their geometric mean) and spread. With k analogues the spread is the sample sd of their logs times sqrt(1 + 1/k),
 * the sd of a new draw from the population the analogues are a sample of (not of their mean). The data's weight
 * against the prior is the noise of the brand's own log fit; the analogues' pooled residual sd stands in when the
 * brand's fit has no residual degrees of freedom.
 */
import { bassModel } from './bass.ts';
import { fitGrowth, type Penalty } from './fit.ts';
import { type Analogues, analogueObservations } from './analogues.ts';

/** One analogue's Bass fit. */
export interface AnalogueFit {
  id: string;
  maker: string;
  periods: number;
  /** Fitted Bass parameters: m (phones), p and q (1/year). */
  m: number;
  p: number;
  q: number;
  /** Residual sd of the log fit. */
  residualSd: number;
}

/** The prior on Bass p and q (recorded in forecast.json `priors.bassAnalogues`). */
export interface AnaloguePrior {
  analogues: AnalogueFit[];
  /** Lognormal prior of p: median (geometric mean of the analogues' p, 1/year) and sd of ln p. */
  p: { median: number; sdLn: number };
  /** Lognormal prior of q, likewise. */
  q: { median: number; sdLn: number };
  /** Pooled residual sd of the analogues' log fits (sqrt of summed rss over summed n - 3). */
  pooledResidualSd: number;
  method: string;
}

/**
 * Fits Bass to every analogue and derives the lognormal prior of p and q.
 * @param data parsed data/analogues.json
 * @returns each analogue's fit and the prior
 * @throws {RangeError} when an analogue's fit runs a parameter to a search bound (the analogue named), or fewer
 *   than 2 analogues are given
 */
export function analoguePrior(data: Analogues): AnaloguePrior {
  let rss = 0;
  let dof = 0;
  const analogues = data.analogues.map((a): AnalogueFit => {
    const obs = analogueObservations(a);
    const fit = fitGrowth(bassModel(a.launch), obs, a.launch);
    // With m on a bound (sales still growing exponentially) only p x m and p + q are identified, not p and q.
    if (fit.atBound.length > 0) throw new RangeError(`analoguePrior: the Bass fit of ${a.id} runs ${fit.atBound.join(', ')} to a search bound; its history does not identify p and q`);
    rss += fit.rss;
    dof += fit.n - fit.k;
    return { id: a.id, maker: a.maker, periods: fit.n, m: fit.params.m!, p: fit.params.p!, q: fit.params.q!, residualSd: fit.residualSd };
  });
  if (analogues.length < 2) throw new RangeError(`analoguePrior: ${analogues.length} analogue(s); a spread needs at least 2`);
  const k = analogues.length;
  const spread = (v: number[]): { median: number; sdLn: number } => {
    const logs = v.map(Math.log);
    const mean = logs.reduce((s, x) => s + x, 0) / k;
    const sd = Math.sqrt(logs.reduce((s, x) => s + (x - mean) ** 2, 0) / (k - 1));
    return { median: Math.exp(mean), sdLn: sd * Math.sqrt(1 + 1 / k) };
  };
  return {
    analogues,
    p: spread(analogues.map((a) => a.p)),
    q: spread(analogues.map((a) => a.q)),
    pooledResidualSd: dof > 0 ? Math.sqrt(rss / dof) : 0,
    method: `Bass fitted to each of ${k} analogues (log least squares); ln p and ln q of the brand normal with the analogues' mean (geometric mean of p, q) and sd = sample sd of the logs x sqrt(1 + 1/${k}) (a new product's spread, not the mean's); a MAP fit of the brand's Bass with these priors, the data weighed by the brand's own log residual sd`,
  };
}

/**
 * The penalty that applies an analogue prior to a Bass fit (internal parameters [ln m, ln p, ln q]).
 * @param prior the analogue prior
 * @param noiseSd noise sd of the brand's log observations (> 0)
 * @returns the fitGrowth penalty
 * @throws {RangeError} when noiseSd is not positive
 */
export function bassPenalty(prior: AnaloguePrior, noiseSd: number): Penalty {
  if (!(noiseSd > 0)) throw new RangeError(`bassPenalty: noiseSd ${noiseSd} must be positive`);
  return {
    priors: [
      { index: 1, mean: Math.log(prior.p.median), sd: prior.p.sdLn },
      { index: 2, mean: Math.log(prior.q.median), sd: prior.q.sdLn },
    ],
    noiseSd,
  };
}
