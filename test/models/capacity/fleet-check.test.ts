/**
 * The fleet check (models/capacity/fleet-check.ts) on hand-derived values: a fleet's peak from its nodes, per-node
 * capacity and stated utilization, or its stated peak req/s, against the model's p10/p50/p90 at the as-of period.
 */
import { describe, expect, it } from 'vitest';
import { fleetCheck } from '../../../models/capacity/fleet-check.ts';

const model = { peakRps: { a: { p50: 300, p90: 500 }, b: { p50: 100, p90: 300 } }, devices: { p10: 8e6, p50: 10e6, p90: 16e6 } };

describe('fleetCheck', () => {
  it('agrees when the fleet\'s peak lies within the model\'s p10..p90, and says the utilization the model implies', () => {
    // Fleet: 10 x 100 + 0 x 80 req/s at 50% = 500 req/s. Model: p50 300 + 100 = 400, p90 800, p10 400 x 8/10 = 320.
    const c = fleetCheck({ asOf: '2026Q4', nodes: { a: 10, b: 0 }, peakUtilization: 0.5 }, model, { a: 100, b: 80 });
    expect(c).toEqual({
      asOf: '2026Q4', nodes: 10, status: 'checked', modelPeakRps: { p10: 320, p50: 400, p90: 800 }, fleetPeakRps: 500, basis: 'peakUtilization',
      impliedUtilization: { p10: 0.32, p50: 0.4, p90: 0.8 }, peakUtilization: 0.5, factor: 0.8, verdict: 'agrees',
    });
  });

  it('names the side and the factor when they disagree', () => {
    // 4 nodes x 100 x 0.5 = 200 req/s < p10 320: the model asks for 400 / 200 = 2x.
    const high = fleetCheck({ asOf: '2026Q4', nodes: { a: 4 }, peakUtilization: 0.5 }, model, { a: 100 });
    expect(high).toMatchObject({ status: 'checked', verdict: 'model-higher', factor: 2, fleetPeakRps: 200 });
    // A measured peak of 1,000 req/s > p90 800: the model is at 0.4x.
    const low = fleetCheck({ asOf: '2026Q4', nodes: { a: 4 }, peakRps: 1000 }, model, { a: 100 });
    expect(low).toMatchObject({ status: 'checked', verdict: 'model-lower', factor: 0.4, basis: 'peakRps', fleetPeakRps: 1000 });
  });

  it('is not made, with the reason, without a stated peak, a site\'s capacity or the model', () => {
    expect(fleetCheck({ asOf: '2026Q4', nodes: { a: 4 } }, model, { a: 100 })).toEqual({
      asOf: '2026Q4', nodes: 4, status: 'unavailable', reason: 'the fleet states neither peakUtilization nor peakRps',
    });
    expect(fleetCheck({ asOf: '2026Q4', nodes: { a: 4, x: 2 }, peakUtilization: 0.5 }, model, { a: 100 })).toMatchObject({
      status: 'unavailable', reason: 'no per-node capacity for x (not a site of the plan)',
    });
    // A stated peak needs no capacity; the implied utilization is then left out.
    const stated = fleetCheck({ asOf: '2026Q4', nodes: { a: 4, x: 2 }, peakRps: 400 }, model, { a: 100 });
    expect(stated).toMatchObject({ status: 'checked', verdict: 'agrees' });
    expect(stated).not.toHaveProperty('impliedUtilization');
    expect(fleetCheck({ asOf: '2013Q1', nodes: { a: 4 }, peakRps: 400 }, { unavailable: 'the forecast starts at 2014Q1' }, {})).toMatchObject({
      status: 'unavailable', reason: 'the forecast starts at 2014Q1',
    });
  });
});
