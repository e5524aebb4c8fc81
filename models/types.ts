/**
 * Types of caplab's file contracts that several stages read (docs/formats.md "Outputs"). Each file carries
 * `"schema": "caplab.<kind>/v1"`.
 */
import type { MovePlan, ResourcePlan } from './capacity/resources/types.ts';
import type { Band, Band2 } from './bands.ts';

export type { Band, Band2 } from './bands.ts';
import type { OptimizedPlacement } from './capacity/optimize/result.ts';
import type { BacktestEvaluation, BacktestScore } from './growth/backtest.ts';

/** forecast.json's backtest: how each model forecast the history it had not seen. */
export interface ForecastBacktest {
  /** How the model was chosen, and whether the scores took part. */
  selection: string;
  /** Monte Carlo draws per backtest forecast. */
  draws: number;
  scores: BacktestScore[];
  evaluations: BacktestEvaluation[];
}


/** One quarter of forecast.json. */
export interface ForecastQuarter {
  /** Quarter label, e.g. `2015Q3`. */
  quarter: string;
  /** `history` when the quarter lies within the observed periods, else `forecast`. */
  kind: 'history' | 'forecast';
  /** Phones sold in the quarter. */
  shipments: Band;
  /** Phones sold in the four quarters ending with this one. */
  trailingYearShipments: Band;
  /** Phones in active use at the end of the quarter (what drives load). */
  activeDevices: Band;
  /** Active devices by region (keys of the world's countries (data/world.json) `regions`). */
  byRegion: Record<string, Band>;
  /** Active devices by country (ISO code). */
  byCountry: Record<string, Band>;
  /** Probability that trailing-year shipments reach the target. */
  pTargetReached: number;
}

/** One fitted candidate model in forecast.json. */
export interface ForecastCandidate {
  /** Model name. */
  model: string;
  /** Formula. */
  formula: string;
  /** Natural parameters (m in phones, rates per year, instants in decimal years). */
  params: Record<string, number>;
  /** Parameters fixed from a prior instead of fitted. */
  fixedFromPrior: string[];
  /** Why a parameter was fixed, if one was. */
  note: string | null;
  /** Fit quality. */
  fit: { n: number; k: number; rmse: number; rmseLog: number; r2: number; aicc: number | null; residualSd: number };
  /** Akaike weight among candidates with AICc, or null. */
  akaikeWeight: number | null;
}

/** forecast.json's priors: which were used and what each was derived from. */
export interface ForecastPriors {
  /** The market-potential prior of m (models/growth/market-prior.ts), from data/market.json and data/growth.json. */
  marketPotential: {
    /** Prior median and p90 of m (phones), and the sd of ln m. */
    median: number;
    p90: number;
    sdLn: number;
    /** Candidate models that fixed m from it (and drew m from it in the Monte Carlo); empty when none needed it. */
    usedBy: string[];
    /** The derivation: market series, reference years and their figures with sources, lifetime years, share. */
    basis: Record<string, unknown>;
    reasoning: string | null;
  };
  /** The analogue prior on Bass p and q (`caplab forecast --analogues`; models/growth/analogue-prior.ts). */
  bassAnalogues?: {
    /** Each analogue's Bass fit: m (phones), p and q (1/year), residual sd of its log fit. */
    analogues: { id: string; maker: string; periods: number; m: number; p: number; q: number; residualSd: number }[];
    /** Lognormal priors: median (the analogues' geometric mean) and sd of the log. */
    p: { median: number; sdLn: number };
    q: { median: number; sdLn: number };
    /** Noise sd of the brand's log data that weighed it against the prior, or null when no candidate used it. */
    noiseSd: number | null;
    /** Candidate models fitted with it (`bass`). */
    usedBy: string[];
    method: string;
  };
}

/** forecast.json (`caplab.forecast/v1`). */
export interface Forecast {
  /** Schema tag. */
  schema: 'caplab.forecast/v1';
  /** Seed of the Monte Carlo. */
  seed: number;
  /** Where the history came from and what it holds. */
  history: { source: string; launch: number; periods: { period: string; shipments: number }[] };
  /** The chosen model, its parameters and fit quality. */
  model: ForecastCandidate & { selection: string };
  /** Every model fitted. */
  candidates: ForecastCandidate[];
  /** Priors and their basis (absent in files written before priors were recorded). */
  priors?: ForecastPriors;
  /** How uncertainty was sampled. */
  uncertainty: { method: string; draws: number; note: string; yearNoiseSd: number | null; yearNoise?: string };
  /** Assumptions used (seasonality, survival), copied from data/ with their reasoning. */
  assumptions: { seasonality: number[]; survival: { distribution: string; medianYears: number; shape: number } };
  /** The yearly shipments target and when it is reached. */
  target: {
    yearlyShipments: number;
    year: number;
    pReachedInYear: number;
    reachedQuarter: string | null;
    pReachedAtQuarter: number | null;
    pByYear: Record<string, number>;
  };
  /** When the active device base passes the threshold, per band (null: not within the horizon). */
  activeBase: { threshold: number; p90Quarter: string | null; p50Quarter: string | null; p10Quarter: string | null };
  /** First and last quarter. */
  horizon: { first: string; last: string };
  /** Regions and countries used for the split. */
  regions: Record<string, string>;
  /** Rolling-origin backtest of every model (`caplab forecast --backtest`). */
  backtest?: ForecastBacktest;
  /** Per quarter, in time order. */
  quarters: ForecastQuarter[];
}

/** A device model and OS version with its share of a country's active devices. */
export interface PopulationDevice {
  /** Phone model, from data/devices.json. */
  model: string;
  /** OS release it runs. */
  osVersion: string;
  /** Share of the country's active devices, in (0, 1]. */
  share: number;
}

/** One country of population.json. */
export interface PopulationCountry {
  /** ISO 3166-1 alpha-2 code. */
  code: string;
  /** Display name. */
  name: string;
  /** Region key of the world's countries (data/world.json). */
  region: string;
  /** IANA time zone. */
  timeZone: string;
  /** faker locale its users are generated with. */
  locale: string;
  /** International calling code, digits only. */
  callingCode: string;
  /** Active devices in the quarter (forecast band). */
  activeDevices: Band;
  /** Share of the population's users (from the p50 active devices). */
  share: number;
  /** Device model and OS mix, shares summing to 1. */
  devices: PopulationDevice[];
}

/** population.json (`caplab.population/v1`): who the synthetic users are, for one quarter. */
export interface Population {
  /** Schema tag. */
  schema: 'caplab.population/v1';
  /** Seed of the users drawn from it. */
  seed: number;
  /** Quarter the population describes, e.g. `2015Q4`. */
  quarter: string;
  /** Active devices in the quarter (all countries). */
  activeDevices: Band;
  /** Countries with a non-zero share, in the world's countries (data/world.json) order. */
  countries: PopulationCountry[];
  /** Share of each device model across all countries. */
  deviceModels: Record<string, number>;
  /** Share of each OS release across all countries. */
  osVersions: Record<string, number>;
  /** Usage distributions of data/usage.json (parameters the users are drawn with). */
  usage: {
    contacts: { distribution: 'lognormal'; median: number; sigma: number; max: number };
    photosPerDay: { distribution: 'zero-inflated-lognormal'; zeroShare: number; median: number; sigma: number; max: number };
  };
}

/** What drove a demand base, in the world's words (traffic.json and the reports say it). */
export interface DriverSummary {
  kind: 'forecast' | 'series' | 'peak-rps';
  /** What one unit of the base is (e.g. `phone`/`phones`, `subscriber`/`subscribers`, `demand unit`/`demand units`). */
  unit: { one: string; many: string };
  /** One sentence: where the demand comes from. */
  text: string;
  /** Driver `peak-rps`: the stated peak, its period and the growth interval per period. */
  peak?: { rps: number; at: string; growthPerPeriod: { low: number; mid: number; high: number }; rpsPerUnit: number };
  /** Driver `series`: the file it was read from. */
  source?: string;
}


/** Demand of one service at one DC in one quarter, requests per second. */
export interface TrafficService {
  /** Mean over the day. */
  meanRps: Band2;
  /** Busiest hour of the busiest weekday. */
  peakRps: Band2;
  /** Busiest hour including flash sales (never below peakRps). */
  flashSaleRps: Band2;
  /** The flash sale that sets flashSaleRps, or null when none exceeds the normal peak. */
  flashSale: string | null;
}

/** One DC in one quarter of traffic.json. */
export interface TrafficDcQuarter {
  /** Quarter label. */
  quarter: string;
  /** Active devices routed to the DC. */
  activeDevices: Band2;
  /** UTC hour (0-23) of the DC's busiest hour. */
  peakHourUtc: number;
  /** The DC's hourly curve in UTC (24 weights, mean 1), the mix of its countries' local curves. */
  diurnalUtc: number[];
  /** Per service. */
  services: Record<string, TrafficService>;
  /** All services together. */
  total: { meanRps: Band2; peakRps: Band2; flashSaleRps: Band2 };
  /** Each served country's own busiest hour (all services, with its flash sales): what moves when a DC fails over. */
  countries: Record<string, { flashSaleRps: Band2 }>;
}

/** Where one service's demand in traffic.json came from. */
export interface TrafficDemandSource {
  /** `modeled (<catalog>)` (data/catalog.json by default) or `calibrated from <telemetry>`. */
  source: string;
  /** `own`: the service's own local-hour curve; `shared`: data/load-shape.json's. */
  curve: 'own' | 'shared';
  /** Residual summary of the calibration (rps and %), per DC too; absent when not calibrated. */
  fit?: {
    rmseRps: number;
    mapePct: number | null;
    curve: 'fitted' | 'modeled';
    note: string | null;
    dcs: Record<string, { observedMeanRps: number; fittedMeanRps: number; rmseRps: number; mapePct: number | null; samples: number }>;
  };
}

/** traffic.json (`caplab.traffic/v1`): requests per second per DC, quarter and service. */
export interface Traffic {
  /** Schema tag. */
  schema: 'caplab.traffic/v1';
  /** Placement used for routing. */
  placement: string;
  /** Requests per active device per day, per service route. */
  demand: Record<string, number>;
  /**
   * Where each service's demand came from, when any service's is not the modeled default (absent: every service is
   * `modeled (data/catalog.json)` on the shared curve): the source, whether the service has its own hourly curve, and
   * for a calibrated service the fit's residual summary.
   */
  demandSources?: Record<string, TrafficDemandSource>;
  /** What drove the active units (a growth forecast, a series, today's peak grown), in the world's words. */
  driver?: DriverSummary;
  /** Local-hour curve (mean 1) and the weekly peak-day factor applied to peaks. */
  shape: { localHourWeights: number[]; weeklyPeakFactor: number };
  /** Flash sales modeled. */
  flashSales: { name: string; countries: string[]; localHour: number; multipliers: Record<string, number> }[];
  /** Country -> DC with RTT and the residency rule used. */
  routing: { country: string; dc: string; rttMs: { p50: number; p95: number }; rule: string; allowed: boolean; reason: string }[];
  /** Residency breaches of the placement (empty when valid). */
  violations: { country: string; dc: string; rule: string; allowedDcs: string[] }[];
  /** Per DC, per quarter in time order. */
  dcs: Record<string, TrafficDcQuarter[]>;
}

/** One DC in one quarter of plan.json. */
export interface PlanQuarter {
  /** Quarter label. */
  quarter: string;
  /** Design demand: the busiest hour with flash sales (traffic.json flashSaleRps), requests/s. Modeled. */
  demandRps: Band2;
  /** Nodes at the target utilization over the Monte Carlo draws (demand and capacity uncertain, Erlang C wait check). */
  nodes: { p50: number; p90: number; leastRegret: number };
  /** Least-regret nodes plus the redundancy (N+2 by default). */
  withRedundancy: number;
  /** Nodes to carry this DC's median demand plus what fails over to it when the worst other DC is lost. */
  dcLoss: {
    nodes: number;
    worstLostDc: string | null;
    moved: { country: string; from: string; rps: number }[];
  };
  /** Nodes to have in service: max(withRedundancy, dcLoss.nodes). */
  planned: number;
  /** Cost of the planned nodes for the quarter (3 months). */
  cost: number;
  /** Nodes in today's fleet. */
  fleet: number;
  /** Planned minus fleet (positive: to buy). */
  gap: number;
}

/** The fleet check as plan.json records it. */
export type FleetCheck = {
  /** The fleet's as-of period. */
  asOf: string;
  /** Nodes in service, summed over sites. */
  nodes: number;
} & ({
  status: 'checked';
  /** Peak requests/s the model gives for the as-of period, p10/p50/p90. */
  modelPeakRps: Band;
  /** Peak requests/s today's fleet serves. */
  fleetPeakRps: number;
  /** How the fleet's peak was stated: `peakRps`, or nodes x per-node capacity x `peakUtilization`. */
  basis: 'peakRps' | 'peakUtilization';
  /** The utilization the model's p10/p50/p90 peak would put on today's fleet (capacity known), else undefined. */
  impliedUtilization?: Band;
  /** Stated peak utilization, when given. */
  peakUtilization?: number;
  /** Model p50 / fleet peak: above 1, the model asks for more than the fleet serves. */
  factor: number;
  /** Within the model's p10..p90, or which side is higher. */
  verdict: 'agrees' | 'model-higher' | 'model-lower';
  /** `calibrate: fleet`: the demand was scaled by `factor` to meet the fleet; `before` is the check without it. */
  calibration?: { factor: number; before: FleetCheck };
} | {
  status: 'unavailable';
  /** Why not checked: no stated peak, the as-of period outside the forecast, a site without capacity. */
  reason: string;
});

/** One input of a plan's sensitivity: the horizon's total cost with it at the low and at the high end of its interval. */
export interface SensitivityInput {
  name: 'growth' | 'demandPerDevice' | 'capacity' | 'targetUtilization' | 'prices' | 'flashSaleMultiplier';
  /** Its name in words. */
  label: string;
  /** The input's value at that end (as text: `-25%`, `60%`, `forecast p10`) and the horizon's cost there. */
  low: { value: string; cost: number };
  high: { value: string; cost: number };
  /** |high cost - low cost|. */
  swing: number;
}

/** Which inputs move a plan's horizon cost most (models/capacity/sensitivity.ts), largest swing first. */
export interface Sensitivity {
  /** The base plan's total cost over its horizon (every DC, every quarter). */
  baseCost: number;
  currency: string;
  inputs: SensitivityInput[];
}

/** plan.json (`caplab.plan/v1`). */
export interface Plan {
  /** Schema tag. */
  schema: 'caplab.plan/v1';
  /** Seed of the Monte Carlo. */
  seed: number;
  /** Placement of the traffic. */
  placement: string;
  /** Settings used (data/planner.json). */
  settings: { targetUtilization: number; redundancy: number; draws: number; capacityCv: number; queueWaitTargetMs: number; regret: { shortage: number; surplus: number } };
  /** Today's fleet. */
  fleet: { asOf: string; nodes: Record<string, number> };
  /** Today's fleet against the model at its as-of period (models/capacity/fleet-check.ts). */
  fleetCheck?: FleetCheck;
  /** Which inputs move the horizon's cost most (models/capacity/sensitivity.ts). */
  sensitivity?: Sensitivity;
  /** Currency of costs. */
  currency: string;
  /** If a DC is lost: where each of its countries fails over, and the countries residency leaves nowhere to go. */
  failover: Record<string, { moves: { country: string; to: string }[]; stranded: { country: string; rule: string }[] }>;
  /** The least-cost placement under the intents, beside the greedy one (`caplab plan --optimize`, the campaign). */
  optimized?: OptimizedPlacement;
  /** Per site and period: every tier's needs, the shape chosen and what binds, storage, network, egress (shapes given). */
  resources?: ResourcePlan;
  /** The world's move: each wave's data, copy time, capacity held in both sites, latency before, during and after. */
  move?: MovePlan;
  /** Per DC. */
  dcs: Record<string, {
    /** Per-node capacity (measured or modeled, with inputs) and which limit binds. */
    capacity: { ceilingRps: number; sloRps: number; perNodeRps: number; binds: 'slo' | 'ceiling'; sloInterval?: { lower: number; upper: number | null }; source: 'measured' | 'modeled'; inputs: Record<string, number | string> };
    /** Price of one node per month. */
    pricePerNodeMonth: number;
    /** First quarter whose planned nodes exceed today's fleet (p50 and p90 need), or null. */
    runsOut: { p50: string | null; p90: string | null };
    /** Per quarter. */
    quarters: PlanQuarter[];
  }>;
}
