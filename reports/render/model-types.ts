/**
 * The types of the report's view model (reports/render/model.ts builds it, assumptions.ts and the renderers read it),
 * in a module of their own so that the builder and its parts import them from here and never from each other.
 * Plain JSON data only: the HTML embeds the model as is.
 */
import type { FleetCheckText } from './fleet-check-text.ts';
import type { UslSummary } from '../../models/capacity/usl.ts';
import type { RoutingComparison } from '../../models/routing/compare.ts';
import type { Band, Forecast, ForecastBacktest, ForecastPriors, Plan, Sensitivity, Traffic } from '../../models/types.ts';
import type { K6SummaryData } from '../../scenarios/engine/outputs/summary-schema.ts';
import type { DemandSourceRow } from './demand-sources.ts';
import type { BudgetResult } from './junit.ts';
import type { OptimizedSection } from './optimized.ts';
import type { LoadRate, LoadSeries, LoadStep, LoadWindow } from './series.ts';
import type { BuySection } from './buy.ts';
import type { MoveSection } from './move.ts';
import type { ResourcesSection } from './resources.ts';

/** Load results of one DC. */
export interface DcResults {
  /** handleSummary data (results/<dc>/summary.json), if present. */
  summary?: K6SummaryData;
  /** Windows, steps and rates from results/<dc>/points.ndjson[.gz], if present. */
  series?: LoadSeries;
}

/** One input of the report and where it came from. */
export interface ProvenanceEntry {
  /** File, relative to the campaign dir. */
  file: string;
  /** What it holds. */
  what: string;
  /** `modeled` (computed from data/ and models), `measured` (load results) or `input` (settings). */
  kind: 'modeled' | 'measured' | 'input';
  /** Whether it was found. */
  status: 'read' | 'absent';
  /** Schema tag, seed, line counts and the like. */
  detail: string;
}

/** Inputs of {@link buildReportModel}; every one optional. */
export interface ReportInput {
  /** Report title (default: the world's name, else `caplab capacity report`). */
  title?: string;
  /** The world the campaign planned in (its world.json). */
  world?: { name: string };
  /** forecast.json. */
  forecast?: Forecast;
  /** traffic.json. */
  traffic?: Traffic;
  /** plan.json. */
  plan?: Plan;
  /** RTT per country under the old and the new placement. */
  placement?: RoutingComparison;
  /** Whether the old placement's DC was allowed by each country's residency rule (country -> allowed). */
  placementBeforeAllowed?: Readonly<Record<string, boolean>>;
  /** Load results per DC. */
  results?: Readonly<Record<string, DcResults>>;
  /** Budget outcomes (per service, DC and limit). */
  budgets?: readonly BudgetResult[];
  /** The files read. */
  provenance?: readonly ProvenanceEntry[];
  /** Extra notes shown at the top (e.g. "quick run"). */
  notes?: readonly string[];
}

/** Nodes of one DC in one quarter. */
export interface QuarterNodes {
  quarter: string;
  p50: number;
  p90: number;
  planned: number;
  fleet: number;
  cost: number;
  demandP50: number;
  demandP90: number;
}

/** One row of the first-screen recommendation table. */
export interface RecommendationRow {
  dc: string;
  /** Nodes in service today. */
  fleet: number;
  /** First and last planned quarter. */
  next: QuarterNodes;
  horizon: QuarterNodes;
  /** Quarter today's fleet runs out on the p50 / p90 need (null: not within the plan). */
  runsOutP50: string | null;
  runsOutP90: string | null;
  /** Per-node capacity (requests/s) and which limit binds. */
  perNodeRps: number;
  sloRps: number;
  ceilingRps: number;
  binds: 'slo' | 'ceiling';
  /** Measured SLO rate: the interval the sweep brackets it in (null when modeled or not swept). */
  sloInterval: { lower: number; upper: number | null } | null;
  /** Where the capacity comes from. */
  capacitySource: 'measured' | 'modeled';
  /** Whether load results exist for the DC. */
  loadMeasured: boolean;
  /** DC whose loss costs this DC most nodes. */
  worstLostDc: string | null;
}

/** The first screen. */
export interface RecommendationSection {
  currency: string;
  redundancy: number;
  targetUtilization: number;
  fleetAsOf: string;
  quarters: string[];
  rows: RecommendationRow[];
  /** Per DC, per quarter. */
  nodes: { dc: string; quarters: QuarterNodes[] }[];
  /** Countries that cannot fail over anywhere, per lost DC. */
  stranded: { lostDc: string; countries: string[] }[];
  /** Today's fleet against the model at its as-of period, in words (null: the plan has no check). */
  fleetCheck: FleetCheckText | null;
}

/** Forecast section. */
export interface ForecastSection {
  model: string;
  selection: string;
  r2: number;
  target: { yearly: number; year: number; pReachedInYear: number; reachedQuarter: string | null };
  /** What the history counts, plural (the world's driver unit; `units` for a traffic file written before worlds). */
  unitMany: string;
  activeBase: Forecast['activeBase'];
  quarters: { quarter: string; kind: string; shipments: Band; trailingYear: Band; active: Band; pTarget: number }[];
  regions: string[];
  /** p50 active devices by region, aligned with `quarters`. */
  byRegion: Record<string, number[]>;
  /** The rolling-origin backtest, when forecast.json has one (`caplab forecast --backtest`). */
  backtest: ForecastBacktest | null;
  /** Model whose one-period-ahead backtest forecasts the fan chart plots (`bass+analogues` for Bass with the analogue prior). */
  backtestChartModel: string;
  /** The priors and their basis, when forecast.json records them (files before priors were recorded have none). */
  priors: ForecastPriors | null;
}

/** Demand section (traffic.json). */
export interface DemandSection {
  placement: string;
  /** What drove the demand, in the world's words (traffic.json `driver`), or null for a file written before worlds. */
  driver: { kind: 'forecast' | 'series' | 'peak-rps'; text: string; unitMany: string } | null;
  weeklyPeakFactor: number;
  flashSales: { name: string; countries: string[]; localHour: number }[];
  /** Quarter the per-service table shows (the last one). */
  quarter: string;
  /** Per service: requests per device per day, modeled or calibrated (from what), and the fit's residuals. */
  sources: DemandSourceRow[];
  dcs: {
    dc: string;
    peakHourUtc: number;
    diurnalUtc: number[];
    quarters: { quarter: string; meanP50: number; peakP50: number; peakP90: number; flashP50: number; flashP90: number }[];
    services: { service: string; meanP50: number; peakP50: number; peakP90: number; flashP50: number; flashP90: number; flashSale: string | null }[];
  }[];
}

/** Placement section. */
export interface PlacementSection {
  before: string | null;
  after: string;
  countries: {
    country: string; beforeDc: string | null; beforeP50: number | null; beforeP95: number | null; beforeAllowed: boolean | null;
    afterDc: string; afterP50: number; afterP95: number; rule: string; allowed: boolean; reason: string;
  }[];
  weightedMean: RoutingComparison['weightedMean'] | null;
  violations: { before: number | null; after: number };
}

/** USL fit of a DC's probe steps, with the measured points and the fitted curve to draw. */
export interface UslView extends UslSummary {
  points: { n: number; x: number }[];
  curve: { n: number; x: number }[];
}

/** Load results of one DC. */
export interface LoadSection {
  dc: string;
  overview: { requests: number | null; rps: number | null; p95: number | null; p99: number | null; errorRate: number | null; dropped: number | null; durationS: number | null };
  usl: UslView | null;
  uslNote: string | null;
  steps: LoadStep[];
  rates: LoadRate[];
  /** Server-side p95 budget the sweep is judged by (plan.json capacity input serverBudgetP95Ms), ms, or null. */
  budgetP95Ms: number | null;
  /** Highest swept rate whose corrected p95 (k6's when not recorded) is within the budget with nothing dropped, or null. */
  sloRate: number | null;
  windowS: number;
  windows: LoadWindow[];
  hasSummary: boolean;
  hasPoints: boolean;
}

/** One threshold outcome. */
export interface ThresholdRow {
  dc: string;
  metric: string;
  expr: string;
  ok: boolean;
  measured: number | null;
}

/** The whole view model. */
export interface ReportModel {
  schema: 'caplab.report-model/v1';
  title: string;
  notes: string[];
  /** The plan to buy: the optimized placement per quarter and site. */
  buy: BuySection | null;
  /**
   * Per site and quarter the tiers' shapes, what binds, storage, network and egress (plan.json `resources`); absent,
   * not null, without one, so that the model of an older plan is the same as before.
   */
  resources?: ResourcesSection;
  /** The move's waves, link, latency and timeline (plan.json `move`); absent without one. */
  move?: MoveSection;
  recommendation: RecommendationSection | null;
  /** Greedy and optimized placement side by side (plan.json `optimized`). */
  optimized: OptimizedSection | null;
  /** Which inputs move the horizon's cost most (plan.json `sensitivity`), largest swing first. */
  sensitivity: Sensitivity | null;
  forecast: ForecastSection | null;
  demand: DemandSection | null;
  placement: PlacementSection | null;
  load: LoadSection[];
  checks: { thresholds: ThresholdRow[]; budgets: BudgetResult[] };
  assumptions: { name: string; value: string; kind: 'modeled' | 'measured' | 'input' }[];
  provenance: ProvenanceEntry[];
  /** Section -> why it is absent. */
  missing: Record<string, string>;
}
