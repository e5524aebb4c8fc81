/**
 * The demand an optimized placement is designed for: the p50 or p90 of each country's hourly demand, or the
 * least-regret quantile, the same basis as the plan's least-regret sizing. Least-regret sizing buys the
 * shortage / (shortage + surplus) quantile of the need (the newsvendor fractile, models/capacity/regret.ts); the
 * traffic keeps each figure's p50 and p90, so the fractile is read off the lognormal through them, the form every
 * band of the traffic model has (a product of lognormal factors).
 */
import { probit } from 'simple-statistics';
import { Z90 } from '../../normal-quantile.ts';

/** How intents name the demand to design for. */
export type DesignDemand = 'p50' | 'p90' | 'least-regret';

/**
 * The quantile of demand a placement is designed for.
 * @param demand the intents' `demand`
 * @param regret the planner's regret weights (data/planner.json `regret`)
 * @returns a probability in (0, 1): 0.5, 0.9, or shortage / (shortage + surplus)
 * @example designQuantile('least-regret', { shortage: 5, surplus: 1 }) // 0.8333
 */
export function designQuantile(demand: DesignDemand, regret: { shortage: number; surplus: number }): number {
  if (demand === 'p50') return 0.5;
  if (demand === 'p90') return 0.9;
  return regret.shortage / (regret.shortage + regret.surplus);
}

/**
 * A figure's value at a quantile, from its p50 and p90: the lognormal through both (linear in z where the p50 is 0).
 * @param band the figure's p50 and p90 (p90 >= p50 >= 0)
 * @param q the quantile, in (0, 1)
 * @returns the value; exactly p50 at 0.5 and p90 at 0.9
 * @example atQuantile({ p50: 100, p90: 200 }, 0.9) // 200
 */
export function atQuantile(band: { p50: number; p90: number }, q: number): number {
  if (q === 0.5) return band.p50;
  if (q === 0.9) return band.p90;
  const k = probit(q) / Z90;
  if (band.p50 > 0 && band.p90 >= band.p50) return band.p50 * (band.p90 / band.p50) ** k;
  return Math.max(0, band.p50 + (band.p90 - band.p50) * k);
}
