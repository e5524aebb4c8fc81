/**
 * The market-potential prior (m, the brand's lifetime cumulative sales) derived from the total market: the mean
 * yearly size of a published market series over stated reference years, times a stated number of years the brand
 * sells in it, times a lognormal share of that market (median and p90 as stated in data/growth.json). So
 * m = share x annual x years, lognormal with median share.median x annual x years and p90 share.p90 x annual x years.
 */
import type { Market } from './market.ts';
import { Z90 } from '../normal-quantile.ts';

/** Assumptions of the derivation (data/growth.json `marketPotentialPrior`). */
export interface MarketPriorAssumptions {
  /** Id of the data/market.json series taken as the brand's market, e.g. `world-idc`. */
  series: string;
  /** Calendar years whose mean size is the market's yearly level over the brand's life. */
  referenceYears: readonly number[];
  /** Years the brand sells into a market of that size (lifetime). */
  lifetimeYears: number;
  /** The brand's lifetime-average share of the market: lognormal with this median and p90 (fractions, 0-1). */
  share: { median: number; p90: number };
  /** Why, in words. */
  reasoning?: string;
}

/** The derived prior and what it was derived from (recorded in forecast.json `priors.marketPotential`). */
export interface MarketPrior {
  /** Prior median of m (phones). */
  median: number;
  /** Prior p90 of m (phones). */
  p90: number;
  /** Standard deviation of ln m, ln(p90 / median) / z(0.9). */
  sdLn: number;
  /** The derivation's inputs and intermediate figures. */
  basis: {
    series: string;
    market: string;
    publisher: string;
    measure: string;
    /** Each reference year's units and source. */
    figures: { year: number; units: number; source: string }[];
    /** Mean yearly market over the reference years (phones/year). */
    annualUnits: number;
    lifetimeYears: number;
    /** annualUnits x lifetimeYears (phones). */
    lifetimeMarket: number;
    share: { median: number; p90: number };
    formula: string;
  };
  /** Why, in words (from data/growth.json). */
  reasoning: string | null;
}

/**
 * Derives the lifetime market-potential prior of the brand from a total-market series.
 * @param market parsed data/market.json
 * @param a the assumptions: series, reference years, lifetime years, share median and p90
 * @returns the prior (median and p90 of m, phones) with its basis
 * @throws {RangeError} when the series is not in the file, a reference year has no figure in it, the lifetime is
 *   not positive, or the share is outside (0, 1] or its p90 not above its median; the message names the bad value
 * @example deriveMarketPrior(market, { series: 'world-idc', referenceYears: [2014], lifetimeYears: 10, share: { median: 0.05, p90: 0.08 } })
 *   // { median: 650550000, p90: 1040880000, ... }: 1,301.1M phones/year x 10 years x 5% (8%)
 */
export function deriveMarketPrior(market: Market, a: MarketPriorAssumptions): MarketPrior {
  const s = market.series.find((x) => x.id === a.series);
  if (!s) throw new RangeError(`deriveMarketPrior: series "${a.series}" is not in the market data (have ${market.series.map((x) => x.id).join(', ')})`);
  if (a.referenceYears.length === 0) throw new RangeError('deriveMarketPrior: referenceYears is empty; name at least one year');
  const figures = a.referenceYears.map((year) => {
    const f = s.figures.find((x) => x.year === year);
    if (!f) throw new RangeError(`deriveMarketPrior: series ${s.id} has no figure for reference year ${year} (has ${s.figures.map((x) => x.year).join(', ')})`);
    return { year, units: f.units, source: f.source };
  });
  if (!(a.lifetimeYears > 0)) throw new RangeError(`deriveMarketPrior: lifetimeYears ${a.lifetimeYears} must be positive`);
  const { median, p90 } = a.share;
  if (!(median > 0 && median <= 1)) throw new RangeError(`deriveMarketPrior: share median ${median} must lie in (0, 1]`);
  if (!(p90 > median && p90 <= 1)) throw new RangeError(`deriveMarketPrior: share p90 ${p90} must lie above the median ${median} and at most 1`);
  const annualUnits = figures.reduce((sum, f) => sum + f.units, 0) / figures.length;
  const lifetimeMarket = annualUnits * a.lifetimeYears;
  return {
    median: lifetimeMarket * median,
    p90: lifetimeMarket * p90,
    sdLn: Math.log(p90 / median) / Z90,
    basis: {
      series: s.id,
      market: s.market,
      publisher: s.publisher,
      measure: s.measure,
      figures,
      annualUnits,
      lifetimeYears: a.lifetimeYears,
      lifetimeMarket,
      share: { median, p90 },
      formula: 'm = share x annualUnits x lifetimeYears; share lognormal (median, p90 as given), so m is lognormal with median and p90 scaled alike',
    },
    reasoning: a.reasoning ?? null,
  };
}
