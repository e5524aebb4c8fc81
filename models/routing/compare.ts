/**
 * The effect of a placement change on latency: per country, the modeled RTT before and after, and the device-weighted
 * mean over all countries, so a report can show what the move buys and where it costs.
 */
import type { Routing } from './route.ts';

/** One country's RTT under two placements. */
export interface RttChange {
  /** ISO code. */
  country: string;
  /** DC and RTT before. */
  before: { dc: string; p50: number; p95: number };
  /** DC and RTT after. */
  after: { dc: string; p50: number; p95: number };
}

/** Comparison of two routings. */
export interface RoutingComparison {
  /** Placement names. */
  before: string;
  after: string;
  /** Per country, in the order of `before`. */
  countries: RttChange[];
  /** Mean RTT weighted by each country's weight (e.g. active devices), ms. */
  weightedMean: { before: { p50: number; p95: number }; after: { p50: number; p95: number } };
  /** Residency breaches before and after. */
  violations: { before: number; after: number };
}

/**
 * Compares two routings of the same countries.
 * @param before routing under the old placement
 * @param after routing under the new placement
 * @param weights country -> weight (e.g. active devices); countries without a weight count 0
 * @returns per-country changes and weighted means
 * @throws {RangeError} when a country of `before` is missing from `after`, or all weights are 0
 */
export function compareRoutings(before: Routing, after: Routing, weights: Readonly<Record<string, number>>): RoutingComparison {
  const afterBy = new Map(after.countries.map((r) => [r.country, r]));
  let total = 0;
  const sums = { b50: 0, b95: 0, a50: 0, a95: 0 };
  const countries = before.countries.map((b) => {
    const a = afterBy.get(b.country);
    if (!a) throw new RangeError(`compareRoutings: country ${b.country} is routed by ${before.placement} but not by ${after.placement}`);
    const w = weights[b.country] ?? 0;
    total += w;
    sums.b50 += w * b.rttMs.p50;
    sums.b95 += w * b.rttMs.p95;
    sums.a50 += w * a.rttMs.p50;
    sums.a95 += w * a.rttMs.p95;
    return { country: b.country, before: { dc: b.dc, ...b.rttMs }, after: { dc: a.dc, ...a.rttMs } };
  });
  if (!(total > 0)) throw new RangeError('compareRoutings: the weights of the routed countries sum to 0');
  const r = (v: number): number => Math.round((v / total) * 10) / 10;
  return {
    before: before.placement,
    after: after.placement,
    countries,
    weightedMean: { before: { p50: r(sums.b50), p95: r(sums.b95) }, after: { p50: r(sums.a50), p95: r(sums.a95) } },
    violations: { before: before.violations.length, after: after.violations.length },
  };
}
