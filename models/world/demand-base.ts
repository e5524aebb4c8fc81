/**
 * The demand base a world's traffic is computed from: per period, how many users or devices are active in each
 * country (p10/p50/p90). A growth forecast (driver `forecast`) is one; this module builds the others from a world's
 * driver: a stated series per period (`series`), or today's peak req/s grown by a low/mid/high rate per period
 * (`peak-rps`), whose units are scaled so the traffic model's peak at the stated period is the stated peak.
 */
import { quarterIndex, quarterLabel } from '../quarter.ts';
import type { Regions } from '../growth/settings.ts';
import type { Band, DriverSummary, Forecast, ForecastQuarter } from '../types.ts';

export type { DriverSummary };

/** One period of a demand base. */
export type DemandBaseQuarter = Pick<ForecastQuarter, 'quarter' | 'kind' | 'activeDevices' | 'byRegion' | 'byCountry'>;

/** A demand base: the forecast's shape, without what only a growth forecast has. */
export interface DemandBase {
  horizon: { first: string; last: string };
  /** Region labels by key. */
  regions: Record<string, string>;
  quarters: DemandBaseQuarter[];
  /** How it was made (absent on a growth forecast read from a file written before worlds). */
  driver?: DriverSummary;
}

/** One row of a `series` driver: the band of active units in a period. */
export interface SeriesRow {
  period: string;
  value: Band;
}

/**
 * A demand base from per-period bands of active units, split over the countries by their share.
 * @param rows one band per period, in any order (a period listed once)
 * @param regions the world's countries and regions
 * @param historyUntil the last period that is observed rather than forecast (`kind: history`), or null
 * @param driver what drove it
 * @returns the base, periods in time order
 * @throws {RangeError} when rows are empty
 */
export function demandBase(rows: readonly SeriesRow[], regions: Regions, historyUntil: string | null, driver: DriverSummary): DemandBase {
  if (rows.length === 0) throw new RangeError('demandBase: no periods');
  const sorted = [...rows].sort((a, b) => quarterIndex(a.period) - quarterIndex(b.period));
  const total = regions.countries.reduce((s, c) => s + c.share, 0);
  const shares = regions.countries.map((c) => c.share / total);
  const until = historyUntil === null ? -Infinity : quarterIndex(historyUntil);
  const scale = (b: Band, f: number): Band => ({ p10: b.p10 * f, p50: b.p50 * f, p90: b.p90 * f });
  const quarters = sorted.map((r): DemandBaseQuarter => {
    const byCountry: Record<string, Band> = {};
    const byRegion: Record<string, Band> = {};
    regions.countries.forEach((c, i) => {
      const b = scale(r.value, shares[i]!);
      byCountry[c.code] = b;
      const prev = byRegion[c.region] ?? { p10: 0, p50: 0, p90: 0 };
      byRegion[c.region] = { p10: prev.p10 + b.p10, p50: prev.p50 + b.p50, p90: prev.p90 + b.p90 };
    });
    return { quarter: r.period, kind: quarterIndex(r.period) <= until ? 'history' : 'forecast', activeDevices: r.value, byCountry, byRegion };
  });
  return { horizon: { first: quarters[0]!.quarter, last: quarters[quarters.length - 1]!.quarter }, regions: regions.regions, quarters, driver };
}

/**
 * The bands of a peak grown per period from a stated period: low, mid and high compound as the p10, p50 and p90
 * paths (growth taken as one rate for the whole horizon, as a planner's scenario; not independent per period).
 * @param units the units at `at` (the same in every band: today's peak is known)
 * @param at the stated period
 * @param growth growth per period: low <= mid <= high, each above -1
 * @param from first period of the result
 * @param to last period of the result
 * @returns one row per period from `from` to `to`
 * @throws {RangeError} when `to` comes before `from`
 * @example grownRows(100, '2026Q4', { low: 0, mid: 0.1, high: 0.2 }, '2027Q1', '2027Q1') // [{ period: '2027Q1', value: { p10: 100, p50: 110, p90: 120 } }]
 */
export function grownRows(units: number, at: string, growth: { low: number; mid: number; high: number }, from: string, to: string): SeriesRow[] {
  const [a, b, s] = [quarterIndex(from), quarterIndex(to), quarterIndex(at)];
  if (b < a) throw new RangeError(`grownRows: ${to} comes before ${from}`);
  const rows: SeriesRow[] = [];
  for (let q = a; q <= b; q++) {
    const k = q - s;
    // Before the stated period the same paths run backwards: the fastest growth gives the smallest past.
    const paths = [growth.low, growth.mid, growth.high].map((g) => units * (1 + g) ** k).sort((x, y) => x - y);
    rows.push({ period: quarterLabel(q), value: { p10: paths[0]!, p50: paths[1]!, p90: paths[2]! } });
  }
  return rows;
}

/**
 * A growth forecast as a demand base: the forecast itself, with its driver said in the world's words.
 * @param forecast the forecast
 * @param unit what its history counts
 * @returns the forecast, typed as a base, with `driver`
 */
export function forecastBase(forecast: Forecast, unit: { one: string; many: string }): DemandBase & Forecast {
  return {
    ...forecast,
    driver: { kind: 'forecast', unit, text: `a growth forecast (${forecast.model.model}) fitted to the ${unit.one} history of ${forecast.history.source}` },
  };
}
