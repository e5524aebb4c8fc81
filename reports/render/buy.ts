/**
 * The report's plan to buy: the optimized placement (plan.json `optimized.buy`) per site and quarter, the nodes to
 * have, to order and by when, the cost, what binds the count, and how sure the plan is (the demand quantile it was
 * designed for), with the greedy placement on the same basis beside it. Pure.
 */
import type { Plan } from '../../models/types.ts';

/** One site in one quarter of the plan to buy. */
export interface BuyRow {
  quarter: string;
  site: string;
  have: number;
  order: number;
  orderBy: string | null;
  costPerMonth: number;
  /** What binds, in words (e.g. `demand + N+2`, `loss of singapore`). */
  binds: string;
  /** The greedy placement's nodes at the site on the same basis. */
  greedy: number;
}

/** The plan to buy. */
export interface BuySection {
  currency: string;
  /** The demand quantile the placement was designed for, and in words. */
  quantile: number | null;
  basis: string;
  rows: BuyRow[];
  /** Per quarter: the optimized and the greedy monthly cost. */
  totals: { quarter: string; optimized: number; greedy: number }[];
}

/**
 * The plan to buy of a plan, when its optimized placement records one.
 * @param plan plan.json
 * @returns the section, or null without an optimized placement or one written before the plan to buy was recorded
 */
export function buyOf(plan: Plan): BuySection | null {
  const o = plan.optimized;
  if (!o?.buy) return null;
  const spares = o.quarters[0]?.bindings ? plan.settings.redundancy : 0;
  const words = (b: { binds: string; lostSite?: string }): string => (b.binds === 'demand' ? `demand + N+${spares}`
    : b.binds === 'N+k' ? `N+${spares} spares` : b.binds === 'site loss' ? `loss of ${b.lostSite ?? 'a site'}` : 'site limit');
  const rows = o.buy.flatMap((q) => {
    const greedy = o.quarters.find((x) => x.quarter === q.quarter)?.greedy.nodes ?? {};
    return Object.entries(q.sites).map(([site, s]): BuyRow => ({
      quarter: q.quarter, site, have: s.have, order: s.order, orderBy: s.orderBy, costPerMonth: s.costPerMonth, binds: words(s), greedy: greedy[site] ?? 0,
    }));
  });
  const quantile = o.demandQuantile ?? (o.demand === 'p50' ? 0.5 : o.demand === 'p90' ? 0.9 : null);
  const basis = quantile === null ? `${o.demand} demand`
    : `each country's busiest hour at its ${Math.round(quantile * 100)}th percentile${o.demand === 'least-regret' ? ' (the least-regret quantile of the plan\'s sizing)' : ''}: about ${Math.round(quantile * 100)}% of outcomes fit in normal operation, with N+${plan.settings.redundancy} spares and the losses the intents survive on top`;
  return {
    currency: plan.currency, quantile, basis, rows,
    totals: o.quarters.map((q) => ({ quarter: q.quarter, optimized: q.costPerMonth, greedy: q.greedy.costPerMonth })),
  };
}
