/**
 * The stage chain, written once: forecast -> traffic -> population -> scenarios, and traffic -> plan -> optimize. A
 * chain is made from what the user gave (files already read: a history, a forecast, a traffic, a catalog, measured
 * capacity...) and the data files' contents; asking it for a stage's output computes what that stage needs and was not
 * given, each stage at most once: `plan()` without a given traffic computes the traffic from the forecast, which is
 * computed from the history when not given. This is the one module that knows the stage order; the CLI reads and
 * writes the files around it. Values in, values out.
 */
import type { Highs } from 'highs';
import type { Hardware, ServiceTimes } from '../models/capacity/hardware.ts';
import type { NodeCapacity } from '../models/capacity/node-capacity.ts';
import type { OptimizedPlacement } from '../models/capacity/optimize/result.ts';
import { buildPlan, type PlanInput } from '../models/capacity/planner.ts';
import type { ConnectionCapacity } from '../models/capacity/connection-capacity.ts';
import type { Shapes } from '../models/capacity/resources/shapes.ts';
import { sensitivity } from '../models/capacity/sensitivity.ts';
import type { Fleet, PlannerSettings } from '../models/capacity/settings.ts';
import type { Analogues } from '../models/growth/analogues.ts';
import type { History } from '../models/growth/history.ts';
import type { GrowthSettings, Regions } from '../models/growth/settings.ts';
import type { Devices, Usage } from '../models/population/settings.ts';
import { routeCountries } from '../models/routing/route.ts';
import type { Placement, Residency, Rtt } from '../models/routing/settings.ts';
import type { DemandFile } from '../models/traffic/demand-file.ts';
import { scaleDemands, type ServiceDemands } from '../models/traffic/service-demand.ts';
import type { LoadShape } from '../models/traffic/settings.ts';
import type { FleetCheck, Forecast, Plan, Population, Traffic } from '../models/types.ts';
import { type DemandBase, demandBase, type DriverSummary, forecastBase, grownRows, type SeriesRow } from '../models/world/demand-base.ts';
import { lastPeriod, type World } from '../models/world/world.ts';
import { quarterIndex } from '../models/quarter.ts';
import type { ScenarioSettings } from '../scenarios/build-settings.ts';
import type { Catalog } from '../scenarios/catalog.ts';
import type { NamedDocument } from './document.ts';
import { StageInputError } from './errors.ts';
import { modelAtAsOf, planFleetCheck } from './fleet.ts';
import { type ForecastChoices, type ForecastDefaults, forecastStage } from './forecast.ts';
import { optimizeStage } from './optimize.ts';
import { planInput } from './plan.ts';
import { resourcesOf } from './resources.ts';
import { populationStage } from './population.ts';
import { type BuiltSpecs, dcUsersFiles, type ScenariosRequest, scenariosStage } from './scenarios.ts';
import { serviceDemands, type TrafficResult, trafficStage } from './traffic.ts';

/**
 * The data files' contents the stages read. The CLI may hand in an object whose properties read their file on first
 * use (getters): a stage the request does not need then reads nothing.
 */
export interface ChainData {
  /** The world the plan is made in (data/world.json, or a user's world file): its sites, countries, fleet, horizon, driver. */
  readonly world: World;
  /** Driver `series`: the world's rows, read from its file. */
  readonly series?: readonly SeriesRow[];
  /** data/defaults.json with the world's target and horizon: the forecast's defaults and the population's quarter. */
  readonly defaults: { readonly forecast: ForecastDefaults; readonly users: { readonly quarter: string } };
  /** data/history.json, the history when the user gives none. */
  readonly history: History;
  /** data/growth.json with data/market.json's prior resolved. */
  readonly growth: GrowthSettings;
  /** data/analogues.json (read only under the forecast's `analogues`). */
  readonly analogues: Analogues;
  readonly regions: Regions;
  readonly rtt: Rtt;
  readonly residency: Residency;
  readonly loadShape: LoadShape;
  readonly devices: Devices;
  readonly usage: Usage;
  readonly hardware: Hardware;
  /** data/services.json. */
  readonly serviceTimes: ServiceTimes;
  readonly planner: PlannerSettings;
  /** The world's fleet, today's fleet when the user gives none. */
  readonly fleet: Fleet;
  /** The world's hardware shapes and prices: a resource plan (every tier, every resource) is made when given. */
  readonly shapes?: Shapes;
  readonly scenarios: ScenarioSettings;
}

/** What the user gave, or an earlier stage produced; a stage's output that is given is never recomputed. */
export interface ChainGiven {
  /** The shipment history (default data/history.json). */
  history?: History;
  /** The forecast's choices (model, target, horizon, draws, backtest, select, analogues). */
  forecastChoices?: ForecastChoices;
  forecast?: Forecast;
  /** The demand base the traffic came from (the forecast, or the world's driver): set by the chain, kept by `with`. */
  base?: DemandBase;
  /** The placement the traffic routes to: required to compute the traffic. */
  placement?: Placement;
  /** A placement to compare the traffic's RTTs with. */
  baseline?: Placement;
  /** The traffic's quarter range and DCs (default: every forecast quarter after the history, every DC). */
  from?: string;
  to?: string;
  dcs?: readonly string[];
  /** The catalog: its demand (to compute the traffic), its services' modeled times (plan), its requests (scenarios). */
  catalog?: Catalog;
  /** The catalog's `observed` demand files by resolved path. */
  observed?: ReadonlyMap<string, DemandFile>;
  /** A calibrated demand file laid over the catalog's demand (`--demand`). */
  calibration?: DemandFile;
  /**
   * `calibrate: fleet`: every service's demand scaled so the model's peak at today's fleet's as-of period is the peak
   * that fleet serves (its fleet check's factor, with the capacity known when the demand is first computed).
   */
  calibrateToFleet?: boolean;
  /** What `calibrateToFleet` did: the factor and the check before it (set by the chain). */
  fleetCalibration?: { factor: number; before: FleetCheck };
  services?: ServiceDemands;
  traffic?: Traffic;
  /** Today's fleet and where it came from (default the world's fleet). */
  fleet?: { fleet: Fleet; source: string };
  /** Measured capacity per DC (a results folder read); absent: every DC modeled. */
  measured?: Readonly<Record<string, NodeCapacity | undefined>>;
  /** Each DC's connection probe (its push node's connections at the reply budget), when the campaign ran one. */
  measuredConnections?: Readonly<Record<string, ConnectionCapacity | undefined>>;
  plan?: Plan;
  /** The optimizer's intents (required by `optimized`) and what-if sites. */
  intents?: NamedDocument;
  candidates?: NamedDocument;
}

/** A chain: each stage's output, computed on first request from what was given and the earlier stages. */
export interface Chain {
  /**
   * The forecast: given, or computed from the history with the forecast's choices.
   * @throws {StageInputError} when none is given and the world's driver is not a growth forecast
   */
  forecast(): Forecast;
  /**
   * The demand base the traffic is computed from: the forecast (given, or the world's `forecast` driver), the world's
   * series, or today's peak grown over the horizon, scaled so the traffic model's peak at its period is the stated one.
   */
  base(): DemandBase;
  /** Demand per service: given, or the catalog's with the calibration laid over it. */
  services(): ServiceDemands;
  /** The traffic: given, or computed from the forecast for the placement (with the RTT comparison under a baseline). */
  traffic(): TrafficResult;
  /**
   * The population of a quarter, from the forecast.
   * @param quarter the quarter (default data/defaults.json `users.quarter`)
   */
  population(quarter?: string): Population;
  /** The plan: given, or computed for the traffic with the measured capacity given (else modeled). */
  plan(): Plan;
  /**
   * Today's fleet against the model at the fleet's as-of period, at the plan's per-node capacity (plan.json
   * `fleetCheck`, before any calibration).
   */
  fleetCheck(): FleetCheck;
  /**
   * The least-cost placement under the intents, for the plan.
   * @param highs the HiGHS solver
   */
  optimized(highs: Highs): OptimizedPlacement;
  /**
   * The scenario specs for the traffic and, unless `replay` is false, the plan.
   * @param req the scenario settings (targets, quarter, quick...) and the budgets
   */
  scenarios(req: Omit<ScenariosRequest, 'traffic' | 'catalog' | 'plan'> & { replay?: boolean }): BuiltSpecs;
  /**
   * The users file of each DC of a placement for a quarter (from the quarter's population).
   * @param quarter the quarter
   * @param placement the placement the users are routed under
   */
  usersFiles(quarter: string, placement: Placement): Record<string, string>;
  /**
   * A chain with more given, keeping every output computed so far (e.g. the measured capacity once the probes ran).
   * @param more what is given now
   */
  with(more: ChainGiven): Chain;
}

/**
 * Makes a chain.
 * @param given what the user gave
 * @param data the data files' contents
 * @param seed seed of every stage
 * @returns the chain; its methods throw what the stages they run throw (StageInputError, ValidationError), and
 *   Error when a stage needs an input that was neither given nor computable (a placement, a catalog, intents)
 * @example chain({ placement, catalog, observed: new Map() }, data, 1).plan()
 */
export function chain(given: ChainGiven, data: ChainData, seed: number): Chain {
  const done: ChainGiven = { ...given };
  const need = <K extends keyof ChainGiven>(key: K, stage: string): NonNullable<ChainGiven[K]> => {
    const v = done[key];
    if (v === undefined) throw new Error(`chain: the ${stage} stage needs \`${key}\`, which was not given`);
    return v as NonNullable<ChainGiven[K]>;
  };
  let trafficResult: TrafficResult | undefined = given.traffic ? { traffic: given.traffic } : undefined;
  const fleetOf = (): { fleet: Fleet; source: string } => done.fleet ?? { fleet: data.fleet, source: `${data.world.source}: fleet` };
  let baseDone: DemandBase | undefined = given.base;
  // The world's horizon, where the demand base covers it (a forecast file given may cover another range).
  const within = (period: string): string | undefined => (self.base().quarters.some((q) => q.quarter === period) ? period : undefined);
  const horizonFrom = (): string | undefined => done.from ?? within(data.world.horizon.periods[0]!);
  const horizonTo = (): string | undefined => done.to ?? within(lastPeriod(data.world));
  let input: PlanInput | undefined;
  const planInputOnce = (): PlanInput => (input ??= planInput({
    traffic: self.traffic().traffic, catalog: need('catalog', 'plan'), fleet: fleetOf().fleet, fleetSource: fleetOf().source,
    ...(done.measured ? { measured: done.measured } : {}),
  }, data, seed));
  // The model at today's fleet's as-of period, from the forecast the traffic came from: one the chain computed (or was
  // given), never the default history's beside a traffic file of the user's.
  const modelOf = () => (!done.placement || (given.traffic && !done.forecast && !given.base) ? undefined : {
    forecast: self.base(),
    trafficAt: (period: string) => trafficStage({
      // Every DC of the placement, as today's fleet serves all of its demand whatever subset this plan loads.
      forecast: self.base(), placement: done.placement!, services: self.services(), from: period, to: period,
    }, data).traffic,
  });
  const driverBase = (): DemandBase => {
    const { world } = data;
    const driver = world.driver;
    const first = world.horizon.periods[0]!;
    const last = lastPeriod(world);
    if (driver.kind === 'series') {
      const rows = data.series;
      if (!rows) throw new Error('chain: a series driver needs `data.series`');
      const summary: DriverSummary = { kind: 'series', unit: driver.unit, source: driver.file, text: `a series of active ${driver.unit.many} per period (${driver.file})` };
      return demandBase(rows, data.regions, fleetOf().fleet.asOf, summary);
    }
    if (driver.kind !== 'peak-rps') throw new Error(`chain: no demand base for driver ${driver.kind}`);
    const at = driver.at ?? fleetOf().fleet.asOf;
    const unit = { one: 'demand unit', many: 'demand units' };
    const start = quarterIndex(at) < quarterIndex(first) ? at : first;
    // The traffic model is linear in the active units: a billion units' peak at `at` gives the units today's peak is
    // (a billion, as traffic.json rounds to 0.01 req/s: one unit's peak would round to nothing).
    const probe = 1e9;
    const one = demandBase([{ period: at, value: { p10: probe, p50: probe, p90: probe } }], data.regions, at, { kind: 'peak-rps', unit, text: '' });
    const t = trafficStage({ forecast: one, placement: need('placement', 'traffic'), services: self.services(), from: at, to: at }, data).traffic;
    const perUnit = Object.values(t.dcs).reduce((s, qs) => s + (qs[0]?.total.peakRps.p50 ?? 0), 0) / probe;
    if (!(perUnit > 0)) throw new StageInputError(`${world.source}: driver.peakRps: the catalog's services have no demand to scale to today's peak`);
    const g = driver.growthPerPeriod;
    const pct = (v: number): string => `${(v * 100).toFixed(1).replace(/\.0$/, '')}%`;
    const summary: DriverSummary = {
      kind: 'peak-rps', unit,
      text: `today's peak of ${Math.round(driver.peakRps).toLocaleString('en-US')} req/s (${at}), growing ${pct(g.low)} / ${pct(g.mid)} / ${pct(g.high)} a quarter (low / mid / high)`,
      peak: { rps: driver.peakRps, at, growthPerPeriod: { low: g.low, mid: g.mid, high: g.high }, rpsPerUnit: perUnit },
    };
    return demandBase(grownRows(driver.peakRps / perUnit, at, g, start, last), data.regions, at, summary);
  };
  const self: Chain = {
    forecast() {
      if (!done.forecast && data.world.driver.kind !== 'forecast') {
        throw new StageInputError(`${data.world.source} drives demand by ${data.world.driver.kind === 'series' ? 'a series of active units' : "today's peak req/s"}: it has no growth forecast`);
      }
      return (done.forecast ??= forecastStage(done.forecastChoices ?? {}, {
        history: done.history ?? data.history, growth: data.growth, regions: data.regions, defaults: data.defaults.forecast,
        get analogues() { return data.analogues; },
      }, seed));
    },
    base() {
      if (baseDone) return baseDone;
      const driver = data.world.driver;
      if (done.forecast || driver.kind === 'forecast') baseDone = forecastBase(self.forecast(), driver.kind === 'forecast' ? driver.unit : { one: 'active device', many: 'active devices' });
      else baseDone = driverBase();
      return (done.base = baseDone);
    },
    services() {
      if (done.services) return done.services;
      const base = serviceDemands(need('catalog', 'traffic'), {
        get usage() { return data.usage; }, observed: done.observed ?? new Map(), ...(done.calibration ? { calibration: done.calibration } : {}),
      });
      if (!done.calibrateToFleet) return (done.services = base);
      // The same chain without the calibration: its fleet check gives the factor.
      const { calibrateToFleet: _on, traffic: _t, plan: _p, ...rest } = done;
      const before = chain({ ...rest, services: base }, data, seed).fleetCheck();
      if (before.status !== 'checked') throw new StageInputError(`calibrate: fleet needs today's fleet checked against the model, which it was not: ${before.reason}`);
      const factor = before.fleetPeakRps / before.modelPeakRps.p50;
      done.fleetCalibration = { factor, before };
      return (done.services = scaleDemands(base, factor, `to today's fleet (${before.asOf}, calibrate: fleet)`));
    },
    traffic() {
      if (!trafficResult) {
        const placement = need('placement', 'traffic');
        const [from, to] = [horizonFrom(), horizonTo()];
        trafficResult = trafficStage({
          forecast: self.base(), placement, services: self.services(),
          ...(done.baseline ? { baseline: done.baseline } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}), ...(done.dcs ? { dcs: done.dcs } : {}),
        }, data);
        done.traffic = trafficResult.traffic;
      }
      return trafficResult;
    },
    population(quarter) {
      return populationStage(self.base(), quarter, { devices: data.devices, regions: data.regions, usage: data.usage, defaultQuarter: data.defaults.users.quarter }, seed);
    },
    fleetCheck() {
      const fleet = fleetOf();
      const input = planInputOnce();
      const perNodeRps = Object.fromEntries(Object.entries(input.capacity).map(([dc, c]) => [dc, c.perNodeRps]));
      return planFleetCheck(perNodeRps, fleet.fleet, modelAtAsOf(fleet.fleet, input.traffic, modelOf()));
    },
    plan() {
      if (done.plan) return done.plan;
      const input = planInputOnce();
      const plan = buildPlan(input);
      const check = self.fleetCheck();
      const calibrated = done.fleetCalibration && check.status === 'checked'
        ? { ...check, calibration: { factor: done.fleetCalibration.factor, before: done.fleetCalibration.before } } : check;
      // Growth's interval per quarter: the active devices of the forecast the traffic came from.
      const model = modelOf();
      const devices = model ? Object.fromEntries(model.forecast.quarters.map((q) => [q.quarter, q.activeDevices])) : undefined;
      const ranges = data.planner.sensitivity;
      return (done.plan = {
        ...plan, fleetCheck: calibrated, ...(ranges ? { sensitivity: sensitivity(input, ranges, devices, plan) } : {}),
        ...resourcesOf(plan, input, need('catalog', 'plan'), data, done.measuredConnections),
      });
    },
    optimized(highs) {
      const plan = self.plan();
      return optimizeStage({
        plan, forecast: self.base(), services: self.services(), intents: need('intents', 'optimize'), ...(done.candidates ? { candidates: done.candidates } : {}),
      }, data, highs);
    },
    scenarios(req) {
      const { replay, ...rest } = req;
      const traffic = self.traffic().traffic;
      return scenariosStage({ ...rest, traffic, catalog: need('catalog', 'scenarios'), ...(replay === false ? {} : { plan: self.plan() }) }, { scenarios: data.scenarios, defaultQuarter: data.defaults.users.quarter }, seed);
    },
    usersFiles(quarter, placement) {
      const population = self.population(quarter);
      const routing = routeCountries(placement, population.countries.map((c) => c.code), data.rtt, data.residency);
      return dcUsersFiles(population, routing, seed, data.scenarios.usersPerDc);
    },
    with(more) {
      // A new measurement or fleet makes a new plan; everything computed before the plan is kept.
      const replan = more.measured !== undefined || more.fleet !== undefined || more.measuredConnections !== undefined;
      const { plan, ...kept } = done;
      return chain({ ...kept, ...(plan && !replan ? { plan } : {}), ...more }, data, seed);
    },
  };
  return self;
}
