import { type GrowthModel, grid, MAX_MARKET_POTENTIAL } from './model.ts';

/**
 * Builds the Bass (1969) diffusion model of cumulative shipments for a given launch instant:
 * N(t) = m (1 - e^{-(p+q) s}) / (1 + (q/p) e^{-(p+q) s}), s = t - launch (N = 0 before launch).
 * m: market potential (phones), p: coefficient of innovation (1/year), q: coefficient of imitation (1/year).
 * Internal parameters: [ln m, ln p, ln q]. Source: F. M. Bass, "A New Product Growth for Model Consumer Durables",
 * Management Science 15(5), 1969, eq. (7).
 * @param launch decimal year at which cumulative shipments start from 0
 * @returns the model
 * @example bassModel(2011).cumulative({ m: 100, p: 0.03, q: 0.38 }, 2012) // 3.5758
 */
export function bassModel(launch: number): GrowthModel {
  return {
    name: 'bass',
    paramNames: ['m', 'p', 'q'],
    formula: `N(t) = m (1 - exp(-(p+q)(t-${launch}))) / (1 + (q/p) exp(-(p+q)(t-${launch})))`,
    cumulative(par, t) {
      const s = t - launch;
      if (s <= 0) return 0;
      const p = par.p!;
      const q = par.q!;
      const e = Math.exp(-(p + q) * s);
      return (par.m! * (1 - e)) / (1 + (q / p) * e);
    },
    fromInternal(theta) {
      return { m: Math.exp(theta[0]!), p: Math.exp(theta[1]!), q: Math.exp(theta[2]!) };
    },
    toInternal(par) {
      return [Math.log(par.m!), Math.log(par.p!), Math.log(par.q!)];
    },
    searchSpace({ observedTotal }) {
      const lnM = Math.log(observedTotal);
      return {
        starts: grid([
          [lnM + Math.log(3), lnM + Math.log(10), lnM + Math.log(40)],
          [Math.log(0.001), Math.log(0.01), Math.log(0.05)],
          [Math.log(0.4), Math.log(1), Math.log(2)],
        ]),
        min: [lnM, Math.log(1e-7), Math.log(1e-3)],
        max: [Math.log(MAX_MARKET_POTENTIAL), Math.log(1), Math.log(10)],
      };
    },
  };
}
