/**
 * The fleet check of a plan (models/capacity/fleet-check.ts): the model at today's fleet's as-of period, taken from
 * the traffic when it covers that period, else computed for that one period from the forecast and the placement the
 * traffic uses, and compared with the fleet at the plan's per-node capacity.
 */
import { fleetCheck } from '../models/capacity/fleet-check.ts';
import type { Fleet } from '../models/capacity/settings.ts';
import type { Band, FleetCheck, Traffic } from '../models/types.ts';
import type { DemandBase } from '../models/world/demand-base.ts';

/** Peak req/s per site and the device band at one period, or why they are unknown. */
type AsOf = { peakRps: Record<string, { p50: number; p90: number }>; devices: Band } | { unavailable: string };

/** The traffic's peak per site at a period, when every site has it. */
function peaksAt(traffic: Traffic, period: string): Record<string, { p50: number; p90: number }> | undefined {
  const out: Record<string, { p50: number; p90: number }> = {};
  for (const [dc, quarters] of Object.entries(traffic.dcs)) {
    const q = quarters.find((x) => x.quarter === period);
    if (!q) return undefined;
    out[dc] = q.total.peakRps;
  }
  return out;
}

/**
 * The model at the fleet's as-of period.
 * @param fleet today's fleet
 * @param traffic the plan's traffic
 * @param model the forecast and a way to compute the traffic of one period, when the chain can (not for a traffic
 *   file given without them)
 * @returns peaks and device band, or why there are none
 */
export function modelAtAsOf(fleet: Fleet, traffic: Traffic, model: { forecast: DemandBase; trafficAt(period: string): Traffic } | undefined): AsOf {
  const quarter = model?.forecast.quarters.find((q) => q.quarter === fleet.asOf);
  const inTraffic = peaksAt(traffic, fleet.asOf);
  if (inTraffic) {
    // A traffic file without its forecast: the device band's lower tail is unknown, so the interval starts at the p50.
    const devices = quarter?.activeDevices ?? { p10: 1, p50: 1, p90: 1 };
    return { peakRps: inTraffic, devices };
  }
  if (!model) return { unavailable: `the traffic does not cover the fleet's as-of period ${fleet.asOf}` };
  if (!quarter) {
    const labels = model.forecast.quarters.map((q) => q.quarter);
    return { unavailable: `the forecast covers ${labels[0]} to ${labels[labels.length - 1]}, not the fleet's as-of period ${fleet.asOf}` };
  }
  const peaks = peaksAt(model.trafficAt(fleet.asOf), fleet.asOf);
  return peaks ? { peakRps: peaks, devices: quarter.activeDevices } : { unavailable: `no traffic for ${fleet.asOf}` };
}

/**
 * The fleet check of a plan.
 * @param perNodeRps the plan's per-node capacity per site, requests/s
 * @param fleet today's fleet
 * @param asOf the model at the fleet's as-of period ({@link modelAtAsOf})
 * @returns the check plan.json records
 */
export function planFleetCheck(perNodeRps: Readonly<Record<string, number>>, fleet: Fleet, asOf: AsOf): FleetCheck {
  return fleetCheck({
    asOf: fleet.asOf, nodes: fleet.nodes,
    ...(fleet.peakUtilization !== undefined ? { peakUtilization: fleet.peakUtilization } : {}),
    ...(fleet.peakRps !== undefined ? { peakRps: fleet.peakRps } : {}),
  }, asOf, perNodeRps);
}
