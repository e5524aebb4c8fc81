/**
 * One quarter's placement problem, as data: the DCs (per-node capacity, price), the countries (demand per UTC hour
 * of the design day, the DCs residency allows, RTT to each DC, latency budget) and the intents (spare nodes per DC,
 * maximum utilization, which DC losses to survive, the penalty for traffic served beyond its latency budget, an
 * optional cost cap). The scenarios it is solved for: normal operation, then the loss of each DC to survive.
 */

/** A data center that can hold nodes. */
export interface PlacementDc {
  /** DC name. */
  name: string;
  /** Requests/s one node serves at 100% utilization (the plan's per-node capacity). */
  perNodeRps: number;
  /** Price of one node for a month, in the plan's currency. */
  pricePerNodeMonth: number;
  /** Most nodes the site can hold (absent: no limit). */
  maxNodes?: number;
  /** A what-if site: the solver decides whether to open it (closed, it holds no nodes and serves nothing). */
  candidate?: boolean;
}

/** A country's demand and what may serve it. */
export interface PlacementCountry {
  /** ISO country code. */
  code: string;
  /** Requests/s in each UTC hour of the design day (24 values; the design peak is their maximum). */
  hourlyRps: readonly number[];
  /** DCs its residency rule allows. */
  allowedDcs: readonly string[];
  /** Modeled RTT to each DC, ms. */
  rttMs: Readonly<Record<string, number>>;
  /** Latency budget (RTT), ms. */
  budgetMs: number;
  /**
   * Monthly cost of the country's stored data (raw, all its replicas kept in the serving DC, so residency holds for
   * them too) and of its egress, were all of it served by each DC (absent: not planned; the resource plan gives it).
   */
  dataCostPerMonth?: Readonly<Record<string, number>>;
}

/**
 * The data cost of a placement in normal operation: each country's stored data and egress at the DCs serving it,
 * in proportion to its shares.
 * @param p the problem
 * @param normal each country's shares per DC in normal operation
 * @returns the monthly cost, or undefined when the problem carries no data costs
 */
export function dataCostOf(p: PlacementProblem, normal: Readonly<Record<string, Readonly<Record<string, number>>>> | undefined): number | undefined {
  if (!p.countries.some((c) => c.dataCostPerMonth)) return undefined;
  let total = 0;
  for (const c of p.countries) {
    for (const [d, share] of Object.entries(normal?.[c.code] ?? {})) total += share * (c.dataCostPerMonth?.[d] ?? 0);
  }
  return Math.round(total * 100) / 100;
}

/** The intents a plan must meet. */
export interface PlacementIntents {
  /** Spare nodes per DC in normal operation (N+2: 2). */
  spares: number;
  /** Highest planned utilization of a node at the design peak, (0, 1]. */
  maxUtilization: number;
  /** DCs whose loss the plan survives (their traffic moved to other allowed DCs, spares used). */
  survive: readonly string[];
  /** Cost charged per request/s of peak demand served beyond its latency budget, per scenario (price units). */
  latencyPenaltyPerRps: number;
  /** Highest monthly cost of the plan (absent: no cap). */
  costCapPerMonth?: number;
}

/** One quarter's problem. */
export interface PlacementProblem {
  dcs: readonly PlacementDc[];
  countries: readonly PlacementCountry[];
  intents: PlacementIntents;
}

/** A scenario the plan is checked in: normal operation, or one DC lost. */
export interface PlacementScenario {
  /** `normal` or `loss:<dc>`. */
  name: string;
  /** The lost DC (absent in normal operation). */
  lost?: string;
}

/**
 * The scenarios of a problem: normal operation first, then each loss to survive, in the intents' order.
 * @param p the problem
 * @returns scenarios
 */
export function scenariosOf(p: PlacementProblem): PlacementScenario[] {
  return [{ name: 'normal' }, ...p.intents.survive.map((dc) => ({ name: `loss:${dc}`, lost: dc }))];
}

/** Where a country may be served in a scenario. */
export interface CountryOptions {
  /** Allowed DCs still up; empty: the country is stranded (residency leaves it nowhere). */
  live: string[];
  /** The live DCs within its latency budget; when there are any, only these may serve it. */
  within: string[];
}

/**
 * Where a country may be served in a scenario: residency and the loss decide which DCs are live; if any of them is
 * within the latency budget, only those (the budget is a hard intent where it can be met), else any live one at the
 * penalty.
 * @param c the country
 * @param s the scenario
 * @param dcs DC names of the problem
 * @returns live and within-budget DCs, in the problem's DC order
 */
export function countryOptions(c: PlacementCountry, s: PlacementScenario, dcs: readonly string[]): CountryOptions {
  const live = dcs.filter((d) => d !== s.lost && c.allowedDcs.includes(d) && c.rttMs[d] !== undefined);
  const within = live.filter((d) => c.rttMs[d]! <= c.budgetMs);
  return { live, within };
}

/**
 * The DCs that may serve a country in a scenario: within budget when a DC in service is (what-if sites within budget
 * too), else every live one. Whether the budget is hard depends on the DCs in service only, so that offering a
 * what-if site never forces it open for latency: opening it stays the optimizer's choice.
 * @param c the country
 * @param s the scenario
 * @param dcs DC names
 * @param sites names of the what-if sites among them
 * @returns DC names
 */
export function servingDcs(c: PlacementCountry, s: PlacementScenario, dcs: readonly string[], sites: ReadonlySet<string> = new Set()): string[] {
  const o = countryOptions(c, s, dcs);
  return o.within.some((d) => !sites.has(d)) ? o.within : o.live;
}

/** A country's design peak: the busiest hour of its day, requests/s. */
export function peakRps(c: PlacementCountry): number {
  return Math.max(0, ...c.hourlyRps);
}
