/**
 * Today's fleet against the model: the one fact a planner knows is how many nodes serve the service today and how
 * busy they are at the peak. The demand model, run for the fleet's as-of period, must agree with that, or the plan
 * built on it says so and by how much (docs/models.md "Today's fleet anchors the plan").
 *
 * The fleet's peak is its stated `peakRps`, else its nodes x each site's per-node capacity (the plan's, measured or
 * modeled) x its stated `peakUtilization`. The model's peak is the as-of period's peak hour summed over the sites it
 * routes to (each site sizes for its own peak), with the interval of the device base behind it: traffic is
 * proportional to active devices, so the p10 is the p50 scaled by the devices' p10/p50. The fleet agrees when its
 * peak lies within the model's p10..p90; otherwise the factor model p50 / fleet says how far apart they are.
 * Pure.
 */
import type { Band, Band2, FleetCheck } from '../types.ts';

/** What the check needs of today's fleet. */
export interface FleetFacts {
  asOf: string;
  nodes: Readonly<Record<string, number>>;
  peakUtilization?: number;
  peakRps?: number;
}

/**
 * Compares today's fleet with the model at the fleet's as-of period.
 * @param fleet today's fleet (nodes per site, as-of period, stated peak utilization or peak req/s)
 * @param asOf the model at the as-of period: peak req/s per site (p50/p90) and the active devices' band; undefined
 *   when the model does not cover the period (the reason is given instead)
 * @param perNodeRps per-node capacity per site, requests/s (the plan's)
 * @returns the check, or why it could not be made
 * @example fleetCheck({ asOf: '2014Q4', nodes: { a: 10 }, peakUtilization: 0.5 }, { peakRps: { a: { p50: 500, p90: 800 } }, devices: { p10: 8, p50: 10, p90: 16 } }, { a: 100 })
 *   // fleet 500 req/s, model 400/500/800: agrees, factor 1
 */
export function fleetCheck(
  fleet: FleetFacts,
  asOf: { peakRps: Readonly<Record<string, Band2>>; devices: Band } | { unavailable: string },
  perNodeRps: Readonly<Record<string, number>>,
): FleetCheck {
  const nodes = Object.values(fleet.nodes).reduce((a, b) => a + b, 0);
  const base = { asOf: fleet.asOf, nodes };
  if ('unavailable' in asOf) return { ...base, status: 'unavailable', reason: asOf.unavailable };
  if (fleet.peakRps === undefined && fleet.peakUtilization === undefined) {
    return { ...base, status: 'unavailable', reason: 'the fleet states neither peakUtilization nor peakRps' };
  }
  const sites = Object.entries(fleet.nodes).filter(([, n]) => n > 0);
  const unknown = sites.filter(([site]) => !(perNodeRps[site]! > 0)).map(([site]) => site);
  const capacityRps = unknown.length > 0 ? undefined : sites.reduce((sum, [site, n]) => sum + n * perNodeRps[site]!, 0);
  let fleetPeakRps: number;
  if (fleet.peakRps !== undefined) fleetPeakRps = fleet.peakRps;
  else if (capacityRps === undefined) {
    return { ...base, status: 'unavailable', reason: `no per-node capacity for ${unknown.join(', ')} (not a site of the plan)` };
  } else fleetPeakRps = capacityRps * fleet.peakUtilization!;
  const p50 = Object.values(asOf.peakRps).reduce((a, b) => a + b.p50, 0);
  const p90 = Object.values(asOf.peakRps).reduce((a, b) => a + b.p90, 0);
  const p10 = asOf.devices.p50 > 0 ? p50 * (asOf.devices.p10 / asOf.devices.p50) : p50;
  const modelPeakRps = { p10, p50, p90 };
  if (!(fleetPeakRps > 0)) return { ...base, status: 'unavailable', reason: 'today\'s fleet serves no requests (no nodes)' };
  const verdict = fleetPeakRps < p10 ? 'model-higher' : fleetPeakRps > p90 ? 'model-lower' : 'agrees';
  return {
    ...base, status: 'checked', modelPeakRps, fleetPeakRps,
    basis: fleet.peakRps !== undefined ? 'peakRps' : 'peakUtilization',
    ...(capacityRps !== undefined && capacityRps > 0 ? { impliedUtilization: { p10: p10 / capacityRps, p50: p50 / capacityRps, p90: p90 / capacityRps } } : {}),
    ...(fleet.peakUtilization !== undefined ? { peakUtilization: fleet.peakUtilization } : {}),
    factor: p50 / fleetPeakRps, verdict,
  };
}
