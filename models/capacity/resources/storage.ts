/**
 * Data stored by one service at one site, period by period: what every active device keeps, plus what its requests
 * wrote and still keep (within the retention, less what users delete), plus the writes already stored when the
 * horizon begins. Two paths, the median and the 90th percentile of demand (growth is persistent, so a path stays on
 * its side of the median), and a lognormal spread around the median from the demand path and the byte sizes' own
 * intervals (independent of each other).
 */
import { Z90 } from '../../normal-quantile.ts';
import type { Band2 } from '../../types.ts';
import { interval, intervalSigma, type Resources } from './desires.ts';

/** Days in a quarter: a year of 365.25 days over four. */
export const DAYS_PER_QUARTER = 365.25 / 4;

/** One period's use of a service at a site. */
export interface StoragePeriod {
  /** Mean requests per second over the day. */
  meanRps: Band2;
  /** Active devices served. */
  activeDevices: Band2;
}

/** Stored bytes at the end of a period: p10/p50/p90, and the p50 path's bytes written per second during it. */
export interface StoredBand {
  p10: number;
  p50: number;
  p90: number;
  /** Bytes kept per second of the period on the median path (after deletes), what a copy must catch up with. */
  writeBytesPerSecond: number;
}

/**
 * Stored bytes (before redundancy) at the end of each period.
 * @param storage the service's `resources.storage`
 * @param periods consecutive periods (quarters of {@link DAYS_PER_QUARTER} days), in order
 * @returns one band per period, bytes
 * @example storedBytes({ bytesPerRequest: 1000, bytesPerDevice: 0, retentionDays: null, deletedShare: 0, priorDays: 0, redundancy: { replicas: 3 }, iopsPerRequest: 0 },
 *   [{ meanRps: { p50: 1, p90: 1 }, activeDevices: { p50: 0, p90: 0 } }])[0].p50 // 1000 x 86400 x 91.3125
 */
export function storedBytes(storage: NonNullable<Resources['storage']>, periods: readonly StoragePeriod[]): StoredBand[] {
  const perRequest = interval(storage.bytesPerRequest);
  const perDevice = interval(storage.bytesPerDevice);
  const keep = 1 - storage.deletedShare;
  const retention = storage.retentionDays ?? Infinity;
  const day = 86_400;
  const path = (pick: 'p50' | 'p90'): { written: number[]; devices: number[] } => {
    const written: number[] = [];
    const devices: number[] = [];
    periods.forEach((_, t) => {
      const end = (t + 1) * DAYS_PER_QUARTER;
      const from = end - retention;
      let bytes = 0;
      // Bytes kept per day of writing; writes before the horizon: the first period's rate over priorDays.
      const firstRate = periods[0]!.meanRps[pick] * day * perRequest.mid * keep;
      bytes += firstRate * overlap(-storage.priorDays, 0, from, end);
      for (let k = 0; k <= t; k++) {
        const rate = periods[k]!.meanRps[pick] * day * perRequest.mid * keep;
        bytes += rate * overlap(k * DAYS_PER_QUARTER, (k + 1) * DAYS_PER_QUARTER, from, end);
      }
      written.push(bytes);
      devices.push(periods[t]!.activeDevices[pick] * perDevice.mid);
    });
    return { written, devices };
  };
  const mid = path('p50');
  const high = path('p90');
  const sigmaWritten = intervalSigma(perRequest);
  const sigmaDevice = intervalSigma(perDevice);
  return periods.map((p, t) => {
    const w = mid.written[t]!;
    const d = mid.devices[t]!;
    const p50 = w + d;
    const p90Path = high.written[t]! + high.devices[t]!;
    const sigmaDemand = p50 > 0 && p90Path > p50 ? Math.log(p90Path / p50) / Z90 : 0;
    // The byte sizes' spread, weighted by the part of the stock each sizes.
    const sigmaBytes = p50 > 0 ? (w * sigmaWritten + d * sigmaDevice) / p50 : 0;
    const sigma = Math.hypot(sigmaDemand, sigmaBytes);
    return {
      p10: p50 * Math.exp(-Z90 * sigma),
      p50,
      p90: p50 * Math.exp(Z90 * sigma),
      writeBytesPerSecond: p.meanRps.p50 * perRequest.mid * keep,
    };
  });
}

/** Days of [a, b] inside [from, to]. */
function overlap(a: number, b: number, from: number, to: number): number {
  return Math.max(0, Math.min(b, to) - Math.max(a, from));
}
