import { type GrowthModel, grid, MAX_MARKET_POTENTIAL } from './model.ts';

/**
 * Gompertz cumulative shipments: N(t) = m exp(-exp(-r (t - t0))).
 * m: market potential (phones), r: growth rate (1/year), t0: inflection (decimal year), where N = m/e and yearly
 * sales peak at m r / e. Slower, asymmetric approach to saturation than the logistic.
 * Internal parameters: [ln m, ln r, t0].
 * @example gompertz.cumulative({ m: 100, r: 1, t0: 2014 }, 2014) // 100 / e = 36.79
 */
export const gompertz: GrowthModel = {
  name: 'gompertz',
  paramNames: ['m', 'r', 't0'],
  formula: 'N(t) = m exp(-exp(-r (t - t0)))',
  cumulative(p, t) {
    return p.m! * Math.exp(-Math.exp(-p.r! * (t - p.t0!)));
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
        [Math.log(0.3), Math.log(0.7), Math.log(1.5)],
        [lastEnd - 1, lastEnd + 1, lastEnd + 4],
      ]),
      min: [lnM, Math.log(0.01), firstStart - 5],
      max: [Math.log(MAX_MARKET_POTENTIAL), Math.log(20), lastEnd + 50],
    };
  },
};
