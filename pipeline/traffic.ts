/**
 * The traffic stage: route the countries to the placement's data centers, turn the forecast's active devices into
 * requests per second per DC, quarter and service (models/traffic), and compare the routing's RTTs with a baseline
 * placement's. Also the demand the traffic model is fed: the catalog's services, with a calibrated demand file laid
 * over them. Values in, values out: the placements, demand files and data files are handed in, already read.
 */
import type { Regions } from '../models/growth/settings.ts';
import { meanPhotosPerDay } from '../models/population/usage.ts';
import type { Usage } from '../models/population/settings.ts';
import { quarterIndex } from '../models/quarter.ts';
import { compareRoutings, type RoutingComparison } from '../models/routing/compare.ts';
import { routeCountries } from '../models/routing/route.ts';
import type { Placement, Residency, Rtt } from '../models/routing/settings.ts';
import type { DemandFile } from '../models/traffic/demand-file.ts';
import { calibrate, type ServiceDemands } from '../models/traffic/service-demand.ts';
import type { LoadShape } from '../models/traffic/settings.ts';
import { buildTraffic } from '../models/traffic/traffic.ts';
import type { Traffic } from '../models/types.ts';
import type { DemandBase } from '../models/world/demand-base.ts';
import type { Catalog } from '../scenarios/catalog.ts';
import { catalogDemands } from '../scenarios/catalog-demand.ts';
import { StageInputError } from './errors.ts';

/** What the traffic stage reads besides the forecast and the placement. */
export interface TrafficData {
  /** the world's countries (data/world.json): the countries and their time zones. */
  regions: Regions;
  /** the world's RTT tables. */
  rtt: Rtt;
  /** the world's residency rules. */
  residency: Residency;
  /** data/load-shape.json. */
  loadShape: LoadShape;
}

/** The traffic stage's own inputs. */
export interface TrafficRequest {
  /** The demand base (a growth forecast, or a world's series or grown peak) whose active units drive the load. */
  forecast: DemandBase;
  /** The placement to route to. */
  placement: Placement;
  /** The placement to compare RTTs against (no comparison without it). */
  baseline?: Placement;
  /** Demand per service (see {@link serviceDemands}). */
  services: ServiceDemands;
  /** First quarter (default: the first forecast quarter after the history). */
  from?: string;
  /** Last quarter (default: the forecast horizon). */
  to?: string;
  /** Keep only these DCs of the placement (a campaign's `dcs`; default all). */
  dcs?: readonly string[];
}

/** What the traffic stage gives. */
export interface TrafficResult {
  traffic: Traffic;
  /** The RTT effect of the move from the baseline placement, when one was given. */
  comparison?: RoutingComparison;
}

/**
 * Computes traffic.json's content and, with a baseline, the RTT comparison.
 * @param req forecast, placement, baseline, demand, quarter range, DCs
 * @param data regions, RTT, residency, load shape
 * @returns the traffic (and comparison)
 * @throws {StageInputError} on a quarter range outside the forecast or reversed
 * @throws {RangeError} when a country has no time zone
 * @example trafficStage({ forecast, placement, services }, data).traffic.dcs.singapore[0].total.peakRps.p50
 */
export function trafficStage(req: TrafficRequest, data: TrafficData): TrafficResult {
  const { forecast, placement } = req;
  const { rtt, residency } = data;
  const codes = data.regions.countries.map((c) => c.code);
  const routing = routeCountries(placement, codes, rtt, residency);
  const traffic = buildTraffic({
    forecast,
    countries: data.regions.countries,
    routing,
    services: req.services,
    shape: data.loadShape,
    quarters: quarterRange(forecast, req.from, req.to),
  });
  // The DCs were checked against the placement where they were given (a campaign's inputs).
  if (req.dcs) traffic.dcs = Object.fromEntries(Object.entries(traffic.dcs).filter(([d]) => req.dcs!.includes(d)));
  if (!req.baseline) return { traffic };
  const last = forecast.quarters[forecast.quarters.length - 1]!;
  const weights = Object.fromEntries(codes.map((c) => [c, last.byCountry[c]?.p50 ?? 0]));
  const comparison = compareRoutings(routeCountries(req.baseline, codes, rtt, residency), routing, weights);
  return { traffic, comparison };
}

/**
 * The demand per service the traffic model is fed: the catalog's (stated, derived from the synthetic users' photo
 * uploads, or observed), with a calibrated demand file's services laid over it.
 * @param catalog the resolved catalog
 * @param inputs data/usage.json (read only when a service's demand is `usage`, so a getter may load it on first use),
 *   each `observed` demand file by resolved path, and the calibration file (`--demand`) if any
 * @returns demand per service, in catalog order, calibrated services replaced or added
 * @throws {ValidationError} when an observed file has no fit for its service
 */
export function serviceDemands(catalog: Catalog, inputs: { readonly usage: Usage; observed: ReadonlyMap<string, DemandFile>; calibration?: DemandFile }): ServiceDemands {
  const usesUsage = catalog.services.some((s) => s.demand !== undefined && 'usage' in s.demand);
  const base = catalogDemands(catalog, { photosPerDay: usesUsage ? meanPhotosPerDay(inputs.usage) : 0, observed: inputs.observed });
  return inputs.calibration === undefined ? base : calibrate(base, inputs.calibration);
}

/**
 * The quarters the traffic covers: from `from` (default: the first forecast quarter after the history) to `to`
 * (default: the horizon).
 * @param forecast the forecast
 * @param from first quarter label, or undefined
 * @param to last quarter label, or undefined
 * @returns quarter labels in order
 * @throws {StageInputError} when a quarter lies outside the forecast, or `from` comes after `to`
 */
export function quarterRange(forecast: DemandBase, from: string | undefined, to: string | undefined): string[] {
  const labels = forecast.quarters.map((q) => q.quarter);
  const start = from ?? forecast.quarters.find((q) => q.kind === 'forecast')?.quarter ?? labels[0]!;
  const end = to ?? labels[labels.length - 1]!;
  const [a, b] = [labels.indexOf(start), labels.indexOf(end)];
  if (a < 0 || b < 0) throw new StageInputError(`quarters ${start}..${end} must lie within the forecast (${labels[0]} to ${labels[labels.length - 1]})`);
  if (quarterIndex(start) > quarterIndex(end)) throw new StageInputError(`--from ${start} comes after --to ${end}`);
  return labels.slice(a, b + 1);
}
