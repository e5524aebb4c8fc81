/**
 * The plan's sensitivity (models/capacity/sensitivity.ts) on a one-DC, two-quarter plan whose effects can be derived
 * by hand: node prices scale every quarter's cost by the same factor (up to the rounding of each cost to a unit),
 * more demand or less capacity per node never costs less, a higher target utilization never costs more, the inputs
 * come largest swing first, growth is left out without a forecast, and the same input gives the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { buildPlan, type PlanInput } from '../../../models/capacity/planner.ts';
import { PlannerSettingsSchema } from '../../../models/capacity/settings.ts';
import { horizonCost, scaleTraffic, sensitivity } from '../../../models/capacity/sensitivity.ts';
import { ResidencySchema, RttSchema } from '../../../models/routing/settings.ts';
import type { Traffic } from '../../../models/types.ts';

const band = (p50: number, p90: number) => ({ p50, p90 });
const quarter = (q: string, peak: number) => ({
  quarter: q, activeDevices: band(1e6, 1.5e6), peakHourUtc: 12, diurnalUtc: [],
  services: { api: { meanRps: band(peak / 2, peak), peakRps: band(peak, peak * 1.5), flashSaleRps: band(peak * 1.4, peak * 2.1) } },
  countries: { SG: { flashSaleRps: band(peak * 1.4, peak * 2.1) } },
  total: { meanRps: band(peak / 2, peak), peakRps: band(peak, peak * 1.5), flashSaleRps: band(peak * 1.4, peak * 2.1) },
});
const traffic = {
  schema: 'caplab.traffic/v1', placement: 'one', demand: {}, shape: { localHourWeights: [], weeklyPeakFactor: 1 }, flashSales: [],
  routing: [{ country: 'SG', dc: 'sg', rttMs: { p50: 5, p95: 5 }, rule: 'any', allowed: true, reason: 'nearest-allowed' }], violations: [],
  dcs: { sg: [quarter('2027Q1', 2000), quarter('2027Q2', 3000)] },
} as unknown as Traffic;
const input: PlanInput = {
  traffic, capacity: { sg: { ceilingRps: 400, sloRps: 300, perNodeRps: 300, binds: 'slo', source: 'modeled', inputs: {}, workers: 32 } },
  fleet: { schema: 'caplab.fleet/v1', asOf: '2026Q4', nodes: { sg: 10 } }, pricePerNodeMonth: { sg: 1000 }, currency: 'EUR',
  rtt: RttSchema.parse({ schema: 'caplab.rtt/v1', sources: ['t'], jitter: { sigma: 0, reasoning: 't' }, dcs: { sg: { default: 5 } } }),
  residency: ResidencySchema.parse({ schema: 'caplab.residency/v1', rules: [{ name: 'any', countries: '*', dcs: ['sg'], source: 't' }] }),
  settings: PlannerSettingsSchema.parse({ schema: 'caplab.planner/v1', targetUtilization: 0.7, redundancy: 2, draws: 64, capacityCv: 0.1, queueWaitTargetMs: 10, serverBudgetP95Ms: 100, regret: { shortage: 5, surplus: 1 } }),
  seed: 7,
};
const ranges = { demandPerDevice: { low: 0.75, high: 1.25 }, targetUtilization: { low: 0.6, high: 0.8 }, prices: { low: 0.85, high: 1.15 }, flashSaleMultiplier: { low: 0.5, high: 1.5 } };
const devices = { '2027Q1': { p10: 0.8e6, p50: 1e6, p90: 1.5e6 }, '2027Q2': { p10: 0.7e6, p50: 1e6, p90: 1.6e6 } };

describe('sensitivity', () => {
  it('moves each input over its interval from the base plan, largest swing first', () => {
    const s = sensitivity(input, ranges, devices);
    const base = horizonCost(buildPlan(input));
    expect(s.baseCost).toBe(base);
    expect(s.currency).toBe('EUR');
    const by = Object.fromEntries(s.inputs.map((x) => [x.name, x]));
    expect(Object.keys(by).sort()).toEqual(['capacity', 'demandPerDevice', 'flashSaleMultiplier', 'growth', 'prices', 'targetUtilization']);
    // Prices: 2 quarters x round(nodes x price x k x 3): k x base within half a unit per quarter.
    expect(Math.abs(by.prices!.low.cost - 0.85 * base)).toBeLessThanOrEqual(1);
    expect(Math.abs(by.prices!.high.cost - 1.15 * base)).toBeLessThanOrEqual(1);
    expect(by.prices!.low.value).toBe('-15%');
    for (const name of ['demandPerDevice', 'growth', 'flashSaleMultiplier']) {
      expect(by[name]!.low.cost, name).toBeLessThanOrEqual(base);
      expect(by[name]!.high.cost, name).toBeGreaterThanOrEqual(base);
    }
    // Less capacity per node, or a lower target utilization: more nodes.
    expect(by.capacity!.low.cost).toBeGreaterThanOrEqual(base);
    expect(by.capacity!.high.cost).toBeLessThanOrEqual(base);
    expect(by.targetUtilization!.low.cost).toBeGreaterThanOrEqual(base);
    expect(by.targetUtilization!.high.cost).toBeLessThanOrEqual(base);
    for (const x of s.inputs) expect(x.swing).toBe(Math.abs(x.high.cost - x.low.cost));
    expect(s.inputs.map((x) => x.swing)).toEqual([...s.inputs.map((x) => x.swing)].sort((a, b) => b - a));
    expect(JSON.stringify(sensitivity(input, ranges, devices))).toBe(JSON.stringify(s));
  });

  it('growth held at an end of the forecast: every rate at that end, no spread left; without a forecast it is left out', () => {
    const low = scaleTraffic(traffic, (q) => devices[q as keyof typeof devices].p10 / 1e6, true);
    expect(low.dcs.sg![1]!.total.flashSaleRps).toEqual({ p50: 3000 * 1.4 * 0.7, p90: 3000 * 1.4 * 0.7 });
    expect(low.dcs.sg![0]!.countries.SG!.flashSaleRps.p50).toBeCloseTo(2000 * 1.4 * 0.8, 9);
    expect(sensitivity(input, ranges).inputs.map((x) => x.name)).not.toContain('growth');
  });
});
