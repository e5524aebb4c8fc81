/**
 * Which inputs move a plan's cost most: each uncertain input moved to the low and the high end of its interval with
 * the others at their median, the plan rebuilt with the same seed (common random numbers: the difference is the
 * input's, not the draws'), and the horizon's total cost (every DC, every planned quarter) compared with the base
 * plan's. The result, sorted by swing (high cost minus low cost, in absolute value), is what a tornado chart draws.
 *
 * The inputs: growth (each quarter's demand at its active devices' p10 or p90, from the forecast, with no growth
 * spread left),
 * demand per device (a factor), per-node capacity (the p10 and p90 of its lognormal spread, capacityCv), target
 * utilization, node prices (a factor) and the flash-sale multiplier (the surge above the ordinary peak scaled).
 * Pure: same input -> same result.
 */
import { buildPlan, type PlanInput } from './planner.ts';
import type { Band, Plan, Sensitivity, SensitivityInput, Traffic, TrafficDcQuarter } from '../types.ts';

/** The stated intervals (data/planner.json `sensitivity`). */
export interface SensitivityRanges {
  demandPerDevice: { low: number; high: number };
  targetUtilization: { low: number; high: number };
  prices: { low: number; high: number };
  flashSaleMultiplier: { low: number; high: number };
}

/** z of the 90th percentile of a normal: the p10..p90 of a lognormal with cv c is exp(-+1.2816 c) about its median. */
const Z90 = 1.2815515655446004;

/**
 * Every {p50, p90} under a key ending in `Rps` (the traffic's rates) scaled by k; `collapse` puts both at the scaled
 * p50 (the band's spread is the growth's, gone when growth is held at one end).
 */
function scaleRates<T>(v: T, k: number, collapse = false): T {
  if (Array.isArray(v)) return v.map((x) => scaleRates(x, k, collapse)) as T;
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [key, x] of Object.entries(v as Record<string, unknown>)) {
    const band = x as { p50?: unknown; p90?: unknown };
    out[key] = key.endsWith('Rps') && typeof band?.p50 === 'number' && typeof band.p90 === 'number'
      ? { ...band, p50: band.p50 * k, p90: (collapse ? band.p50 : band.p90) * k } : scaleRates(x, k, collapse);
  }
  return out as T;
}

/**
 * The traffic with each quarter's rates scaled.
 * @param traffic the traffic
 * @param factor the scale of a quarter's rates
 * @param collapse put each band's p90 at its scaled p50 (growth held at one end of its interval)
 * @returns a new traffic
 */
export function scaleTraffic(traffic: Traffic, factor: (quarter: string) => number, collapse = false): Traffic {
  const dcs = Object.fromEntries(Object.entries(traffic.dcs).map(([dc, qs]) => [dc, qs.map((q) => scaleRates(q, factor(q.quarter), collapse))]));
  return { ...traffic, dcs };
}

/** A quarter whose flash-sale surge above the peak is scaled by k (countries' design peaks in the same proportion). */
function surge(q: TrafficDcQuarter, k: number): TrafficDcQuarter {
  const sized = (peak: { p50: number; p90: number }, flash: { p50: number; p90: number }) => ({
    ...flash, p50: peak.p50 + (flash.p50 - peak.p50) * k, p90: peak.p90 + (flash.p90 - peak.p90) * k,
  });
  const total = { ...q.total, flashSaleRps: sized(q.total.peakRps, q.total.flashSaleRps) };
  const ratio = q.total.flashSaleRps.p50 > 0 ? total.flashSaleRps.p50 / q.total.flashSaleRps.p50 : 1;
  const services = Object.fromEntries(Object.entries(q.services).map(([s, x]) => [s, { ...x, flashSaleRps: sized(x.peakRps, x.flashSaleRps) }]));
  const countries = Object.fromEntries(Object.entries(q.countries).map(([c, x]) => [c, scaleRates(x, ratio)]));
  return { ...q, total, services, countries } as TrafficDcQuarter;
}

/** The plan's total cost over its horizon: every DC, every quarter. */
export function horizonCost(plan: Plan): number {
  return Object.values(plan.dcs).reduce((sum, d) => sum + d.quarters.reduce((s, q) => s + q.cost, 0), 0);
}

/**
 * The sensitivity of a plan's horizon cost to each uncertain input.
 * @param input the base plan's input (the plan built from it is the base)
 * @param ranges the stated intervals
 * @param devices the active devices per quarter (the forecast's p10/p50/p90), for growth; undefined leaves it out
 * @param basePlan the plan built from `input`, when the caller has it (else it is built)
 * @returns the base cost and each input's low and high cost, largest swing first
 * @example sensitivity(planInput, planner.sensitivity, devices).inputs[0].name // e.g. 'growth'
 */
export function sensitivity(input: PlanInput, ranges: SensitivityRanges, devices?: Readonly<Record<string, Band>>, basePlan?: Plan): Sensitivity {
  const base = horizonCost(basePlan ?? buildPlan(input));
  const cost = (change: Partial<PlanInput>): number => horizonCost(buildPlan({ ...input, ...change }));
  const moved = (name: SensitivityInput['name'], label: string, low: { value: string; change: Partial<PlanInput> }, high: { value: string; change: Partial<PlanInput> }): SensitivityInput => {
    const lo = cost(low.change);
    const hi = cost(high.change);
    return { name, label, low: { value: low.value, cost: lo }, high: { value: high.value, cost: hi }, swing: Math.abs(hi - lo) };
  };
  const withCapacity = (k: number): Partial<PlanInput> => ({
    capacity: Object.fromEntries(Object.entries(input.capacity).map(([dc, c]) => [dc, { ...c, perNodeRps: c.perNodeRps * k, sloRps: c.sloRps * k, ceilingRps: c.ceilingRps * k }])),
  });
  const pct = (k: number): string => `${k >= 1 ? '+' : ''}${Math.round((k - 1) * 100)}%`;
  const d = ranges.demandPerDevice;
  const u = ranges.targetUtilization;
  const p = ranges.prices;
  const f = ranges.flashSaleMultiplier;
  const cv = input.settings.capacityCv;
  const [capLow, capHigh] = [Math.exp(-Z90 * cv), Math.exp(Z90 * cv)];
  const inputs: SensitivityInput[] = [
    moved('demandPerDevice', 'demand per device', { value: pct(d.low), change: { traffic: scaleTraffic(input.traffic, () => d.low) } }, { value: pct(d.high), change: { traffic: scaleTraffic(input.traffic, () => d.high) } }),
    // More capacity per node means fewer nodes: its low end is the costly one.
    moved('capacity', 'per-node capacity', { value: `${pct(capLow)} (p10)`, change: withCapacity(capLow) }, { value: `${pct(capHigh)} (p90)`, change: withCapacity(capHigh) }),
    moved('targetUtilization', 'target utilization', { value: `${Math.round(u.low * 100)}%`, change: { settings: { ...input.settings, targetUtilization: u.low } } },
      { value: `${Math.round(u.high * 100)}%`, change: { settings: { ...input.settings, targetUtilization: u.high } } }),
    moved('prices', 'node prices', { value: pct(p.low), change: { pricePerNodeMonth: Object.fromEntries(Object.entries(input.pricePerNodeMonth).map(([dc, v]) => [dc, v * p.low])) } },
      { value: pct(p.high), change: { pricePerNodeMonth: Object.fromEntries(Object.entries(input.pricePerNodeMonth).map(([dc, v]) => [dc, v * p.high])) } }),
    moved('flashSaleMultiplier', 'flash-sale surge', { value: `x${f.low}`, change: { traffic: { ...input.traffic, dcs: Object.fromEntries(Object.entries(input.traffic.dcs).map(([dc, qs]) => [dc, qs.map((q) => surge(q, f.low))])) } } },
      { value: `x${f.high}`, change: { traffic: { ...input.traffic, dcs: Object.fromEntries(Object.entries(input.traffic.dcs).map(([dc, qs]) => [dc, qs.map((q) => surge(q, f.high))])) } } }),
  ];
  if (devices) {
    const ratio = (q: string, at: 'p10' | 'p90'): number => (devices[q] && devices[q].p50 > 0 ? devices[q][at] / devices[q].p50 : 1);
    // Held at one end of the forecast, demand has no growth spread left: p50 and p90 both at that end.
    inputs.push(moved('growth', 'growth (the demand driver)', { value: 'driver p10', change: { traffic: scaleTraffic(input.traffic, (q) => ratio(q, 'p10'), true) } },
      { value: 'driver p90', change: { traffic: scaleTraffic(input.traffic, (q) => ratio(q, 'p90'), true) } }));
  }
  inputs.sort((a, b) => b.swing - a.swing || a.name.localeCompare(b.name));
  return { baseCost: base, currency: input.currency, inputs };
}
