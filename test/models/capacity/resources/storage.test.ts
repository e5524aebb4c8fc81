/**
 * Stored bytes per period, worked out by hand: writes per day = mean req/s x 86,400 x bytes per request x (1 - deleted
 * share), a quarter is 365.25 / 4 = 91.3125 days, a retention keeps only the writes of its last days, and a stock
 * held per device adds devices x bytes. The spread: ln(p90 path / p50 path) / z90 from demand and the bytes' own
 * ln(high / mid) / z90, added in quadrature (independent).
 */
import { describe, expect, it } from 'vitest';
import { Z90 } from '../../../../models/normal-quantile.ts';
import { DAYS_PER_QUARTER, storedBytes } from '../../../../models/capacity/resources/storage.ts';

const base = { bytesPerRequest: 3e6, bytesPerDevice: 0, retentionDays: null, deletedShare: 0.1, priorDays: 0, redundancy: { replicas: 3 }, iopsPerRequest: 0 } as const;
const flat = (p50: number, p90: number, devices = 0) => ({ meanRps: { p50, p90 }, activeDevices: { p50: devices, p90: devices } });

describe('storedBytes', () => {
  it('accumulates a quarter of writes less deletes', () => {
    const [q] = storedBytes(base, [flat(100, 150)]);
    const p50 = 100 * 86_400 * 91.3125 * 3e6 * 0.9; // 2.13e15 bytes = 2,130 TB
    expect(DAYS_PER_QUARTER).toBe(91.3125);
    expect(q!.p50).toBeCloseTo(p50, -3);
    // Only demand is uncertain (bytes a point): the p90 is the p90 path, 1.5 x
    expect(q!.p90 / q!.p50).toBeCloseTo(1.5, 12);
    expect(q!.p10).toBeCloseTo(p50 / 1.5, -3);
    expect(q!.writeBytesPerSecond).toBeCloseTo(100 * 3e6 * 0.9, 6);
  });

  it('keeps only the writes within the retention', () => {
    const s = storedBytes({ ...base, deletedShare: 0, retentionDays: 120 }, [flat(10, 10), flat(20, 20)]);
    const perDay = (rps: number): number => rps * 86_400 * 3e6;
    // End of Q1 (day 91.3125): all of Q1. End of Q2 (day 182.625): the window is days 62.625..182.625, so the last
    // 28.6875 days of Q1 and all of Q2.
    expect(s[0]!.p50).toBeCloseTo(perDay(10) * 91.3125, -3);
    expect(s[1]!.p50).toBeCloseTo(perDay(10) * 28.6875 + perDay(20) * 91.3125, -3);
  });

  it('adds the writes stored before the horizon and the per-device stock', () => {
    const s = storedBytes({ ...base, deletedShare: 0, priorDays: 365, bytesPerDevice: 500_000 }, [flat(10, 10, 1e6)]);
    const perDay = 10 * 86_400 * 3e6;
    expect(s[0]!.p50).toBeCloseTo(perDay * (365 + 91.3125) + 1e6 * 500_000, -3);
  });

  it('widens the band by the bytes\' own interval', () => {
    const [q] = storedBytes({ ...base, bytesPerRequest: { low: 1.5e6, mid: 3e6, high: 6e6 } }, [flat(100, 150)]);
    const sigma = Math.hypot(Math.log(1.5) / Z90, Math.log(2) / Z90);
    expect(q!.p90 / q!.p50).toBeCloseTo(Math.exp(Z90 * sigma), 10);
    expect(q!.p50 / q!.p10).toBeCloseTo(Math.exp(Z90 * sigma), 10);
  });
});
