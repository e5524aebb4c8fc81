/**
 * `caplab traffic`: route countries to data centers for a placement, turn the forecast's active devices into requests
 * per second per DC, quarter and service, print the tables and the RTT effect of the move from Beijing, and write
 * <out-dir>/traffic.json (or print it with --json and write nothing). Demand per service is what the service catalog
 * states (`--catalog`, default data/catalog.json), and `--demand demand.json` (from `caplab demand fit`) calibrates
 * services over it.
 */
import { join } from 'node:path';
import { RegionsSchema } from '../../models/growth/settings.ts';
import { quarterIndex } from '../../models/quarter.ts';
import { compareRoutings } from '../../models/routing/compare.ts';
import { routeCountries } from '../../models/routing/route.ts';
import { calibrate, type ServiceDemands } from '../../models/traffic/service-demand.ts';
import { buildTraffic } from '../../models/traffic/traffic.ts';
import { LoadShapeSchema } from '../../models/traffic/settings.ts';
import type { Forecast, Traffic } from '../../models/types.ts';
import type { Catalog } from '../../scenarios/catalog.ts';
import { catalogOf, catalogServiceDemands } from '../inputs/catalog.ts';
import type { CommandRun } from '../context.ts';
import { loadData } from '../data.ts';
import { readDemandFile } from '../inputs/demand.ts';
import { EXIT, InputError } from '../errors.ts';
import { forecastInput } from '../inputs/forecast.ts';
import { writeFileAtomic } from '../io.ts';
import { renderComparison, renderTraffic } from '../print/traffic.ts';
import { loadPlacement, loadRoutingData } from '../inputs/routing.ts';

/** Options of `caplab traffic`. */
export interface TrafficOptions {
  forecast?: string;
  placement: string;
  baseline: string;
  from?: string;
  to?: string;
  /** A `caplab.demand/v1` file whose services replace or extend the catalog's. */
  demand?: string;
  /** A `caplab.catalog/v1` file whose services' demand is planned (default: data/catalog.json). */
  catalog?: string;
  json: boolean;
}

/**
 * Computes traffic.json's content and the comparison with the baseline placement.
 * @param opts command options (`demand`: a calibrated demand file laid over the services; `catalog`: a catalog file)
 * @param seed seed for a computed forecast
 * @param catalog an already loaded catalog (campaign's), which takes the place of `opts.catalog`
 * @returns traffic and comparison
 * @throws {InputError} on unreadable inputs or a bad quarter range
 * @throws {ValidationError} on invalid data files, forecast, catalog or demand file
 * @example const { traffic } = await computeTraffic({ demand: 'caplab-out/demand.json' }, 1)
 */
export async function computeTraffic(opts: Partial<TrafficOptions>, seed: number, catalog?: Catalog) {
  const forecast = await forecastInput(opts.forecast, seed);
  const { rtt, residency } = loadRoutingData();
  const regions = loadData('regions.json', RegionsSchema);
  const placement = await loadPlacement(opts.placement ?? 'seed-4dc', rtt);
  const baseline = await loadPlacement(opts.baseline ?? 'beijing-only', rtt);
  const codes = regions.countries.map((c) => c.code);
  const routing = routeCountries(placement, codes, rtt, residency);
  const traffic = buildTraffic({
    forecast,
    countries: regions.countries,
    routing,
    services: await demandServices(opts.demand, await catalogOf(catalog ?? opts.catalog, undefined)),
    shape: loadData('load-shape.json', LoadShapeSchema),
    quarters: quarterRange(forecast, opts.from, opts.to),
  });
  const last = forecast.quarters[forecast.quarters.length - 1]!;
  const weights = Object.fromEntries(codes.map((c) => [c, last.byCountry[c]?.p50 ?? 0]));
  const comparison = compareRoutings(routeCountries(baseline, codes, rtt, residency), routing, weights);
  return { traffic, comparison };
}

/** The catalog's demand, with a calibrated demand file laid over it. */
async function demandServices(demandFile: string | undefined, catalog: Catalog): Promise<ServiceDemands> {
  const base = await catalogServiceDemands(catalog);
  return demandFile === undefined ? base : calibrate(base, await readDemandFile(demandFile));
}

/** Quarters from `from` (default: the first forecast quarter after the history) to `to` (default: the horizon). */
function quarterRange(forecast: Forecast, from: string | undefined, to: string | undefined): string[] {
  const labels = forecast.quarters.map((q) => q.quarter);
  const start = from ?? forecast.quarters.find((q) => q.kind === 'forecast')?.quarter ?? labels[0]!;
  const end = to ?? labels[labels.length - 1]!;
  const [a, b] = [labels.indexOf(start), labels.indexOf(end)];
  if (a < 0 || b < 0) throw new InputError(`quarters ${start}..${end} must lie within the forecast (${labels[0]} to ${labels[labels.length - 1]})`);
  if (quarterIndex(start) > quarterIndex(end)) throw new InputError(`--from ${start} comes after --to ${end}`);
  return labels.slice(a, b + 1);
}

/**
 * Serialises traffic exactly as traffic.json holds it.
 * @param t traffic
 * @returns JSON text with a trailing newline
 */
export function trafficJson(t: Traffic): string {
  return `${JSON.stringify(t, null, 2)}\n`;
}

/** Runs `caplab traffic`. */
export const run: CommandRun<TrafficOptions> = async ({ opts, global }) => {
  const { traffic, comparison } = await computeTraffic(opts, global.seed);
  const json = trafficJson(traffic);
  if (opts.json) {
    process.stdout.write(json);
    return EXIT.ok;
  }
  const path = join(global.outDir, 'traffic.json');
  await writeFileAtomic(path, json);
  process.stdout.write(`${renderTraffic(traffic)}\n${renderComparison(comparison)}`);
  if (!global.quiet) process.stdout.write(`\nwrote ${path}\n`);
  return EXIT.ok;
};
