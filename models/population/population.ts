/**
 * The population of one quarter: active devices per country (from the forecast), and per country the mix of
 * device models and OS releases among phones still in use. Phones are counted by vintage: those sold in quarter v
 * in country c are shipments(v) x salesShare(c, v) x survival(age), and each vintage sold the models on sale then.
 * A demand base without shipments (a world's series or grown peak) has no vintages: its units carry no device mix.
 * Pure: data in, data out.
 */
import { salesShares } from '../growth/countries.ts';
import type { Regions } from '../growth/settings.ts';
import { survivalByLag } from '../growth/survival.ts';
import { ValidationError } from '../errors.ts';
import { quarterIndex } from '../quarter.ts';
import type { DemandBase } from '../world/demand-base.ts';
import type { Forecast, Population, PopulationCountry, PopulationDevice } from '../types.ts';
import type { Devices, Usage } from './settings.ts';

/** Inputs of {@link buildPopulation}. */
export interface PopulationInput {
  /** The forecast (forecast.json content), or a world's demand base without shipments. */
  forecast: Forecast | DemandBase;
  /** Quarter to describe, e.g. `2015Q4`; must lie within the forecast. */
  quarter: string;
  /** data/devices.json. */
  devices: Devices;
  /** the world's countries (data/world.json) (locale, time zone and calling code of each country). */
  regions: Regions;
  /** data/usage.json. */
  usage: Usage;
  /** Seed of the users. */
  seed: number;
}

/** Shares below this are dropped so the mix lists phones people actually use; the rest is re-normalised. */
const MIN_SHARE = 1e-4;

/**
 * Builds population.json's content for one quarter from the forecast's p50 path.
 * @param input forecast, quarter, devices, regions, usage, seed
 * @returns the population
 * @throws {ValidationError} when the quarter is outside the forecast or no country has active devices then
 */
export function buildPopulation(input: PopulationInput): Population {
  const { forecast, devices, regions } = input;
  const quarters = forecast.quarters;
  const firstQ = quarterIndex(quarters[0]!.quarter);
  let qi: number;
  try {
    qi = quarterIndex(input.quarter) - firstQ;
  } catch (err) {
    throw new ValidationError('population quarter is invalid', [{ where: '--quarter', message: (err as Error).message }]);
  }
  if (qi < 0 || qi >= quarters.length) {
    throw new ValidationError('population quarter is invalid', [
      { where: '--quarter', message: `${input.quarter} is outside the forecast (${forecast.horizon.first} to ${forecast.horizon.last})` },
    ]);
  }
  const vintages = 'assumptions' in forecast ? forecast : undefined;
  const survival = vintages ? survivalByLag(qi + 1, vintages.assumptions.survival.medianYears, vintages.assumptions.survival.shape) : [];
  const endOfQuarter = (firstQ + qi + 1) / 4;
  const osByModel = devices.models.map((m) => osMix(devices, m.launch, m.endOfSale, endOfQuarter));
  const quarter = quarters[qi]!;

  const totalActive = regions.countries.reduce((s, c) => s + (quarter.byCountry[c.code]?.p50 ?? 0), 0);
  if (!(totalActive > 0)) {
    throw new ValidationError('population quarter is invalid', [{ where: '--quarter', message: `no active devices in ${input.quarter}` }]);
  }
  // Vintage weights of a country's phones still in use at the end of the quarter.
  const deviceMix = (f: Forecast, qi: number, ci: number): PopulationDevice[] => {
    const byModel = new Float64Array(devices.models.length);
    for (let v = 0; v <= qi; v++) {
      const mid = (firstQ + v + 0.5) / 4;
      const w = f.quarters[v]!.shipments.p50 * salesShares(regions.countries, regions.baseYear, mid)[ci]! * survival[qi - v]!;
      if (!(w > 0)) continue;
      const onSale = modelShares(devices, mid);
      onSale.forEach((s, m) => (byModel[m] = byModel[m]! + w * s));
    }
    const cells: PopulationDevice[] = [];
    devices.models.forEach((m, mi) => {
      for (const [version, s] of osByModel[mi]!) cells.push({ model: m.model, osVersion: version, share: byModel[mi]! * s });
    });
    return normalise(cells);
  };
  const countries: PopulationCountry[] = [];
  const modelTotals = new Map<string, number>();
  const osTotals = new Map<string, number>();
  regions.countries.forEach((c, ci) => {
    const active = quarter.byCountry[c.code];
    if (!active || !(active.p50 > 0)) return;
    const share = active.p50 / totalActive;
    if (share < MIN_SHARE) return;
    const mix = vintages ? deviceMix(vintages, qi, ci) : [{ model: 'unspecified', osVersion: 'unspecified', share: 1 }];
    countries.push({
      code: c.code,
      name: c.name,
      region: c.region,
      timeZone: c.timeZone,
      locale: c.locale,
      callingCode: c.callingCode,
      activeDevices: active,
      share,
      devices: mix,
    });
    for (const d of mix) {
      modelTotals.set(d.model, (modelTotals.get(d.model) ?? 0) + share * d.share);
      osTotals.set(d.osVersion, (osTotals.get(d.osVersion) ?? 0) + share * d.share);
    }
  });
  const countryTotal = countries.reduce((s, c) => s + c.share, 0);
  for (const c of countries) c.share = round6(c.share / countryTotal);
  return {
    schema: 'caplab.population/v1',
    seed: input.seed,
    quarter: quarter.quarter,
    activeDevices: quarter.activeDevices,
    countries,
    deviceModels: roundedRecord(modelTotals, countryTotal),
    osVersions: roundedRecord(osTotals, countryTotal),
    usage: {
      contacts: { distribution: 'lognormal', median: input.usage.contacts.median, sigma: input.usage.contacts.sigma, max: input.usage.contacts.max },
      photosPerDay: {
        distribution: 'zero-inflated-lognormal',
        zeroShare: input.usage.photosPerDay.zeroShare,
        median: input.usage.photosPerDay.median,
        sigma: input.usage.photosPerDay.sigma,
        max: input.usage.photosPerDay.max,
      },
    },
  };
}

/**
 * Share of each model in sales at instant t: the models on sale by weight; before the first launch or after
 * every end of sale, the nearest models in time (so a long horizon still has phones to sell).
 */
function modelShares(devices: Devices, t: number): number[] {
  const models = devices.models;
  let w = models.map((m) => (t >= m.launch && t < m.endOfSale ? m.weight : 0));
  if (!w.some((x) => x > 0)) {
    const launched = models.filter((m) => m.launch <= t);
    const latest = launched.length > 0 ? Math.max(...launched.map((m) => m.launch)) : Math.min(...models.map((m) => m.launch));
    w = models.map((m) => (m.launch === latest ? m.weight : 0));
  }
  const total = w.reduce((s, x) => s + x, 0);
  return w.map((x) => x / total);
}

/**
 * OS releases a model runs at instant t with their shares: from the release it shipped with up to the newest one
 * released by t within its support window; the newest has weight 1 and each older `decay` times the next.
 */
function osMix(devices: Devices, launch: number, endOfSale: number, t: number): [string, number][] {
  const versions = devices.os.versions;
  let shipped = 0;
  versions.forEach((v, i) => { if (v.released <= launch) shipped = i; });
  const until = Math.min(t, endOfSale + devices.os.supportYears);
  const avail = versions.filter((v, i) => i >= shipped && (i === shipped || v.released <= until));
  const weights = avail.map((_, i) => devices.os.decay ** (avail.length - 1 - i));
  const total = weights.reduce((s, x) => s + x, 0);
  return avail.map((v, i) => [v.version, weights[i]! / total]);
}

function normalise(cells: PopulationDevice[]): PopulationDevice[] {
  const total = cells.reduce((s, c) => s + c.share, 0);
  const kept = cells.filter((c) => c.share / total >= MIN_SHARE);
  const keptTotal = kept.reduce((s, c) => s + c.share, 0);
  return kept.map((c) => ({ ...c, share: round6(c.share / keptTotal) }));
}

function roundedRecord(totals: Map<string, number>, total: number): Record<string, number> {
  const entries = [...totals.entries()].sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(entries.map(([k, v]) => [k, round6(v / total)]));
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
