/**
 * Modeled round-trip times between a client country and a data center. the world's RTT tables gives the median; the tail
 * follows a lognormal with the file's jitter sigma, so p95 = median * exp(1.645 sigma).
 */
import type { Rtt } from './settings.ts';

/** z-score of the 95th percentile of a standard normal. */
const Z95 = 1.6448536269514722;

/**
 * Median RTT from a country to a DC.
 * @param rtt the world's RTT tables
 * @param dc data center
 * @param country ISO code
 * @returns milliseconds
 * @throws {RangeError} when the DC is not in the table
 */
export function medianRttMs(rtt: Rtt, dc: string, country: string): number {
  const table = rtt.dcs[dc];
  if (!table) throw new RangeError(`no RTT table for data center "${dc}" in the world's RTT tables (known: ${Object.keys(rtt.dcs).join(', ')})`);
  return table[country] ?? table.default!;
}

/**
 * Median and 95th percentile RTT from a country to a DC.
 * @param rtt the world's RTT tables
 * @param dc data center
 * @param country ISO code
 * @returns `{p50, p95}` in milliseconds (p95 rounded to 0.1 ms)
 * @throws {RangeError} when the DC is not in the table
 * @example rttBand(rtt, 'singapore', 'ID') // { p50: 20, p95: 30.1 } with sigma 0.25
 */
export function rttBand(rtt: Rtt, dc: string, country: string): { p50: number; p95: number } {
  const p50 = medianRttMs(rtt, dc, country);
  return { p50, p95: Math.round(p50 * Math.exp(Z95 * rtt.jitter.sigma) * 10) / 10 };
}
