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
  return { data, given: { catalog: await loadCatalog(undefined, undefined), observed: new Map(), placement: await loadPlacement('seed-4dc', data.rtt) } };
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
