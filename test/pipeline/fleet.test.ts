/**
 * The plan's fleet check on the built-in world (pipeline/fleet.ts through the chain): today's fleet
 * (data/fleet.json: 420 nodes in Beijing as of 2014Q4 at a stated 50% peak utilization) agrees with the model's
 * 2014Q4 peak within its p10..p90, also after a measurement replans; a traffic file given without its forecast that
 * does not cover the as-of period gets no check, with the reason; and the report's first screen says it.
 */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../cli/inputs/catalog.ts';
import { chainData } from '../../cli/inputs/chain-data.ts';
import { loadPlacement } from '../../cli/inputs/routing.ts';
import { chain } from '../../pipeline/chain.ts';
import { fleetCheckText } from '../../reports/render/fleet-check-text.ts';

async function builtIn() {
  const data = chainData();
  return { data, given: { catalog: await loadCatalog(undefined, undefined), observed: new Map(), placement: await loadPlacement('seed-4dc', data.world) } };
}

describe('the plan\'s fleet check', () => {
  it('the built-in fleet agrees with the model at 2014Q4, before and after a measurement replans', async () => {
    const { data, given } = await builtIn();
    const c = chain(given, data, 1);
    const check = c.plan().fleetCheck!;
    expect(check).toMatchObject({ status: 'checked', asOf: '2014Q4', nodes: 420, basis: 'peakUtilization', peakUtilization: 0.5, verdict: 'agrees' });
    if (check.status !== 'checked') throw new Error('unreachable');
    // The fleet's peak: 420 nodes x Beijing's modeled per-node rate x 0.5.
    expect(check.fleetPeakRps).toBeCloseTo(420 * c.plan().dcs.beijing!.capacity.perNodeRps * 0.5, 6);
    expect(check.modelPeakRps.p10).toBeLessThanOrEqual(check.fleetPeakRps);
    expect(check.fleetPeakRps).toBeLessThanOrEqual(check.modelPeakRps.p90);
    expect(fleetCheckText(check).text).toMatch(/^Today's fleet, 420 nodes as of 2014Q4, serves [\d,]+ req\/s at its stated 50% peak utilization; the model's 2014Q4 peak is .*: they agree\./);

    // A measured Beijing twice as fast: the same model peak, now on a fleet serving twice as much.
    const beijing = c.plan().dcs.beijing!.capacity;
    const measured = { beijing: { ...beijing, perNodeRps: beijing.perNodeRps * 2, sloRps: beijing.sloRps * 2, ceilingRps: beijing.ceilingRps * 2, source: 'measured' as const, inputs: {} } };
    const again = c.with({ measured }).plan().fleetCheck!;
    expect(again).toMatchObject({ status: 'checked', modelPeakRps: check.modelPeakRps });
    if (again.status !== 'checked') throw new Error('unreachable');
    expect(again.fleetPeakRps).toBeCloseTo(check.fleetPeakRps * 2, 6);
  });

  it('a traffic file given without its forecast, not covering the as-of period: no check, and why', async () => {
    const { data, given } = await builtIn();
    const traffic = chain(given, data, 1).traffic().traffic;
    const check = chain({ catalog: given.catalog, observed: new Map(), traffic }, data, 1).plan().fleetCheck!;
    expect(check).toEqual({ asOf: '2014Q4', nodes: 420, status: 'unavailable', reason: 'the traffic does not cover the fleet\'s as-of period 2014Q4' });
    expect(fleetCheckText(check)).toEqual({ text: 'Today\'s fleet, 420 nodes as of 2014Q4: not checked against the model (the traffic does not cover the fleet\'s as-of period 2014Q4).', ok: undefined });
  });
});

describe('calibrate: fleet', () => {
  it('scales every service\'s demand by fleet peak / model p50, so the as-of peak is the fleet\'s, and says so', async () => {
    const { data, given } = await builtIn();
    const plain = chain(given, data, 1);
    const before = plain.plan().fleetCheck!;
    if (before.status !== 'checked') throw new Error('unreachable');
    const factor = before.fleetPeakRps / before.modelPeakRps.p50;
    const c = chain({ ...given, calibrateToFleet: true }, data, 1);
    for (const [s, d] of Object.entries(c.services())) {
      expect(d.perDevicePerDay).toBeCloseTo(plain.services()[s]!.perDevicePerDay * factor, 9);
      expect(d.source).toMatch(/scaled x[\d.]+ to today's fleet \(2014Q4, calibrate: fleet\)$/);
    }
    const after = c.plan().fleetCheck!;
    if (after.status !== 'checked') throw new Error('unreachable');
    // Demand is linear in the per-device rate: the as-of p50 peak is now the fleet's, and the check agrees.
    // traffic.json rounds each DC's peak to 0.001 req/s: the sum is exact to half that per DC.
    expect(Math.abs(after.modelPeakRps.p50 - before.fleetPeakRps)).toBeLessThanOrEqual(0.0005 * Object.keys(c.plan().dcs).length);
    expect(after).toMatchObject({ verdict: 'agrees', calibration: { before } });
    expect(after.calibration!.factor).toBeCloseTo(factor, 12);
    expect(after.factor).toBeCloseTo(1, 6);
    // Every planned quarter's demand moved by the same factor.
    const q = (x: typeof c) => x.plan().dcs.singapore!.quarters[4]!.demandRps.p50;
    // The quarter's demand sums its services' rates, each rounded to 0.001 req/s in both plans.
    expect(Math.abs(q(c) - q(plain) * factor)).toBeLessThanOrEqual(0.0005 * (1 + factor) * Object.keys(c.services()).length);
    expect(fleetCheckText(after).text).toMatch(/Demand scaled x[\d.]+ \(calibrate: fleet\) so that the model's 2014Q4 peak is what the fleet serves; the model alone gave [\d,]+ req\/s/);
  });

  it('refuses, with the reason, when the fleet cannot be checked', async () => {
    const { data, given } = await builtIn();
    const fleet = { fleet: { schema: 'caplab.fleet/v1' as const, asOf: '2014Q4', nodes: { beijing: 420 } }, source: 'fleet.json' };
    expect(() => chain({ ...given, fleet, calibrateToFleet: true }, data, 1).traffic()).toThrow(
      'calibrate: fleet needs today\'s fleet checked against the model, which it was not: the fleet states neither peakUtilization nor peakRps');
  });
});
