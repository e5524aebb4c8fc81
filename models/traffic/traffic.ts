/**
 * Demand: requests per second per data center, quarter and service. Active devices per country (forecast bands)
 * times requests per device per day, spread over the day by each country's diurnal curve in UTC (the service's own
 * local curve when it has one, calibrated or from a catalog, else the shared one), summed over the countries a DC serves; the busiest hour times the weekly peak-day factor gives the peak, and flash sales multiply
 * chosen services in their country's sale hour. The p50 and p90 bands are computed separately from the devices'
 * p50 and p90: the forecast splits every draw across countries by fixed shares, so country bands move together and
 * sums of their quantiles are quantiles of the sum.
 */
import { quarterIndex } from '../quarter.ts';
import type { Routing } from '../routing/route.ts';
import type { DemandBase } from '../world/demand-base.ts';
import type { Band2, Traffic, TrafficDcQuarter, TrafficDemandSource, TrafficService } from '../types.ts';
import { normaliseMean, utcCurve, utcOffsetHours } from './diurnal.ts';
import { MODELED_SOURCE, type ServiceDemands } from './service-demand.ts';
import type { LoadShape } from './settings.ts';

/** Inputs of {@link buildTraffic}. */
export interface TrafficInput {
  /** The demand base: a growth forecast, or a world's series or grown peak. */
  forecast: DemandBase;
  /** Countries with their time zones (the world's countries (data/world.json) countries). */
  countries: readonly { code: string; timeZone: string }[];
  /** Routing of the placement. */
  routing: Routing;
  /** Demand per service: requests per device per day, an optional own curve, and its source (see modeledDemands). */
  services: ServiceDemands;
  /** data/load-shape.json. */
  shape: LoadShape;
  /** Quarters to compute (labels within the forecast), in order. */
  quarters: readonly string[];
}

const SECONDS_PER_DAY = 86400;

/**
 * Builds traffic.json's content.
 * @param input forecast, countries, routing, demand, load shape, quarters
 * @returns the traffic
 * @throws {RangeError} when a quarter is outside the forecast or a country has no time zone
 */
export function buildTraffic(input: TrafficInput): Traffic {
  const { forecast, routing } = input;
  const demand: Record<string, number> = Object.fromEntries(Object.entries(input.services).map(([s, d]) => [s, d.perDevicePerDay]));
  const services = Object.keys(demand).sort();
  // A flash sale multiplies the services it names; those of another catalog are not these, and a sale that names none
  // of the planned services changes nothing, so neither is applied nor recorded.
  const shape = {
    ...input.shape,
    flashSales: input.shape.flashSales
      .map((sale) => ({ ...sale, multipliers: Object.fromEntries(Object.entries(sale.multipliers).filter(([svc]) => svc in demand)) }))
      .filter((sale) => Object.keys(sale.multipliers).length > 0),
  };
  const local = normaliseMean(shape.diurnal.localHourWeights);
  const ownLocal = new Map(services.flatMap((s) => {
    const w = input.services[s]!.localHourWeights;
    return w ? [[s, normaliseMean(w)] as const] : [];
  }));
  const week = normaliseMean(shape.weekly.dayWeights);
  const weeklyPeak = Math.max(...week);
  const zoneOf = new Map(input.countries.map((c) => [c.code, c.timeZone]));
  const firstQ = quarterIndex(forecast.quarters[0]!.quarter);
  const dcs: Record<string, TrafficDcQuarter[]> = Object.fromEntries(routing.dcs.map((d) => [d, []]));

  for (const label of input.quarters) {
    const qi = quarterIndex(label) - firstQ;
    const fq = forecast.quarters[qi];
    if (!fq || fq.quarter !== label) throw new RangeError(`buildTraffic: quarter ${label} is outside the forecast (${forecast.horizon.first} to ${forecast.horizon.last})`);
    // Offsets at mid-quarter, so daylight saving is that of the quarter.
    const mid = new Date(Date.UTC(Math.floor(quarterIndex(label) / 4), (quarterIndex(label) % 4) * 3 + 1, 15));
    const curves = new Map<string, number[]>();
    const offsets = new Map<string, number>();
    for (const r of routing.countries) {
      const tz = zoneOf.get(r.country);
      if (!tz) throw new RangeError(`buildTraffic: country ${r.country} has no time zone among the world's countries`);
      const off = utcOffsetHours(tz, mid);
      offsets.set(r.country, off);
      curves.set(r.country, utcCurve(local, off));
    }
    // Per service and country; services on the shared curve share its arrays, so their arithmetic is unchanged.
    const curveOf = new Map(services.map((s) => {
      const own = ownLocal.get(s);
      return [s, own ? new Map([...offsets].map(([c, off]) => [c, utcCurve(own, off)])) : curves] as const;
    }));
    for (const dc of routing.dcs) {
      const served = routing.countries.filter((r) => r.dc === dc).map((r) => r.country);
      const devices = (key: 'p50' | 'p90', c: string): number => fq.byCountry[c]?.[key] ?? 0;
      const totalDevices = { p50: sum(served.map((c) => devices('p50', c))), p90: sum(served.map((c) => devices('p90', c))) };
      // The DC's hourly curve, device-weighted (p50) over its countries; with per-service curves, request-weighted too.
      const dailyRequests = sum(services.map((s) => demand[s]!)) * totalDevices.p50;
      const hourly = ownLocal.size === 0 || !(dailyRequests > 0)
        ? Array.from({ length: 24 }, (_, h) => sum(served.map((c) => devices('p50', c) * curves.get(c)![h]!)) / totalDevices.p50)
        : Array.from({ length: 24 }, (_, h) => sum(services.map((s) => sum(served.map((c) => devices('p50', c) * demand[s]! * curveOf.get(s)!.get(c)![h]!)))) / dailyRequests);
      const diurnalUtc = totalDevices.p50 > 0 ? hourly.map((v) => round(v, 4)) : new Array<number>(24).fill(0);
      const peakHourUtc = diurnalUtc.indexOf(Math.max(...diurnalUtc));
      // Hours in which a flash sale runs in one of this DC's countries.
      const saleHours = shape.flashSales.flatMap((s) => s.countries.filter((c) => served.includes(c)).map((c) => ({
        sale: s, hour: ((Math.round(s.localHour - offsets.get(c)!) % 24) + 24) % 24,
      })));
      const perService: Record<string, TrafficService> = {};
      const totals = { meanRps: { p50: 0, p90: 0 }, peakRps: { p50: 0, p90: 0 }, flashSaleRps: { p50: 0, p90: 0 } };
      for (const s of services) {
        const rate = demand[s]!;
        const sc = curveOf.get(s)!;
        const at = (key: 'p50' | 'p90', h: number, mult: (c: string) => number): number =>
          sum(served.map((c) => devices(key, c) * rate * sc.get(c)![h]! * mult(c))) / SECONDS_PER_DAY;
        const band = (f: (key: 'p50' | 'p90') => number): Band2 => ({ p50: round(f('p50'), 3), p90: round(f('p90'), 3) });
        const meanRps = band((k) => (totalDevices[k] * rate) / SECONDS_PER_DAY);
        const peakAt = (k: 'p50' | 'p90'): number => Math.max(...Array.from({ length: 24 }, (_, h) => at(k, h, () => 1))) * weeklyPeak;
        const peakRps = band(peakAt);
        let flashSale: string | null = null;
        const flashAt = (k: 'p50' | 'p90'): number => {
          let best = peakAt(k);
          for (const { sale, hour } of saleHours) {
            const m = sale.multipliers[s] ?? 1;
            if (m <= 1) continue;
            const v = at(k, hour, (c) => (sale.countries.includes(c) ? m : 1)) * weeklyPeak;
            if (v > best) {
              best = v;
              if (k === 'p50') flashSale = sale.name;
            }
          }
          return best;
        };
        const flashSaleRps = band(flashAt);
        perService[s] = { meanRps, peakRps, flashSaleRps, flashSale };
        for (const key of ['meanRps', 'peakRps', 'flashSaleRps'] as const) {
          totals[key].p50 = round(totals[key].p50 + perService[s][key].p50, 3);
          totals[key].p90 = round(totals[key].p90 + perService[s][key].p90, 3);
        }
      }
      // Each country alone: its busiest hour over all services, flash sales in it included.
      const countryPeaks: Record<string, { flashSaleRps: Band2 }> = {};
      for (const c of served) {
        const hourRate = (key: 'p50' | 'p90', h: number, inSale: boolean, sale?: (typeof shape.flashSales)[number]): number =>
          sum(services.map((s) => devices(key, c) * demand[s]! * curveOf.get(s)!.get(c)![h]! * (inSale ? (sale!.multipliers[s] ?? 1) : 1))) / SECONDS_PER_DAY;
        const peak = (key: 'p50' | 'p90'): number => {
          let best = Math.max(...Array.from({ length: 24 }, (_, h) => hourRate(key, h, false)));
          for (const { sale, hour } of saleHours) if (sale.countries.includes(c)) best = Math.max(best, hourRate(key, hour, true, sale));
          return round(best * weeklyPeak, 3);
        };
        countryPeaks[c] = { flashSaleRps: { p50: peak('p50'), p90: peak('p90') } };
      }
      dcs[dc]!.push({
        quarter: label,
        activeDevices: { p50: Math.round(totalDevices.p50), p90: Math.round(totalDevices.p90) },
        peakHourUtc,
        diurnalUtc,
        services: perService,
        total: totals,
        countries: countryPeaks,
      });
    }
  }
  return {
    schema: 'caplab.traffic/v1',
    placement: routing.placement,
    demand,
    ...demandSources(input.services),
    ...(forecast.driver ? { driver: forecast.driver } : {}),
    shape: { localHourWeights: local.map((w) => round(w, 4)), weeklyPeakFactor: round(weeklyPeak, 4) },
    flashSales: shape.flashSales.map((s) => ({ name: s.name, countries: [...s.countries], localHour: s.localHour, multipliers: { ...s.multipliers } })),
    routing: routing.countries.map((r) => ({ ...r, rttMs: { ...r.rttMs } })),
    violations: routing.violations.map((v) => ({ ...v, allowedDcs: [...v.allowedDcs] })),
    dcs,
  };
}

/** `demandSources` for traffic.json, only when some service is not the modeled default (so modeled files keep their bytes). */
function demandSources(services: ServiceDemands): { demandSources?: Record<string, TrafficDemandSource> } {
  const entries = Object.entries(services);
  if (entries.every(([, d]) => d.source === MODELED_SOURCE && !d.localHourWeights && !d.fit)) return {};
  return {
    demandSources: Object.fromEntries(entries.map(([s, d]) => [s, {
      source: d.source, curve: d.localHourWeights ? 'own' : 'shared', ...(d.fit ? { fit: structuredClone(d.fit) } : {}),
    } satisfies TrafficDemandSource])),
  };
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
