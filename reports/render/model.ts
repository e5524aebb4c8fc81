/**
 * The report's view model: one pure function assembling, from whatever campaign files exist (forecast, traffic, plan,
 * per-DC summaries and NDJSON series, budget results), every table and chart series the HTML, Markdown and JUnit
 * renderers show. A section whose inputs are absent is null and `missing` says why, so renderers say so instead of
 * breaking. Plain JSON data only: the HTML embeds it as is.
 */
import { fleetCheckText } from './fleet-check-text.ts';
import { optimizedOf } from './optimized.ts';
import { fitUsl, uslSummary, uslThroughput } from '../../models/capacity/usl.ts';
import type { Forecast, Plan, Traffic } from '../../models/types.ts';
import type { RoutingComparison } from '../../models/routing/compare.ts';
import { assumptionsOf } from './assumptions.ts';
import { backtestChartModel } from './backtest-text.ts';
import { demandSourcesOf } from './demand-sources.ts';
import { measuredFor, parseThresholdExpr } from './junit.ts';
import { buyOf } from './buy.ts';
import { moveOf } from './move.ts';
import { resourcesOf } from './resources.ts';
import type {
  DcResults, DemandSection, ForecastSection, LoadSection, PlacementSection, QuarterNodes, RecommendationRow,
  RecommendationSection, ReportInput, ReportModel, ThresholdRow, UslView,
} from './model-types.ts';

// The model's types live in model-types.ts (so that assumptions.ts need not import this module back); they are
// re-exported here for the callers that import them with the builder.
export type {
  DcResults, DemandSection, ForecastSection, LoadSection, PlacementSection, ProvenanceEntry, QuarterNodes,
  RecommendationRow, RecommendationSection, ReportInput, ReportModel, ThresholdRow, UslView,
} from './model-types.ts';

/**
 * Builds the view model from whatever inputs exist.
 * @param input campaign data (all optional)
 * @returns the model; sections without inputs are null and listed in `missing`
 * @example buildReportModel({ plan }).recommendation?.rows.map((r) => r.dc)
 */
export function buildReportModel(input: ReportInput): ReportModel {
  const missing: Record<string, string> = {};
  const results = input.results ?? {};
  const recommendation = input.plan ? recommendationOf(input.plan, results) : null;
  if (!recommendation) missing.recommendation = 'no plan.json: run the planner first';
  const optimized = input.plan ? optimizedOf(input.plan) : null;
  const buy = input.plan ? buyOf(input.plan) : null;
  if (!buy) missing.buy = input.plan ? 'plan.json has no plan to buy (no optimized placement, or one written before caplab recorded it)' : 'no plan.json';
  // Sections a plan may lack without saying so: absent keys, not nulls, and nothing in `missing`, so an older plan's
  // report is byte for byte what it was.
  const resources = input.plan ? resourcesOf(input.plan) : null;
  const move = input.plan ? moveOf(input.plan) : null;
  const sensitivity = input.plan?.sensitivity ?? null;
  if (!sensitivity) missing.sensitivity = input.plan ? 'plan.json has no sensitivity analysis (planned before caplab had one)' : 'no plan.json';
  if (!optimized) missing.optimized = input.plan ? 'plan.json has no optimized placement (caplab plan --optimize)' : 'no plan.json';
  const forecast = input.forecast ? forecastOf(input.forecast, input.traffic?.driver?.kind === 'forecast' ? input.traffic.driver.unit.many : 'units') : null;
  if (!forecast) missing.forecast = input.traffic?.driver && input.traffic.driver.kind !== 'forecast' ? `the demand is driven by ${input.traffic.driver.text}, not a growth forecast` : 'no forecast.json';
  const demand = input.traffic ? demandOf(input.traffic) : null;
  if (!demand) missing.demand = 'no traffic.json';
  const placement = placementOf(input.traffic, input.placement, input.placementBeforeAllowed ?? {});
  if (!placement) missing.placement = 'no traffic.json (routing) and no placement comparison';
  const load = Object.entries(results).sort(([a], [b]) => a.localeCompare(b)).map(([dc, r]) => {
    const budget = input.plan?.dcs[dc]?.capacity.inputs.serverBudgetP95Ms;
    return loadOf(dc, r, typeof budget === 'number' ? budget : null);
  });
  if (load.length === 0) missing.load = 'no results/<dc>/summary.json or points.ndjson';
  const thresholds: ThresholdRow[] = [];
  for (const [dc, r] of Object.entries(results)) {
    for (const [metric, m] of Object.entries(r.summary?.metrics ?? {})) {
      for (const [expr, t] of Object.entries(m.thresholds ?? {})) {
        const p = parseThresholdExpr(expr);
        thresholds.push({ dc, metric, expr, ok: t.ok, measured: p ? measuredFor(m.values, p.aggregation) ?? null : null });
      }
    }
  }
  const budgets = [...(input.budgets ?? [])];
  if (thresholds.length === 0 && budgets.length === 0) missing.checks = 'no thresholds in the summaries and no budgets';
  return {
    schema: 'caplab.report-model/v1',
    title: input.title ?? (input.world ? `${input.world.name}: capacity report` : 'caplab capacity report'),
    notes: [...(input.notes ?? [])],
    buy, ...(resources ? { resources } : {}), ...(move ? { move } : {}), recommendation, optimized, sensitivity, forecast, demand, placement, load,
    checks: { thresholds, budgets },
    assumptions: assumptionsOf(input),
    provenance: [...(input.provenance ?? [])],
    missing,
  };
}

function recommendationOf(plan: Plan, results: Readonly<Record<string, DcResults>>): RecommendationSection {
  const nodes = Object.entries(plan.dcs).map(([dc, d]) => ({
    dc,
    quarters: d.quarters.map((q): QuarterNodes => ({
      quarter: q.quarter, p50: q.nodes.p50, p90: q.nodes.p90, planned: q.planned, fleet: q.fleet, cost: q.cost,
      demandP50: q.demandRps.p50, demandP90: q.demandRps.p90,
    })),
  }));
  const rows = Object.entries(plan.dcs).map(([dc, d], i): RecommendationRow => {
    const qs = nodes[i]!.quarters;
    const worst = [...d.quarters].reverse().find((q) => q.dcLoss.worstLostDc !== null)?.dcLoss.worstLostDc ?? null;
    return {
      dc, fleet: plan.fleet.nodes[dc] ?? qs[0]!.fleet, next: qs[0]!, horizon: qs[qs.length - 1]!,
      runsOutP50: d.runsOut.p50, runsOutP90: d.runsOut.p90,
      perNodeRps: d.capacity.perNodeRps, sloRps: d.capacity.sloRps, ceilingRps: d.capacity.ceilingRps, binds: d.capacity.binds,
      sloInterval: d.capacity.sloInterval ?? null,
      capacitySource: d.capacity.source, loadMeasured: results[dc] !== undefined, worstLostDc: worst,
    };
  });
  const quarters = [...new Set(nodes.flatMap((n) => n.quarters.map((q) => q.quarter)))].sort();
  const stranded = Object.entries(plan.failover ?? {})
    .filter(([, f]) => f.stranded.length > 0)
    .map(([lostDc, f]) => ({ lostDc, countries: f.stranded.map((s) => `${s.country} (${s.rule})`) }));
  return {
    currency: plan.currency, redundancy: plan.settings.redundancy, targetUtilization: plan.settings.targetUtilization,
    fleetAsOf: plan.fleet.asOf, quarters, rows, nodes, stranded,
    fleetCheck: plan.fleetCheck ? fleetCheckText(plan.fleetCheck) : null,
  };
}

function forecastOf(f: Forecast, unitMany: string): ForecastSection {
  const regions = Object.keys(f.quarters[f.quarters.length - 1]?.byRegion ?? {});
  return {
    model: f.model.model, selection: f.model.selection, r2: f.model.fit.r2, unitMany,
    target: { yearly: f.target.yearlyShipments, year: f.target.year, pReachedInYear: f.target.pReachedInYear, reachedQuarter: f.target.reachedQuarter },
    activeBase: f.activeBase,
    quarters: f.quarters.map((q) => ({
      quarter: q.quarter, kind: q.kind, shipments: q.shipments, trailingYear: q.trailingYearShipments, active: q.activeDevices, pTarget: q.pTargetReached,
    })),
    regions,
    byRegion: Object.fromEntries(regions.map((r) => [r, f.quarters.map((q) => q.byRegion[r]?.p50 ?? 0)])),
    backtest: f.backtest ?? null,
    backtestChartModel: backtestChartModel(f),
    priors: f.priors ?? null,
  };
}

function demandOf(t: Traffic): DemandSection {
  const dcs = Object.entries(t.dcs).map(([dc, qs]) => {
    const last = qs[qs.length - 1]!;
    return {
      dc, peakHourUtc: last.peakHourUtc, diurnalUtc: [...last.diurnalUtc],
      quarters: qs.map((q) => ({
        quarter: q.quarter, meanP50: q.total.meanRps.p50, peakP50: q.total.peakRps.p50, peakP90: q.total.peakRps.p90,
        flashP50: q.total.flashSaleRps.p50, flashP90: q.total.flashSaleRps.p90,
      })),
      services: Object.entries(last.services).map(([service, s]) => ({
        service, meanP50: s.meanRps.p50, peakP50: s.peakRps.p50, peakP90: s.peakRps.p90,
        flashP50: s.flashSaleRps.p50, flashP90: s.flashSaleRps.p90, flashSale: s.flashSale,
      })),
    };
  });
  const first = Object.values(t.dcs)[0] ?? [];
  return {
    placement: t.placement, weeklyPeakFactor: t.shape.weeklyPeakFactor,
    driver: t.driver ? { kind: t.driver.kind, text: t.driver.text, unitMany: t.driver.unit.many } : null,
    flashSales: t.flashSales.map((f) => ({ name: f.name, countries: [...f.countries], localHour: f.localHour })),
    quarter: first[first.length - 1]?.quarter ?? '', dcs, sources: demandSourcesOf(t),
  };
}

function placementOf(t: Traffic | undefined, c: RoutingComparison | undefined, beforeAllowed: Readonly<Record<string, boolean>>): PlacementSection | null {
  if (!t && !c) return null;
  const rules = new Map((t?.routing ?? []).map((r) => [r.country, r]));
  if (c) {
    return {
      before: c.before, after: c.after, weightedMean: c.weightedMean, violations: { before: c.violations.before, after: c.violations.after },
      countries: c.countries.map((x) => {
        const r = rules.get(x.country);
        return {
          country: x.country, beforeDc: x.before.dc, beforeP50: x.before.p50, beforeP95: x.before.p95, beforeAllowed: beforeAllowed[x.country] ?? null,
          afterDc: x.after.dc, afterP50: x.after.p50, afterP95: x.after.p95,
          rule: r?.rule ?? '', allowed: r?.allowed ?? true, reason: r?.reason ?? '',
        };
      }),
    };
  }
  return {
    before: null, after: t!.placement, weightedMean: null, violations: { before: null, after: t!.violations.length },
    countries: t!.routing.map((r) => ({
      country: r.country, beforeDc: null, beforeP50: null, beforeP95: null, beforeAllowed: null, afterDc: r.dc, afterP50: r.rttMs.p50, afterP95: r.rttMs.p95,
      rule: r.rule, allowed: r.allowed, reason: r.reason,
    })),
  };
}

function loadOf(dc: string, r: DcResults, budgetP95Ms: number | null): LoadSection {
  const m = r.summary?.metrics ?? {};
  const s = r.series;
  const dur = m.http_req_duration?.values ?? {};
  const overview = {
    requests: m.http_reqs?.values.count ?? s?.overall.requests ?? null,
    rps: m.http_reqs?.values.rate ?? s?.overall.rps ?? null,
    p95: dur['p(95)'] ?? s?.overall.p95 ?? null,
    p99: dur['p(99)'] ?? s?.overall.p99 ?? null,
    errorRate: m.http_req_failed?.values.rate ?? s?.overall.errorRate ?? null,
    dropped: m.dropped_iterations?.values.count ?? (s ? s.windows.reduce((a, w) => a + w.dropped, 0) : null),
    durationS: r.summary ? r.summary.state.testRunDurationMs / 1000 : s && s.startMs !== null && s.endMs !== null ? (s.endMs - s.startMs) / 1000 : null,
  };
  let usl: UslView | null = null;
  let uslNote: string | null = null;
  const pts = (s?.steps ?? []).filter((x) => x.concurrency !== null && x.throughput !== null && x.throughput > 0)
    .map((x) => ({ concurrency: x.concurrency!, throughput: x.throughput! }));
  if (new Set(pts.map((p) => p.concurrency)).size >= 3) {
    try {
      const f = fitUsl(pts);
      const maxN = Math.max(...pts.map((p) => p.concurrency));
      const end = Number.isFinite(f.nStar) ? Math.max(maxN * 1.1, Math.min(f.nStar * 1.5, maxN * 3)) : maxN * 1.25;
      const curve = Array.from({ length: 60 }, (_, i) => 1 + ((end - 1) * i) / 59).map((n) => ({ n, x: uslThroughput(f, n) }));
      usl = { ...uslSummary(f), points: pts.map((p) => ({ n: p.concurrency, x: p.throughput })), curve };
    } catch (err) {
      uslNote = `USL fit failed: ${(err as Error).message}`;
    }
  } else {
    uslNote = s ? 'fewer than 3 probe steps (points tagged step:N) with throughput: no USL fit' : 'no points.ndjson: no probe steps';
  }
  const rates = s?.rates ?? [];
  // The SLO rate as the sweep defines it: p95 from the intended start (coordinated omission corrected) within budget.
  const within = budgetP95Ms === null ? [] : rates.filter((x) => (x.p95Corrected ?? x.p95 ?? Infinity) <= budgetP95Ms && x.dropped === 0);
  return {
    dc, overview, usl, uslNote, steps: s?.steps ?? [], rates, budgetP95Ms, sloRate: within.length > 0 ? within[within.length - 1]!.rate : null,
    windowS: s?.windowS ?? 1, windows: s?.windows ?? [],
    hasSummary: r.summary !== undefined, hasPoints: s !== undefined && s.points > 0,
  };
}
