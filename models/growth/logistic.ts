import { type GrowthModel, grid, MAX_MARKET_POTENTIAL } from './model.ts';

/**
 * Logistic (Verhulst) cumulative shipments: N(t) = m / (1 + exp(-r (t - t0))).
 * m: market potential (phones), r: growth rate (1/year), t0: inflection (decimal year), where N = m/2 and yearly
 * sales peak at m r / 4. Internal parameters: [ln m, ln r, t0].
 * @example logistic.cumulative({ m: 100, r: 1, t0: 2014 }, 2014) // 50
 */
export const logistic: GrowthModel = {
  name: 'logistic',
  paramNames: ['m', 'r', 't0'],
  formula: 'N(t) = m / (1 + exp(-r (t - t0)))',
  cumulative(p, t) {
    return p.m! / (1 + Math.exp(-p.r! * (t - p.t0!)));
  },
  fromInternal(theta) {
    return { m: Math.exp(theta[0]!), r: Math.exp(theta[1]!), t0: theta[2]! };
  },
  toInternal(p) {
    return [Math.log(p.m!), Math.log(p.r!), p.t0!];
  },
  searchSpace({ observedTotal, firstStart, lastEnd }) {
    const lnM = Math.log(observedTotal);
    return {
      starts: grid([
        [lnM + Math.log(3), lnM + Math.log(10), lnM + Math.log(40)],
        [Math.log(0.5), Math.log(1), Math.log(2)],
        [lastEnd - 1, lastEnd + 1, lastEnd + 4],
      ]),
      min: [lnM, Math.log(0.01), firstStart - 5],
      max: [Math.log(MAX_MARKET_POTENTIAL), Math.log(20), lastEnd + 50],
    };
  },
};
