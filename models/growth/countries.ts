/**
 * Country shares of new-device sales over time, from the world's countries (data/world.json): share at the base year, a log-linear trend,
 * and a launch date before which a country sells nothing; re-normalised over the launched countries.
 */
import type { Country } from './settings.ts';

/**
 * Share of each country in sales at instant t.
 * @param countries countries with share, trend and launch
 * @param baseYear instant at which `share` applies (decimal year)
 * @param t decimal year
 * @returns shares in the order of `countries`, summing to 1 (all 0 if no country has launched)
 * @example salesShares([{share: 0.9, trend: 0, launch: 2011, ...}, {share: 0.1, trend: 0, launch: 2020, ...}], 2014, 2015) // [1, 0]
 */
export function salesShares(countries: readonly Country[], baseYear: number, t: number): number[] {
  const raw = countries.map((c) => (t >= c.launch ? c.share * Math.exp(c.trend * (t - baseYear)) : 0));
  const total = raw.reduce((s, v) => s + v, 0);
  return total > 0 ? raw.map((v) => v / total) : raw.map(() => 0);
}
