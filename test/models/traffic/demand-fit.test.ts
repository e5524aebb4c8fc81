/**
 * The demand fit recovers known demand from synthetic telemetry. Two DCs with different country mixes and zones (one
 * with a half-hour zone, one west of UTC), two services with different curves, 2 days of 5-minute Poisson counts.
 *
 * Tolerances, from the counts: over whole days the pooled rate is (total requests / days) / total devices, a Poisson
 * total N has relative standard error 1/sqrt(N), so perDevicePerDay must be within 4 standard errors (r / sqrt(N)).
 * Each hourly weight rests on about 2 x 3600 x rate x w requests per DC (relative noise 0.2-2% at these rates), and
 * inverting the time-zone mixture amplifies it by the conditioning of the stacked 48 x 24 system: each weight must
 * lie within 0.05 of the true one (measured with seed 7: 0.0045 for sync, 0.020 for ota, whose 2 requests per device
 * per day give 6 times fewer counts; rate errors 0.3 and 1.4 standard errors). Noise-free telemetry must give the
 * curve back exactly (within the 5-decimal rounding of the file).
 */
import { describe, expect, it } from 'vitest';
import type { DcMix } from '../../../models/traffic/dc-mix.ts';
import { fitDemand } from '../../../models/traffic/demand-fit.ts';
import { DemandFileSchema } from '../../../models/traffic/demand-file.ts';
import { normaliseMean } from '../../../models/traffic/diurnal.ts';
import { nnls } from '../../../models/traffic/nnls.ts';
import { checkTelemetry, type Observation } from '../../../models/traffic/telemetry.ts';
import { expectedRps, syntheticTelemetry } from '../../helpers/telemetry.ts';

const DCS: Record<string, DcMix> = {
  east: { devices: 200_000, countries: [{ country: 'AA', share: 0.6, offsetHours: 8 }, { country: 'BB', share: 0.3, offsetHours: 5.5 }, { country: 'CC', share: 0.1, offsetHours: 7 }] },
  west: { devices: 100_000, countries: [{ country: 'DD', share: 0.7, offsetHours: -8 }, { country: 'EE', share: 0.3, offsetHours: -3 }] },
};
const EVENING = [0.75, 0.5, 0.35, 0.25, 0.22, 0.25, 0.4, 0.7, 1.0, 1.15, 1.2, 1.2, 1.25, 1.2, 1.15, 1.15, 1.2, 1.25, 1.35, 1.5, 1.65, 1.7, 1.5, 1.1];
const MORNING = Array.from({ length: 24 }, (_, h) => 0.3 + Math.exp(-(((h - 8) / 2.5) ** 2)) * 2);
const SERVICES = { sync: { perDevicePerDay: 12, localHourWeights: EVENING }, ota: { perDevicePerDay: 2, localHourWeights: MORNING } };
const FROM = Date.UTC(2015, 1, 2) / 1000;
const STEP = 300;

function observations(rows: { time: number; dc: string; service: string; rps: number }[]): Observation[] {
  return rows.map((r, i) => ({ ...r, where: `t.csv:${i + 2}` }));
}

function fit(obs: Observation[], mixes: Record<string, DcMix> | null = DCS) {
  const checked = checkTelemetry(obs, { source: 't.csv', knownDcs: ['east', 'west'], knownServices: ['sync', 'ota'] });
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  const devices = Object.fromEntries(Object.entries(DCS).map(([dc, m]) => [dc, { activeDevices: m.devices, from: 'test' }]));
  return fitDemand({ telemetry: checked.telemetry, source: { kind: 'csv', what: 't.csv' }, placement: 'p', quarter: '2015Q1', devices, ...(mixes ? { mixes } : {}) });
}

describe('fitDemand (synthetic telemetry from known demand)', () => {
  it('recovers requests per device per day within 4 Poisson standard errors and the curve within 0.05', () => {
    const { rows, counts } = syntheticTelemetry({ seed: 7, dcs: DCS, services: SERVICES, from: FROM, steps: 2 * 288, stepSeconds: STEP });
    const d = DemandFileSchema.parse(fit(observations(rows)));
    for (const [s, truth] of Object.entries(SERVICES)) {
      const f = d.services[s]!;
      const se = truth.perDevicePerDay / Math.sqrt(counts[s]!);
      expect(Math.abs(f.perDevicePerDay - truth.perDevicePerDay), `${s}: ${f.perDevicePerDay} vs ${truth.perDevicePerDay}, SE ${se}`).toBeLessThan(4 * se);
      const w = normaliseMean(truth.localHourWeights);
      const err = Math.max(...f.localHourWeights!.map((x, h) => Math.abs(x - w[h]!)));
      expect(err, `${s}: max curve error`).toBeLessThan(0.05);
      expect(f.fit.note).toBeNull();
      expect(f.fit.mapePct!).toBeLessThan(2);
      expect(Object.keys(f.fit.residuals)).toEqual(['east', 'west']);
      expect(f.fit.residuals.east).toHaveLength(24);
      expect(f.dcs.west!.samples).toBe(576);
      expect(f.dcs.west!.hoursCovered).toBe(24);
    }
    expect(d.source).toEqual({ kind: 'csv', what: 't.csv', from: '2015-02-02T00:00:00Z', to: '2015-02-03T23:55:00Z', stepSeconds: 300 });
  });

  it('gives the curve back exactly from noise-free telemetry, and residuals of 0', () => {
    const rows = Object.entries(SERVICES).flatMap(([service, s]) => Object.entries(DCS).flatMap(([dc, mix]) =>
      Array.from({ length: 288 }, (_, i) => ({ time: FROM + i * STEP, dc, service, rps: expectedRps(mix, s.perDevicePerDay, s.localHourWeights, Math.floor(i / 12)) }))));
    const d = fit(observations(rows));
    for (const [s, truth] of Object.entries(SERVICES)) {
      expect(d.services[s]!.perDevicePerDay).toBeCloseTo(truth.perDevicePerDay, 4);
      const w = normaliseMean(truth.localHourWeights);
      d.services[s]!.localHourWeights!.forEach((x, h) => expect(x).toBeCloseTo(w[h]!, 4));
      expect(d.services[s]!.fit.rmseRps).toBeLessThan(1e-3);
    }
  });

  it('fits only the rate when the telemetry misses hours, and says so', () => {
    const { rows } = syntheticTelemetry({ seed: 3, dcs: DCS, services: { sync: SERVICES.sync }, from: FROM + 10 * 3600, steps: 24, stepSeconds: STEP });
    const f = fit(observations(rows)).services.sync!;
    expect(f.localHourWeights).toBeNull();
    expect(f.fit.note).toMatch(/does not cover every UTC hour \(east: 2, west: 2 of 24\)/);
    // The rate is the window's mean over the devices: both DCs' observed means, pooled.
    const mean = rows.reduce((s, r) => s + r.rps, 0) / 24;
    expect(f.perDevicePerDay).toBeCloseTo((mean * 86400) / 300_000, 3);
    expect(f.dcs.east!.hoursCovered).toBe(2);
  });

  it('keeps the modeled curve when no country mix is known', () => {
    const { rows } = syntheticTelemetry({ seed: 3, dcs: DCS, services: { ota: SERVICES.ota }, from: FROM, steps: 288, stepSeconds: STEP });
    const f = fit(observations(rows), null).services.ota!;
    expect(f.localHourWeights).toBeNull();
    expect(f.fit.note).toMatch(/no country mix for east, west/);
  });
});

describe('nnls', () => {
  it('matches the published examples (scipy.optimize.nnls documentation)', () => {
    const x = nnls([[1, 0], [1, 0], [0, 1]], [2, 1, 1]);
    expect(x[0]).toBeCloseTo(1.5, 12);
    expect(x[1]).toBeCloseTo(1, 12);
    expect(nnls([[1, 0], [1, 0], [0, 1]], [-1, -1, -1])).toEqual([0, 0]);
  });

  it('clips negative components and otherwise equals least squares', () => {
    expect(nnls([[1, 0], [0, 1]], [2, -1])).toEqual([2, 0]);
    const x = nnls([[1, 1], [1, 2], [1, 3]], [6, 9, 12]);
    expect(x[0]).toBeCloseTo(3, 10);
    expect(x[1]).toBeCloseTo(3, 10);
    expect(() => nnls([[1, 2]], [1, 2])).toThrow(/m x n/);
  });
});
