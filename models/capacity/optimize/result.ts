/**
 * plan.json's `optimized` section (`caplab plan --optimize`): per quarter the placement the MIP chose, the greedy
 * placement on the same terms, and the what-if sites' placements. The one definition of its shape: the CLI builds it,
 * the report reads it.
 */
import type { SiteBinding, SiteBuy } from './buy.ts';
import type { PlacementSolution } from './solve.ts';

/** One quarter of plan.json's `optimized` section. */
export interface OptimizedQuarter extends PlacementSolution {
  quarter: string;
  /** Each country's p95 RTT in normal operation (its farthest serving DC), ms. */
  p95RttMs: Record<string, number>;
  /** Loss scenarios in which no country is stranded, of all the scenarios solved. */
  lossesSurvived: { survived: number; of: number };
  /** Nodes beyond what normal operation needs at the utilization cap (spares and failover reserve), all DCs. */
  reserveNodes: number;
  /** Countries served within their latency budget in normal operation. */
  withinBudget: number;
  /** The greedy placement on the same terms: nodes, cost, latency penalty, reserve, countries within budget, routing. */
  greedy: Pick<PlacementSolution, 'nodes' | 'costPerMonth' | 'dataCostPerMonth' | 'latencyPenalty' | 'routing' | 'stranded'> & { reserveNodes: number; withinBudget: number };
  /** Greedy cost minus optimized cost, per month (nodes, and stored data and egress when priced). */
  savingPerMonth: number;
  /** What binds each site's node count (absent in files written before it was recorded). */
  bindings?: Record<string, SiteBinding>;
}

/** A what-if: the optimized placement when these sites may be opened. */
export interface WhatIf {
  /** The sites offered. */
  sites: string[];
  quarters: (Pick<OptimizedQuarter, 'quarter' | 'status' | 'gap' | 'seconds' | 'opened' | 'nodes' | 'costPerMonth' | 'dataCostPerMonth' | 'latencyPenalty' | 'p95RttMs' | 'lossesSurvived' | 'reserveNodes' | 'withinBudget' | 'routing' | 'stranded' | 'beyondBudget'> & {
    /** Cost (nodes, and stored data and egress when priced) minus the optimized placement's without the sites, per month (negative: the sites save). */
    deltaPerMonth: number;
    /** Latency penalty minus that placement's (negative: the sites bring traffic within its budget). */
    penaltyDelta: number;
  })[];
  /** The first quarter each offered site is opened in, or null when never. */
  firstOpened: Record<string, string | null>;
}

/** plan.json's `optimized` section. */
export interface OptimizedPlacement {
  /** Where the intents came from. */
  intents: string;
  /** The solver. */
  solver: string;
  /** Demand band planned for. */
  demand: 'p50' | 'p90' | 'least-regret';
  /** The quantile of each country's demand the placement was designed for (0.5, 0.9, or the least-regret fractile). */
  demandQuantile?: number;
  quarters: OptimizedQuarter[];
  /**
   * The plan to buy: per quarter and site, the nodes to have, to order and by when, the cost and what binds (absent in
   * files written before it was recorded).
   */
  buy?: { quarter: string; sites: Record<string, SiteBuy> }[];
  /** What-if sites (`--candidates`): each alone, then all together. */
  whatIf?: WhatIf[];
}
