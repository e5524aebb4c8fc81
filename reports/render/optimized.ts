/**
 * The optimized-placement part of the report's view model, from plan.json's `optimized` section: per quarter the
 * greedy and the optimized placement side by side (monthly cost, reserve nodes, countries within their latency
 * budget, losses survived, the solver's status, gap and time), the routing table of every scenario (normal and each
 * DC loss) for the last quarter, and each what-if (which sites open and when, what they save or buy). Pure; the same
 * words in the HTML and Markdown reports.
 */
import type { OptimizedPlacement, OptimizedQuarter } from '../../models/capacity/optimize/result.ts';
import type { Plan } from '../../models/types.ts';

/** One quarter compared. */
export interface OptimizedRow {
  quarter: string;
  greedyCost: number;
  optimizedCost: number;
  saving: number;
  greedyReserve: number;
  optimizedReserve: number;
  /** Countries within budget (normal operation), greedy and optimized, of `countries`. */
  greedyWithin: number;
  optimizedWithin: number;
  countries: number;
  lossesSurvived: string;
  solver: string;
}

/** The routing of one scenario: per country, where the optimized and the greedy placement serve it. */
export interface ScenarioRouting {
  scenario: string;
  rows: { country: string; optimized: string; greedy: string }[];
}

/** One what-if, per quarter. */
export interface WhatIfView {
  sites: string;
  firstOpened: string;
  rows: { quarter: string; opened: string; delta: number; penaltyDelta: number; reserve: number; within: string; lossesSurvived: string; rtt: string }[];
}

/** The section. */
export interface OptimizedSection {
  currency: string;
  intents: string;
  solver: string;
  demand: string;
  /** What the costs count: `nodes`, or `nodes, stored data and egress` with a resource plan. */
  costs: string;
  rows: OptimizedRow[];
  routingQuarter: string;
  routing: ScenarioRouting[];
  whatIf: WhatIfView[];
}

/** `singapore` for a whole country, `singapore 60%, us-west-1 40%` for a split, `stranded` for none. */
function where(shares: Readonly<Record<string, number>> | undefined): string {
  if (!shares || Object.keys(shares).length === 0) return 'stranded';
  const parts = Object.entries(shares).sort(([, a], [, b]) => b - a);
  return parts.length === 1 ? parts[0]![0] : parts.map(([d, v]) => `${d} ${Math.round(v * 100)}%`).join(', ');
}

function countriesOf(q: Pick<OptimizedQuarter, 'routing' | 'stranded'>): number {
  return Object.keys(q.routing.normal ?? {}).length + (q.stranded.normal?.length ?? 0);
}

/**
 * The section, or null when the plan has no optimized placement.
 * @param plan plan.json
 * @returns the section
 */
export function optimizedOf(plan: Plan): OptimizedSection | null {
  const o: OptimizedPlacement | undefined = plan.optimized;
  if (!o || o.quarters.length === 0) return null;
  const rows = o.quarters.map((q): OptimizedRow => ({
    // With a resource plan the MIP also pays each country's stored data and egress where it is served: so do the costs.
    quarter: q.quarter, greedyCost: q.greedy.costPerMonth + (q.greedy.dataCostPerMonth ?? 0), optimizedCost: q.costPerMonth + (q.dataCostPerMonth ?? 0), saving: q.savingPerMonth,
    greedyReserve: q.greedy.reserveNodes, optimizedReserve: q.reserveNodes, greedyWithin: q.greedy.withinBudget, optimizedWithin: q.withinBudget,
    countries: countriesOf(q), lossesSurvived: `${q.lossesSurvived.survived} of ${q.lossesSurvived.of}`,
    solver: `${q.status}, gap ${q.gap === 0 ? '0' : q.gap.toExponential(1)}, ${q.seconds.toFixed(2)} s`,
  }));
  const last = o.quarters[o.quarters.length - 1]!;
  const routing = Object.keys(last.routing).map((scenario): ScenarioRouting => {
    const codes = [...new Set([...Object.keys(last.routing[scenario] ?? {}), ...(last.stranded[scenario] ?? [])])];
    return { scenario, rows: codes.map((country) => ({ country, optimized: where(last.routing[scenario]?.[country]), greedy: where(last.greedy.routing[scenario]?.[country]) })) };
  });
  const whatIf = (o.whatIf ?? []).map((w): WhatIfView => ({
    sites: w.sites.join(' + '),
    firstOpened: w.sites.map((s) => `${s}: ${w.firstOpened[s] ?? 'never'}`).join(', '),
    rows: w.quarters.map((q, i) => {
      const base = o.quarters[i];
      const changed = Object.entries(q.p95RttMs).filter(([c, v]) => base?.p95RttMs[c] !== undefined && base.p95RttMs[c] !== v)
        .map(([c, v]) => `${c} ${base!.p95RttMs[c]} → ${v} ms`);
      return {
        quarter: q.quarter, opened: q.opened.length > 0 ? q.opened.join(', ') : 'none', delta: q.deltaPerMonth, penaltyDelta: q.penaltyDelta,
        reserve: q.reserveNodes, within: `${q.withinBudget} of ${countriesOf(q)}`,
        lossesSurvived: `${q.lossesSurvived.survived} of ${q.lossesSurvived.of}`, rtt: changed.length > 0 ? changed.join('; ') : 'unchanged',
      };
    }),
  }));
  const costs = o.quarters.some((q) => q.dataCostPerMonth !== undefined) ? 'nodes, stored data and egress' : 'nodes';
  return { currency: plan.currency, intents: o.intents, solver: o.solver, costs, demand: o.demand === 'least-regret' ? `least-regret (p${Math.round((o.demandQuantile ?? 0) * 100)}, the basis of the plan's least-regret sizing)` : o.demand, rows, routingQuarter: last.quarter, routing, whatIf };
}

/**
 * One sentence on what the optimizer found.
 * @param s the section
 * @returns e.g. `Optimized under data/intents.json (HiGHS): 2015Q1 → 2017Q4 saves USD 391 → 2,278 a month ...`
 */
export function optimizedSummary(s: OptimizedSection): string {
  const first = s.rows[0]!;
  const last = s.rows[s.rows.length - 1]!;
  const fmt = (v: number): string => Math.round(v).toLocaleString('en-US');
  return `Optimized under ${s.intents} (${s.solver}, ${s.demand} demand, every DC checked hour by hour in normal operation and after each DC loss): ` +
    `against the greedy placement on the same terms it saves ${s.currency} ${fmt(first.saving)} a month in ${first.quarter} and ${fmt(last.saving)} in ${last.quarter} (${s.costs}), ` +
    `with ${first.optimizedReserve} instead of ${first.greedyReserve} reserve nodes in ${first.quarter}; losses survived ${last.lossesSurvived}.`;
}
