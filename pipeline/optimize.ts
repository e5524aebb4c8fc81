/**
 * The optimize stage (`plan --optimize`): the least-cost placement per quarter under the intents, solved as a MIP by
 * HiGHS, next to the greedy placement on the same terms, and with candidate sites the what-ifs (each site alone, then
 * all together). Each country's design day (requests/s per UTC hour, p50 or p90 as the intents say, its flash sale
 * included) comes from the traffic model run with every country on its own, so a DC's load can be summed hour by hour
 * whatever serves it; per-node capacity and prices are the plan's. An intent set no plan meets is reported with the
 * intents that conflict. Values in, values out: the intents and candidates documents are handed in parsed, and the
 * solver is handed in (cli/highs.ts loads it).
 */
import type { Highs } from 'highs';
import type { PlannerSettings } from '../models/capacity/settings.ts';
import { buildPlacementProblem } from '../models/capacity/optimize/build-problem.ts';
import { parseCandidates, rttWithSites } from '../models/capacity/optimize/candidates.ts';
import { placementFigures } from '../models/capacity/optimize/figures.ts';
import { greedyPlacement } from '../models/capacity/optimize/greedy.ts';
import { parseIntents } from '../models/capacity/optimize/intents.ts';
import type { PlacementProblem } from '../models/capacity/optimize/problem.ts';
import type { OptimizedPlacement, OptimizedQuarter, WhatIf } from '../models/capacity/optimize/result.ts';
import { type PlacementSolution, solvePlacement } from '../models/capacity/optimize/solve.ts';
import { type Problem, ValidationError } from '../models/errors.ts';
import type { Regions } from '../models/growth/settings.ts';
import type { Routing } from '../models/routing/route.ts';
import { rttBand } from '../models/routing/rtt.ts';
import type { Residency, Rtt } from '../models/routing/settings.ts';
import type { ServiceDemands } from '../models/traffic/service-demand.ts';
import type { LoadShape } from '../models/traffic/settings.ts';
import { buildTraffic } from '../models/traffic/traffic.ts';
import { buyPlan, siteBindings } from '../models/capacity/optimize/buy.ts';
import { atQuantile, designQuantile } from '../models/capacity/optimize/design-demand.ts';
import type { Plan } from '../models/types.ts';
import type { DemandBase } from '../models/world/demand-base.ts';
import type { NamedDocument } from './document.ts';

/** What the optimize stage reads besides the plan. */
export interface OptimizeData {
  /** the world's countries (data/world.json). */
  regions: Regions;
  /** data/planner.json (redundancy, target utilization). */
  planner: PlannerSettings;
  /** the world's RTT tables and the world's residency rules. */
  rtt: Rtt;
  residency: Residency;
  /** data/load-shape.json. */
  loadShape: LoadShape;
  /** The world's sites: their limits and order lead times (absent: none stated). */
  world?: { readonly sites: Readonly<Record<string, { maxNodes?: number; leadTimeDays?: number }>> };
}

/** The optimize stage's own inputs. */
export interface OptimizeRequest {
  /** The greedy plan: its DCs, per-node capacity, prices and quarters. */
  plan: Plan;
  /** The demand base (a forecast, or a world's driver) the plan's traffic came from. */
  forecast: DemandBase;
  /** The demand per service the plan's traffic was computed with. */
  services: ServiceDemands;
  /** A `caplab.intents/v1` document. */
  intents: NamedDocument;
  /** A `caplab.candidates/v1` document of what-if sites. */
  candidates?: NamedDocument;
}

/**
 * Checks an intents and a candidates document against a placement's DCs, before any work that needs them (a campaign
 * checks them with its other inputs).
 * @param intents the intents document (absent: not checked, e.g. its file could not be read)
 * @param candidates the candidates document, if any
 * @param dcs the placement's DCs
 * @param data regions and planner settings
 * @returns every problem found (empty when both are valid)
 */
export function optimizeInputProblems(intents: NamedDocument | undefined, candidates: NamedDocument | undefined, dcs: readonly string[], data: Pick<OptimizeData, 'regions' | 'planner'>): Problem[] {
  const problems: Problem[] = [];
  const checks: (() => unknown)[] = [
    ...(intents === undefined ? [] : [() => parseIntents(intents.doc, intents.source, { dcs, countries: data.regions.countries, planner: data.planner })]),
    ...(candidates === undefined ? [] : [() => parseCandidates(candidates.doc, candidates.source, dcs)]),
  ];
  for (const check of checks) {
    try {
      check();
    } catch (err) {
      if (err instanceof ValidationError) problems.push(...err.problems);
      else throw err;
    }
  }
  return problems;
}

/** The placement problem of each quarter of a plan, and where its intents came from. */
export interface QuarterProblems {
  source: string;
  demand: 'p50' | 'p90' | 'least-regret';
  /** The quantile of demand it stands for. */
  quantile: number;
  quarters: { quarter: string; problem: PlacementProblem }[];
  /** With candidates: the problems of each what-if (each site alone, then all together). */
  whatIf: { sites: string[]; quarters: { quarter: string; problem: PlacementProblem }[] }[];
  /** RTT table, the candidates' rows included. */
  rtt: Rtt;
}

/**
 * The placement problem of every quarter of a plan.
 * @param req the plan, forecast, demand, intents and candidates
 * @param data regions, planner settings, RTT, residency, load shape
 * @returns one problem per quarter (and per what-if and quarter)
 * @throws {ValidationError} on invalid intents or candidates
 */
export function placementProblems(req: OptimizeRequest, data: OptimizeData): QuarterProblems {
  const { plan, forecast } = req;
  const { regions, planner, residency } = data;
  const dcs = Object.keys(plan.dcs);
  const source = req.intents.source;
  const intents = parseIntents(req.intents.doc, source, { dcs, countries: regions.countries, planner });
  const quarters = plan.dcs[dcs[0]!]!.quarters.map((q) => q.quarter);
  const codes = regions.countries.map((c) => c.code);
  // Every country as its own "DC": the traffic model then gives each one's design day on its own.
  const alone: Routing = {
    placement: 'each-country-alone', dcs: codes, violations: [],
    countries: codes.map((c) => ({ country: c, dc: c, rttMs: { p50: 0, p95: 0 }, rule: '-', allowed: true, reason: 'assigned' as const })),
  };
  const t = buildTraffic({ forecast, countries: regions.countries, routing: alone, services: req.services, shape: data.loadShape, quarters });
  const band = intents.demand;
  const quantile = designQuantile(band, planner.regret);
  const at = (b: { p50: number; p90: number }): number => atQuantile(b, quantile);
  const candidates = req.candidates === undefined ? undefined : parseCandidates(req.candidates.doc, req.candidates.source, dcs);
  const sites = (candidates?.sites ?? []).map((c) => ({
    name: c.name, residencyAs: c.residencyAs, pricePerNodeMonth: c.pricePerNodeMonth,
    perNodeRps: plan.dcs[c.capacityAs ?? c.residencyAs]!.capacity.perNodeRps, ...(c.maxNodes !== undefined ? { maxNodes: c.maxNodes } : {}),
  }));
  const allRtt = rttWithSites(data.rtt, candidates?.sites ?? []);
  const sets = sites.length === 0 ? [] : [...sites.map((x) => [x]), ...(sites.length > 1 ? [sites] : [])];
  const out: QuarterProblems['quarters'] = [];
  const whatIf: QuarterProblems['whatIf'] = sets.map((set) => ({ sites: set.map((x) => x.name), quarters: [] }));
  for (const quarter of quarters) {
    const countries = regions.countries.map((c) => {
      const q = t.dcs[c.code]!.find((x) => x.quarter === quarter)!;
      const hourly = q.diurnalUtc.map((w) => at(q.total.meanRps) * w * t.shape.weeklyPeakFactor);
      // The design day includes the country's flash sale: its busiest hour raised to the sale's peak.
      const top = hourly.indexOf(Math.max(...hourly));
      const sale = q.countries[c.code] ? at(q.countries[c.code]!.flashSaleRps) : 0;
      if (top >= 0 && sale > hourly[top]!) hourly[top] = sale;
      return { code: c.code, region: c.region, hourlyRps: hourly };
    });
    const dataCost = countryDataCosts(plan, quarter, countries, quantile, sites);
    const base = {
      dcs: dcs.map((d) => {
        const limit = data.world?.sites[d]?.maxNodes;
        return { name: d, perNodeRps: plan.dcs[d]!.capacity.perNodeRps, pricePerNodeMonth: plan.dcs[d]!.pricePerNodeMonth, ...(limit !== undefined ? { maxNodes: limit } : {}) };
      }),
      countries: countries.map((c) => (dataCost[c.code] ? { ...c, dataCostPerMonth: dataCost[c.code]! } : c)), rtt: allRtt, residency, intents, planner: { redundancy: planner.redundancy, targetUtilization: planner.targetUtilization },
    };
    out.push({ quarter, problem: buildPlacementProblem(base) });
    sets.forEach((set, i) => whatIf[i]!.quarters.push({ quarter, problem: buildPlacementProblem({ ...base, sites: set }) }));
  }
  return { source, demand: band, quantile, quarters: out, whatIf, rtt: allRtt };
}

/**
 * Optimizes the placement of every quarter of a plan.
 * @param req the plan, forecast, demand, intents and candidates
 * @param data regions, planner settings, RTT, residency, load shape
 * @param highs the HiGHS solver
 * @returns plan.json's `optimized` section
 * @throws {ValidationError} on invalid intents, or listing the conflicting intents of a quarter no plan meets
 */
export function optimizeStage(req: OptimizeRequest, data: OptimizeData, highs: Highs): OptimizedPlacement {
  const { source, demand, quantile, quarters, whatIf, rtt } = placementProblems(req, data);
  const solve = (quarter: string, problem: PlacementProblem, label: string): PlacementSolution & Pick<OptimizedQuarter, 'p95RttMs' | 'lossesSurvived' | 'reserveNodes' | 'withinBudget'> => {
    const solved = solvePlacement(problem, highs);
    if (solved.status === 'infeasible') {
      throw new ValidationError(`${source}: no placement meets every intent in ${quarter}${label}`, (solved as { conflicts: { row: string; intent: string }[] }).conflicts.map((c) => ({ where: `${source}: ${quarter} (${c.row})`, message: c.intent })));
    }
    const s = solved as PlacementSolution;
    const p95RttMs = Object.fromEntries(Object.entries(s.routing.normal ?? {}).map(([c, shares]) => [c, Math.max(...Object.keys(shares).map((d) => rttBand(rtt, d, c).p95))]));
    const losses = Object.keys(s.stranded).filter((k) => k !== 'normal');
    return { ...s, p95RttMs, lossesSurvived: { survived: losses.filter((k) => s.stranded[k]!.length === 0).length, of: losses.length }, ...placementFigures(problem, s) };
  };
  const out: OptimizedQuarter[] = quarters.map(({ quarter, problem }) => {
    const s = solve(quarter, problem, '');
    const g = greedyPlacement(problem);
    return {
      quarter, ...s, bindings: siteBindings(problem, s),
      savingPerMonth: round2(g.costPerMonth + (g.dataCostPerMonth ?? 0) - s.costPerMonth - (s.dataCostPerMonth ?? 0)),
      greedy: { nodes: g.nodes, costPerMonth: g.costPerMonth, ...(g.dataCostPerMonth !== undefined ? { dataCostPerMonth: g.dataCostPerMonth } : {}), latencyPenalty: g.latencyPenalty, routing: g.routing, stranded: g.stranded, ...placementFigures(problem, g) },
    };
  });
  const whatIfs: WhatIf[] = whatIf.map((w) => {
    const qs = w.quarters.map(({ quarter, problem }, i) => {
      const s = solve(quarter, problem, ` with ${w.sites.join(' and ')}`);
      return {
        quarter, status: s.status, gap: s.gap, seconds: s.seconds, opened: s.opened, nodes: s.nodes, costPerMonth: s.costPerMonth,
        ...(s.dataCostPerMonth !== undefined ? { dataCostPerMonth: s.dataCostPerMonth } : {}),
        latencyPenalty: s.latencyPenalty, p95RttMs: s.p95RttMs, lossesSurvived: s.lossesSurvived, reserveNodes: s.reserveNodes, withinBudget: s.withinBudget, routing: s.routing, stranded: s.stranded, beyondBudget: s.beyondBudget,
        deltaPerMonth: round2(s.costPerMonth + (s.dataCostPerMonth ?? 0) - out[i]!.costPerMonth - (out[i]!.dataCostPerMonth ?? 0)), penaltyDelta: round2(s.latencyPenalty - out[i]!.latencyPenalty),
      };
    });
    return { sites: w.sites, quarters: qs, firstOpened: Object.fromEntries(w.sites.map((site) => [site, qs.find((q) => q.opened.includes(site))?.quarter ?? null])) };
  });
  const sites = Object.fromEntries(Object.entries(req.plan.dcs).map(([d, x]) => {
    const lead = data.world?.sites[d]?.leadTimeDays;
    return [d, { pricePerNodeMonth: x.pricePerNodeMonth, ...(lead !== undefined ? { leadTimeDays: lead } : {}) }];
  }));
  const buy = buyPlan(out.map((q) => ({ quarter: q.quarter, nodes: q.nodes, bindings: q.bindings ?? {} })), req.plan.fleet.nodes, sites);
  return { intents: source, solver: 'HiGHS (npm highs, WebAssembly)', buy, demand, ...(demand === 'least-regret' ? { demandQuantile: quantile } : {}), quarters: out, ...(whatIfs.length > 0 ? { whatIf: whatIfs } : {}) };
}

/**
 * Each country's monthly data cost at each DC, from the plan's resource plan: the quarter's raw TB per req/s of design
 * peak and egress TB per req/s of mean demand over all sites (every country uses the same services), priced at each
 * site's cheapest storage per raw TB and its egress price; a what-if site at the prices of the site it takes its
 * residency from. Empty without a resource plan.
 */
function countryDataCosts(plan: Plan, quarter: string, countries: readonly { code: string; hourlyRps: readonly number[] }[], quantile: number, sites: readonly { name: string; residencyAs: string }[]): Record<string, Record<string, number>> {
  const r = plan.resources;
  if (!r) return {};
  let raw = 0;
  let peak = 0;
  let egress = 0;
  let mean = 0;
  const price: Record<string, { perRawTB: number; perEgressTB: number }> = {};
  for (const [dc, site] of Object.entries(r.sites)) {
    const q = site.quarters.find((x) => x.quarter === quarter);
    const t = plan.dcs[dc]?.quarters.find((x) => x.quarter === quarter);
    if (!q || !t) continue;
    raw += atQuantile(q.rawTB, quantile);
    peak += atQuantile(t.demandRps, quantile);
    egress += q.egress.tbPerMonth.p50;
    price[dc] = { perRawTB: site.storagePerRawTBMonth ?? 0, perEgressTB: site.egressPerGB * 1000 };
  }
  for (const s of sites) if (price[s.residencyAs]) price[s.name] = price[s.residencyAs]!;
  for (const c of countries) mean += c.hourlyRps.reduce((a, b) => a + b, 0) / 24;
  if (!(peak > 0) || !(mean > 0)) return {};
  return Object.fromEntries(countries.map((c) => {
    const rawTB = Math.max(0, ...c.hourlyRps) * raw / peak;
    const egressTB = (c.hourlyRps.reduce((a, b) => a + b, 0) / 24) * egress / mean;
    return [c.code, Object.fromEntries(Object.entries(price).map(([d, p]) => [d, rawTB * p.perRawTB + egressTB * p.perEgressTB]))];
  }));
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
